//go:build unix

package process

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// consumedRecord is one line of `samsa consume -f json`.
type consumedRecord struct {
	Topic     string            `json:"topic"`
	Partition int32             `json:"partition"`
	Offset    int64             `json:"offset"`
	Timestamp int64             `json:"timestamp"`
	Key       *string           `json:"key"`
	Value     string            `json:"value"`
	Headers   map[string]string `json:"headers"`
}

func consumeJSON(t *testing.T, addr string, args ...string) []consumedRecord {
	t.Helper()
	var recs []consumedRecord
	for _, line := range lines(cliOK(t, addr, "", append([]string{"consume", "-f", "json"}, args...)...)) {
		var r consumedRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("consume -f json line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// Plain lines with keys (-k) and headers (-H) to one partition, read back
// in each output format.
func TestCLIProduceConsumeLines(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	cliOK(t, addr, "", "topic", "create", "lines", "-p", "2")

	r := samsaCLI(t, addr, "k1:v1\nk2:v2\nno key here\n", "produce", "lines", "-p", "1", "-k", ":", "-H", "src=test", "-H", "n=1")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, "produced 3 records") || !strings.Contains(r.stderr, "p1=3") {
		t.Errorf("produce summary on stderr: %q", r.stderr)
	}

	if got := cliOK(t, addr, "", "consume", "lines"); got != "v1\nv2\nno key here\n" {
		t.Errorf("consume (text): %q", got)
	}
	got := cliOK(t, addr, "", "consume", "lines", "-f", `%t %p/%o %k=%v [%h]\n`)
	want := "lines 1/0 k1=v1 [src=test,n=1]\nlines 1/1 k2=v2 [src=test,n=1]\nlines 1/2 =no key here [src=test,n=1]\n"
	if got != want {
		t.Errorf("consume -f format:\n%s\nwant:\n%s", got, want)
	}
	recs := consumeJSON(t, addr, "lines")
	if len(recs) != 3 || *recs[0].Key != "k1" || recs[0].Value != "v1" || recs[2].Key != nil ||
		recs[1].Headers["src"] != "test" || recs[1].Partition != 1 || recs[1].Offset != 1 || recs[1].Timestamp <= 0 {
		t.Errorf("consume -f json: %+v", recs)
	}

	// Where to start and when to stop.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "-1"}, "no key here\n"},
		{[]string{"-o", "1"}, "v2\nno key here\n"},
		{[]string{"-o", "end"}, ""},
		{[]string{"-n", "2"}, "v1\nv2\n"},
		{[]string{"-p", "0"}, ""},
		{[]string{"-p", "1", "-o", "-2", "-n", "1"}, "v2\n"},
		{[]string{"--time", "2000-01-01T00:00:00Z"}, "v1\nv2\nno key here\n"},
		{[]string{"--time", time.Now().Add(time.Hour).Format(time.RFC3339)}, ""},
		{[]string{"--isolation", "read_committed"}, "v1\nv2\nno key here\n"},
	} {
		if got := cliOK(t, addr, "", append([]string{"consume", "lines"}, tc.args...)...); got != tc.want {
			t.Errorf("consume %v: %q, want %q", tc.args, got, tc.want)
		}
	}
}

// JSON lines in, JSON lines out: keys, values, headers, partitions and
// timestamps survive the round trip; a file works as stdin does.
func TestCLIProduceConsumeJSON(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	cliOK(t, addr, "", "topic", "create", "js", "-p", "3")
	input := `{"key":"a","value":"first","headers":{"h1":"x","h2":"y"},"partition":2,"timestamp":1714564800000}
{"value":{"nested":[1,2]},"partition":0}

{"key":null,"value":"no key","partition":1,"timestamp":"2024-05-01T12:00:01Z"}
`
	file := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(file, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Records    int64            `json:"records"`
		Failed     int64            `json:"failed"`
		Partitions map[string]int64 `json:"partitions"`
	}
	out := cliOK(t, addr, "", "produce", "js", "--format", "json", "-f", file, "--json")
	if err := json.Unmarshal([]byte(out), &summary); err != nil {
		t.Fatalf("produce --json: %v\n%s", err, out)
	}
	if summary.Records != 3 || summary.Failed != 0 || summary.Partitions["2"] != 1 {
		t.Errorf("produce --json summary: %+v", summary)
	}

	recs := consumeJSON(t, addr, "js")
	slices.SortFunc(recs, func(a, b consumedRecord) int { return int(a.Partition - b.Partition) })
	if len(recs) != 3 {
		t.Fatalf("consumed %d records, want 3: %+v", len(recs), recs)
	}
	if recs[0].Value != `{"nested":[1,2]}` || recs[0].Key != nil {
		t.Errorf("partition 0: %+v", recs[0])
	}
	if recs[1].Value != "no key" || recs[1].Key != nil || recs[1].Timestamp != 1714564801000 {
		t.Errorf("partition 1: %+v", recs[1])
	}
	if *recs[2].Key != "a" || recs[2].Value != "first" || recs[2].Timestamp != 1714564800000 ||
		len(recs[2].Headers) != 2 || recs[2].Headers["h2"] != "y" {
		t.Errorf("partition 2: %+v", recs[2])
	}

	// What consume -f json prints, produce --format json reads back.
	echo := cliOK(t, addr, "", "consume", "js", "-f", "json", "-p", "2")
	cliOK(t, addr, echo, "produce", "js", "--format", "json")
	if again := consumeJSON(t, addr, "js", "-p", "2"); len(again) != 2 || again[1].Offset != 1 ||
		*again[1].Key != "a" || again[1].Headers["h1"] != "x" || again[1].Timestamp != 1714564800000 {
		t.Errorf("round trip through produce --format json: %+v", again)
	}
}

// Keyed records land where Kafka's default partitioner puts them, the
// same as franz-go (and the Java client) would.
func TestCLIProduceKeysLikeKafka(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	cliOK(t, addr, "", "topic", "create", "keyed", "-p", "4")
	var in strings.Builder
	for _, k := range []string{"alice", "bob", "carol", "dave", "erin", "alice"} {
		in.WriteString(k + " x\n")
	}
	cliOK(t, addr, in.String(), "produce", "keyed", "-k", " ")
	byKey := map[string]int32{}
	for _, r := range consumeJSON(t, addr, "keyed") {
		if p, seen := byKey[*r.Key]; seen && p != r.Partition {
			t.Errorf("key %s in partitions %d and %d", *r.Key, p, r.Partition)
		}
		byKey[*r.Key] = r.Partition
	}
	if len(byKey) != 5 {
		t.Fatalf("keys consumed: %v", byKey)
	}
	for k, p := range byKey {
		if want := kafkaPartition(k, 4); p != want {
			t.Errorf("key %s in partition %d, want %d", k, p, want)
		}
	}
}

func TestCLIProduceConsumeBadInput(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	cliOK(t, addr, "", "topic", "create", "t", "-p", "2")

	samsaCLI(t, addr, "x\n", "produce", "missing").wantFailure(t, 1, "UNKNOWN_TOPIC_OR_PARTITION")
	samsaCLI(t, addr, "", "consume", "missing").wantFailure(t, 1, "UNKNOWN_TOPIC_OR_PARTITION")
	samsaCLI(t, addr, "x\n", "produce", "t", "-p", "7").wantFailure(t, 1, "no partition 7")
	samsaCLI(t, addr, "", "consume", "t", "-p", "7").wantFailure(t, 1, "no partition 7")

	// A bad JSON line stops the input; the lines before it are produced,
	// and the exit code says something went wrong.
	r := samsaCLI(t, addr, "{\"value\":\"ok\"}\n{broken\n{\"value\":\"never\"}\n", "produce", "t", "--format", "json")
	r.wantFailure(t, 1, "stdin line 2")
	if !strings.Contains(r.stderr, "produced 1 record ") {
		t.Errorf("summary after a bad line: %q", r.stderr)
	}
	// A partition that does not exist, named in a JSON line, fails that
	// record: exit 1, the others delivered.
	r = samsaCLI(t, addr, "{\"value\":\"a\"}\n{\"value\":\"b\",\"partition\":9}\n", "produce", "t", "--format", "json")
	r.wantFailure(t, 1, "1 of 2 records failed")

	for _, args := range [][]string{
		{"consume", "t", "--offset", "soon"},
		{"consume", "t", "-f", "%q"},
		{"consume", "t", "--group", "g", "-p", "0"},
		{"produce", "t", "--acks", "most"},
		{"produce", "t", "--format", "xml"},
		{"produce"},
	} {
		samsaCLI(t, addr, "", args...).wantFailure(t, 2, "Usage:")
	}
}

// A partition that ends with transaction markers (and an aborted
// transaction) is still read to its end: consume exits instead of waiting
// for an offset no record will ever have.
func TestCLIConsumeTransactions(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	cliOK(t, addr, "", "topic", "create", "tx", "-p", "1")
	cl := newClient(t, addr, kgo.TransactionalID("cli-test"), kgo.DefaultProduceTopic("tx"))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, txn := range []struct {
		values []string
		commit kgo.TransactionEndTry
	}{{[]string{"c1", "c2"}, kgo.TryCommit}, {[]string{"aborted"}, kgo.TryAbort}} {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for _, v := range txn.values {
			if err := cl.ProduceSync(ctx, kgo.StringRecord(v)).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		if err := cl.EndTransaction(ctx, txn.commit); err != nil {
			t.Fatal(err)
		}
	}
	if got := cliOK(t, addr, "", "consume", "tx", "--isolation", "read_committed"); got != "c1\nc2\n" {
		t.Errorf("read_committed: %q", got)
	}
	if got := cliOK(t, addr, "", "consume", "tx"); got != "c1\nc2\naborted\n" {
		t.Errorf("read_uncommitted: %q", got)
	}
	if got := cliOK(t, addr, "", "consume", "tx", "-f", "%o ", "-o", "-3"); got != "3 " {
		t.Errorf("-o -3 over c2, marker, aborted, marker: %q, want the aborted record's offset", got)
	}
}
