package cli

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func readAll(t *testing.T, rr *recordReader) ([]*kgo.Record, error) {
	t.Helper()
	var out []*kgo.Record
	for {
		r, err := rr.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

func newReader(in, format, delim string) *recordReader {
	return &recordReader{
		in: bufio.NewReader(strings.NewReader(in)), source: "stdin", format: format,
		keyDelim: []byte(delim), partition: -1,
		headers: []kgo.RecordHeader{{Key: "src", Value: []byte("cli")}},
	}
}

func TestReadLines(t *testing.T) {
	recs, err := readAll(t, newReader("k1:v1\nno key\n:empty key\nk2:v:2\n\nlast", "lines", ":"))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		key   *string
		value string
	}{
		{ptr("k1"), "v1"}, {nil, "no key"}, {ptr(""), "empty key"}, {ptr("k2"), "v:2"}, {nil, ""}, {nil, "last"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		r := recs[i]
		if (w.key == nil) != (r.Key == nil) || w.key != nil && string(r.Key) != *w.key || string(r.Value) != w.value {
			t.Errorf("record %d: key %q value %q, want %v %q", i, r.Key, r.Value, w.key, w.value)
		}
		if len(r.Headers) != 1 || r.Partition != -1 {
			t.Errorf("record %d: headers %v partition %d", i, r.Headers, r.Partition)
		}
	}
}

func TestReadJSONLines(t *testing.T) {
	in := `{"key":"k","value":"v","headers":{"b":"2","a":"1"},"partition":1,"timestamp":1714564800000}

{"value":{"n":1, "s":[1,2]}}
{"key":null,"value":null,"timestamp":"2024-05-01T12:00:00Z"}
{"key":7}
`
	recs, err := readAll(t, newReader(in, "json", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4 (blank lines skipped)", len(recs))
	}
	r := recs[0]
	if string(r.Key) != "k" || string(r.Value) != "v" || r.Partition != 1 || r.Timestamp.UnixMilli() != 1714564800000 {
		t.Errorf("record 0: %+v", r)
	}
	if len(r.Headers) != 3 || r.Headers[0].Key != "src" || r.Headers[1].Key != "a" || r.Headers[2].Key != "b" {
		t.Errorf("headers: -H first, then the line's sorted by key: %v", r.Headers)
	}
	if string(recs[1].Value) != `{"n":1,"s":[1,2]}` || recs[1].Key != nil || recs[1].Partition != -1 {
		t.Errorf("record 1: non-string value as compact JSON: key %q value %q", recs[1].Key, recs[1].Value)
	}
	want := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if recs[2].Key != nil || recs[2].Value != nil || !recs[2].Timestamp.Equal(want) {
		t.Errorf("record 2: %+v", recs[2])
	}
	if string(recs[3].Key) != "7" {
		t.Errorf("record 3 key %q, want 7", recs[3].Key)
	}
}

func TestReadJSONErrorsNameTheLine(t *testing.T) {
	for _, in := range []string{
		"{\"value\":\"ok\"}\nnot json\n",
		"{\"value\":\"ok\"}\n{\"timestamp\":\"noon\"}\n",
		"{\"value\":\"ok\"}\n{\"partition\":\"one\"}\n",
	} {
		recs, err := readAll(t, newReader(in, "json", ""))
		if err == nil || !contains(err.Error(), "stdin line 2") || len(recs) != 1 {
			t.Errorf("input %q: %d records, error %v; want 1 and an error naming stdin line 2", in, len(recs), err)
		}
	}
}
