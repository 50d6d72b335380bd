package cli

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func testRecord() *kgo.Record {
	return &kgo.Record{
		Topic: "orders", Partition: 2, Offset: 41, Key: []byte("k1"), Value: []byte("hello"),
		Timestamp: time.UnixMilli(1714564800000),
		Headers:   []kgo.RecordHeader{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("")}},
	}
}

func TestFormatStrings(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"text", "hello\n"},
		{"%v", "hello"},
		{"%s\\n", "hello\n"},
		{"%k=%v\n", "k1=hello\n"},
		{"%t/%p/%o", "orders/2/41"},
		{"%T", "1714564800000"},
		{"%h", "a=1,b="},
		{"%K %S", "2 5"},
		{"100%% %v", "100% hello"},
		{"%v\\t%k\\0", "hello\tk1\x00"},
		{"back\\\\slash %v", "back\\slash hello"},
		{"trailing %", "trailing %"},
	} {
		f, err := newFormatter(tc.spec)
		if err != nil {
			t.Errorf("newFormatter(%q): %v", tc.spec, err)
			continue
		}
		if got := string(f(nil, testRecord())); got != tc.want {
			t.Errorf("format %q = %q, want %q", tc.spec, got, tc.want)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	for _, spec := range []string{"yaml", "%x", "%v %q"} {
		if _, err := newFormatter(spec); err == nil {
			t.Errorf("newFormatter(%q): no error", spec)
		}
	}
}

func TestJSONFormat(t *testing.T) {
	f, _ := newFormatter("json")
	r := testRecord()
	var got map[string]any
	if err := json.Unmarshal(f(nil, r), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"topic": "orders", "partition": 2.0, "offset": 41.0, "timestamp": 1714564800000.0,
		"key": "k1", "value": "hello", "headers": map[string]any{"a": "1", "b": ""},
	}
	if !jsonEqual(got, want) {
		t.Errorf("json = %v, want %v", got, want)
	}
	r.Key, r.Headers = nil, nil
	line := string(f(nil, r))
	if !contains(line, `"key":null`) || !contains(line, `"headers":{}`) || line[len(line)-1] != '\n' {
		t.Errorf("null key, no headers: %s", line)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
