package cli

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// flagSet is the standard library's flag.FlagSet plus what a friendly CLI
// needs from it: one-letter aliases shown beside their long names, global
// flags listed apart, and flags allowed after positional arguments
// (`samsa topic create orders -p 3`), which flag.Parse alone stops at.
type flagSet struct {
	*flag.FlagSet
	shorts  map[string]string // long name -> one-letter alias
	aliases map[string]bool   // alias names, listed with their long name
	globals map[string]bool
}

func newFlagSet(name string) *flagSet {
	fs := &flagSet{
		FlagSet: flag.NewFlagSet(name, flag.ContinueOnError),
		shorts:  map[string]string{},
		aliases: map[string]bool{},
		globals: map[string]bool{},
	}
	// Errors come back from Parse and are printed once, with our usage.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// alias makes -short another name for the already registered --long.
func (fs *flagSet) alias(short, long string) {
	f := fs.Lookup(long)
	fs.Var(f.Value, short, f.Usage)
	fs.shorts[long] = short
	fs.aliases[short] = true
}

// given reports whether the flag was set on the command line.
func (fs *flagSet) given(name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name || fs.shorts[name] == f.Name {
			found = true
		}
	})
	return found
}

// parse parses flags wherever they are and returns the positional
// arguments in order. Everything after "--" is positional.
func (fs *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// describe lists the global flags, or the command's own, for usage text.
func (fs *flagSet) describe(global bool) string {
	var b strings.Builder
	t := newTable(&b)
	fs.VisitAll(func(f *flag.Flag) {
		if fs.aliases[f.Name] || fs.globals[f.Name] != global {
			return
		}
		t.row("  "+flagNames(f, fs.shorts[f.Name]), flagUsage(f))
	})
	t.flush()
	return b.String()
}

func flagNames(f *flag.Flag, short string) string {
	typ, _ := flag.UnquoteUsage(f)
	names := "    --" + f.Name
	if short != "" {
		names = "-" + short + ", --" + f.Name
	}
	if typ != "" {
		names += " " + typ
	}
	return names
}

func flagUsage(f *flag.Flag) string {
	_, usage := flag.UnquoteUsage(f)
	switch f.DefValue {
	case "", "0", "-1", "false", "[]", "0s":
		return usage
	}
	if strings.Contains(usage, "(default") {
		return usage
	}
	return fmt.Sprintf("%s (default %s)", usage, f.DefValue)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// keyValue is one key=value pair of a repeatable flag (-c, -H, --set).
type keyValue struct{ key, value string }

// keyValues is a repeatable key=value flag, kept in command line order.
type keyValues []keyValue

func (kv *keyValues) String() string {
	var parts []string
	for _, p := range *kv {
		parts = append(parts, p.key+"="+p.value)
	}
	return strings.Join(parts, ",")
}

func (kv *keyValues) Set(v string) error {
	p, err := parseKeyValue(v)
	if err != nil {
		return err
	}
	*kv = append(*kv, p)
	return nil
}

func parseKeyValue(s string) (keyValue, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return keyValue{}, fmt.Errorf("%q: want key=value", s)
	}
	return keyValue{k, v}, nil
}

// partitionList is a flag of partition numbers and ranges: "0,2,4-7".
type partitionList []int32

func (l *partitionList) String() string {
	var parts []string
	for _, p := range *l {
		parts = append(parts, strconv.Itoa(int(p)))
	}
	return strings.Join(parts, ",")
}

func (l *partitionList) Set(v string) error {
	ps, err := parsePartitions(v)
	if err != nil {
		return err
	}
	*l = append(*l, ps...)
	return nil
}

// parsePartitions parses "0,2,4-7" into sorted, distinct partitions.
func parsePartitions(s string) ([]int32, error) {
	seen := map[int32]bool{}
	for _, item := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(item), "-")
		if !isRange {
			hi = lo
		}
		from, err1 := strconv.ParseInt(lo, 10, 32)
		to, err2 := strconv.ParseInt(hi, 10, 32)
		if err1 != nil || err2 != nil || from < 0 || to < from {
			return nil, fmt.Errorf("bad partition list %q: want numbers and ranges like 0,2,4-7", s)
		}
		for p := from; p <= to; p++ {
			seen[int32(p)] = true
		}
	}
	out := make([]int32, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// parseTime reads RFC 3339 or milliseconds since the Unix epoch, the two
// forms people copy from logs and from Kafka tools.
func parseTime(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q: want RFC 3339 (2024-05-01T12:00:00Z) or Unix milliseconds", s)
	}
	return t, nil
}
