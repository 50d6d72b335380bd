package cli

import (
	"reflect"
	"testing"
	"time"
)

func TestParsePartitions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int32
		bad  bool
	}{
		{in: "0", want: []int32{0}},
		{in: "2,0,1", want: []int32{0, 1, 2}},
		{in: "0,2,4-7", want: []int32{0, 2, 4, 5, 6, 7}},
		{in: "3-3,3", want: []int32{3}},
		{in: " 1 , 2 ", want: []int32{1, 2}},
		{in: "", bad: true},
		{in: "a", bad: true},
		{in: "-1", bad: true},
		{in: "5-2", bad: true},
		{in: "1,,2", bad: true},
	} {
		got, err := parsePartitions(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("parsePartitions(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parsePartitions(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseTopicPartitions(t *testing.T) {
	for _, tc := range []struct {
		in    string
		topic string
		parts []int32
		bad   bool
	}{
		{in: "orders", topic: "orders"},
		{in: "orders:1,3", topic: "orders", parts: []int32{1, 3}},
		{in: "my.topic-1:0-2", topic: "my.topic-1", parts: []int32{0, 1, 2}},
		{in: ":1", bad: true},
		{in: "orders:x", bad: true},
	} {
		topic, parts, err := parseTopicPartitions(tc.in)
		if tc.bad != (err != nil) || topic != tc.topic && !tc.bad || !reflect.DeepEqual(parts, tc.parts) && !tc.bad {
			t.Errorf("parseTopicPartitions(%q) = %q, %v, %v", tc.in, topic, parts, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, in := range []string{"2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00", "1714564800000"} {
		got, err := parseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"yesterday", "2024-05-01", ""} {
		if _, err := parseTime(in); err == nil {
			t.Errorf("parseTime(%q): no error", in)
		}
	}
}

func TestKeyValues(t *testing.T) {
	var kv keyValues
	for _, in := range []string{"a=1", "b=", "c=x=y"} {
		if err := kv.Set(in); err != nil {
			t.Fatalf("Set(%q): %v", in, err)
		}
	}
	want := keyValues{{"a", "1"}, {"b", ""}, {"c", "x=y"}}
	if !reflect.DeepEqual(kv, want) {
		t.Fatalf("got %v, want %v", kv, want)
	}
	for _, bad := range []string{"novalue", "=1"} {
		if err := kv.Set(bad); err == nil {
			t.Errorf("Set(%q): no error", bad)
		}
	}
}

// Flags may follow positional arguments (samsa topic create t -p 3), and
// everything after "--" is positional even if it looks like a flag.
func TestFlagSetParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		n    int
	}{
		{[]string{"a", "-n", "3", "b"}, []string{"a", "b"}, 3},
		{[]string{"-n", "3", "a"}, []string{"a"}, 3},
		{[]string{"a", "--n=4"}, []string{"a"}, 4},
		{[]string{"a", "--", "-n", "5"}, []string{"a", "-n", "5"}, 0},
		{[]string{"-"}, []string{"-"}, 0},
	} {
		fs := newFlagSet("test")
		n := fs.Int("n", 0, "")
		pos, err := fs.parse(tc.args)
		if err != nil || !reflect.DeepEqual(pos, tc.pos) || *n != tc.n {
			t.Errorf("parse(%q) = %q, n=%d, %v; want %q, n=%d", tc.args, pos, *n, err, tc.pos, tc.n)
		}
	}
}

func TestFlagSetAliasAndGiven(t *testing.T) {
	fs := newFlagSet("test")
	fs.Int("partitions", -1, "how many")
	fs.alias("p", "partitions")
	fs.Bool("other", false, "")
	if _, err := fs.parse([]string{"-p", "3"}); err != nil {
		t.Fatal(err)
	}
	if v := fs.Lookup("partitions").Value.String(); v != "3" {
		t.Errorf("--partitions = %s after -p 3", v)
	}
	if !fs.given("partitions") || fs.given("other") {
		t.Errorf("given(partitions) = %v, given(other) = %v", fs.given("partitions"), fs.given("other"))
	}
	if got := fs.describe(false); !contains(got, "-p, --partitions int") || contains(got, "  -p int") {
		t.Errorf("describe lists the alias apart:\n%s", got)
	}
}
