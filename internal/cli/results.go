package cli

import "fmt"

// result is one item's outcome in a command acting on several items.
type result struct {
	Name  string
	Error error
}

// printResults prints NAME STATUS rows (or JSON) and passes err through.
func (s *session) printResults(column string, results []result, err error) error {
	if s.g.json {
		type row struct {
			Name  string  `json:"name"`
			Error *string `json:"error"`
		}
		rows := []row{}
		for _, r := range results {
			rows = append(rows, row{r.Name, errString(r.Error)})
		}
		if werr := writeJSON(s.env.Stdout, rows); werr != nil {
			return werr
		}
		return err
	}
	t := newTable(s.env.Stdout, column, "STATUS")
	for _, r := range results {
		t.row(r.Name, status(r.Error))
	}
	t.flush()
	return err
}

// summarize is the command's error: nil if every item succeeded, else
// the first failure, counted when there are several.
func summarize(verb string, results []result) error {
	var first *result
	failed := 0
	for i := range results {
		if results[i].Error != nil {
			failed++
			if first == nil {
				first = &results[i]
			}
		}
	}
	switch {
	case failed == 0:
		return nil
	case failed == 1:
		return fmt.Errorf("%s %s: %w", verb, first.Name, first.Error)
	}
	return fmt.Errorf("%s: %d of %d failed; %s: %w", verb, failed, len(results), first.Name, first.Error)
}
