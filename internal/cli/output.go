package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// table writes aligned columns, the default output of read commands.
type table struct{ tw *tabwriter.Writer }

// newTable starts a table on w, with a header row when one is given.
func newTable(w io.Writer, header ...string) *table {
	t := &table{tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		cells := make([]any, len(header))
		for i, h := range header {
			cells[i] = h
		}
		t.row(cells...)
	}
	return t
}

func (t *table) row(cells ...any) {
	strs := make([]string, len(cells))
	for i, c := range cells {
		strs[i] = cell(c)
	}
	fmt.Fprintln(t.tw, strings.Join(strs, "\t"))
}

func (t *table) flush() { t.tw.Flush() }

func cell(c any) string {
	switch v := c.(type) {
	case []int32:
		return joinInt32(v)
	case *int64: // an offset that may be unknown
		if v == nil {
			return "-"
		}
		return strconv.FormatInt(*v, 10)
	case *string:
		if v == nil {
			return "-"
		}
		return *v
	}
	return fmt.Sprint(c)
}

func joinInt32(ns []int32) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(int(n))
	}
	return strings.Join(parts, ",")
}

// writeJSON prints v as indented JSON: readable by people, parsed by jq.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errString is an error for JSON output: null when there is none.
func errString(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}
