//go:build unix

package process

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The Python scripts in testdata drive two more clients: librdkafka through
// confluent-kafka-python and the pure-Python kafka-python. Go generates the
// messages, the script produces and consumes them and prints JSON lines,
// and Go checks every key, value, header and offset.

const pythonTimeout = 60 * time.Second

// pyClient describes one Python client and what it can express.
type pyClient struct {
	name, script, module, aptPkg string
	// codecs it is asked to produce with; kafka-python needs a module
	// for each beyond gzip, checked at run time.
	codecs []string
	// compresses lists the codecs the client really uses against Samsa
	// today: librdkafka sends gzip, snappy and lz4 uncompressed while the
	// broker does not advertise FindCoordinator (see TestKcatCompression).
	compresses []string
	// nullKeyAndValue: kafka-python refuses a record with neither.
	nullKeyAndValue bool
	// nullHeaderValue: kafka-python only takes bytes header values.
	nullHeaderValue bool
	// createTime is the client's constant for the CreateTime type.
	createTime int
	// unknownTopic is the client's name for UNKNOWN_TOPIC_OR_PARTITION.
	unknownTopic string
}

var pyClients = []pyClient{
	{
		name: "confluent-kafka", script: "confluent_client.py", module: "confluent_kafka", aptPkg: "python3-confluent-kafka",
		codecs:          []string{"none", "gzip", "snappy", "lz4", "zstd"},
		compresses:      []string{"none", "zstd"},
		nullKeyAndValue: true, nullHeaderValue: true, createTime: 1, unknownTopic: "UNKNOWN_TOPIC_OR_PART",
	},
	{
		name: "kafka-python", script: "kafkapython_client.py", module: "kafka", aptPkg: "python3-kafka",
		codecs:     []string{"none", "gzip", "snappy", "lz4", "zstd"},
		compresses: []string{"none", "gzip", "snappy", "lz4", "zstd"},
		createTime: 0, unknownTopic: "UNKNOWN_TOPIC_OR_PARTITION",
	},
}

// pyMessage is a message as the scripts read and print it. Header entries
// are [name, value] with a null value allowed.
type pyMessage struct {
	Partition int32        `json:"partition"`
	Key       *string      `json:"key"`
	Value     *string      `json:"value"`
	Headers   [][2]*string `json:"headers"`
}

// pyEvent is any line a script prints.
type pyEvent struct {
	pyMessage
	Event string `json:"event"`
	Op    string `json:"op"`

	Index         int     `json:"index"`
	Offset        int64   `json:"offset"`
	Error         *string `json:"error"`
	Remaining     int     `json:"remaining"`
	TimestampType int     `json:"timestamp_type"`
	Timestamp     int64   `json:"timestamp"`
	Count         int     `json:"count"`
	Line          string  `json:"line"`
	Code          string  `json:"code"`

	Topic  string            `json:"topic"`
	Topics map[string]int    `json:"topics"`
	Errors map[string]string `json:"errors"`
}

// runPython runs a testdata script and parses its JSON lines.
func runPython(t *testing.T, script, stdin string, args ...string) []pyEvent {
	t.Helper()
	args = append([]string{filepath.Join("testdata", script)}, args...)
	out := run(t, pythonTimeout, stdin, pythonPath, args...)
	var events []pyEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e pyEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: bad output line %q: %v", script, sc.Text(), err)
		}
		events = append(events, e)
	}
	return events
}

func strp(s string) *string { return &s }

// genMessages makes n messages over parts partitions with null keys, null
// values, repeated header names, empty and (where the client allows) null
// header values, and messages without headers.
func genMessages(c pyClient, n, parts int) []pyMessage {
	msgs := make([]pyMessage, n)
	for i := range msgs {
		m := pyMessage{Partition: int32(i % parts)}
		if i%7 != 3 {
			m.Key = strp(fmt.Sprintf("key-%d", i))
		}
		if i%5 != 4 {
			m.Value = strp(fmt.Sprintf("value-%d ✓ %s", i, strings.Repeat("xyz", i%40)))
		}
		if m.Key == nil && m.Value == nil && !c.nullKeyAndValue {
			m.Key = strp(fmt.Sprintf("key-%d", i))
		}
		if i%6 != 5 {
			m.Headers = [][2]*string{{strp("idx"), strp(strconv.Itoa(i))}, {strp("dup"), strp("a")}, {strp("dup"), strp("b")}, {strp("empty"), strp("")}}
			if i%4 == 0 && c.nullHeaderValue {
				m.Headers = append(m.Headers, [2]*string{strp("null"), nil})
			}
		}
		msgs[i] = m
	}
	return msgs
}

func (m pyMessage) String() string {
	s := func(p *string) string {
		if p == nil {
			return "null"
		}
		return strconv.Quote(*p)
	}
	var h []string
	for _, kv := range m.Headers {
		h = append(h, s(kv[0])+"="+s(kv[1]))
	}
	return fmt.Sprintf("p%d key=%s value=%s headers=[%s]", m.Partition, s(m.Key), s(m.Value), strings.Join(h, " "))
}

// expectedOffsets gives each message its offset in a fresh topic: the
// count of earlier messages to the same partition.
func expectedOffsets(msgs []pyMessage) []int64 {
	next := make(map[int32]int64)
	offsets := make([]int64, len(msgs))
	for i, m := range msgs {
		offsets[i] = next[m.Partition]
		next[m.Partition]++
	}
	return offsets
}

// partitionEnds is the end offset of each of parts partitions after msgs.
func partitionEnds(msgs []pyMessage, parts int) []int64 {
	ends := make([]int64, parts)
	for _, m := range msgs {
		ends[m.Partition]++
	}
	return ends
}

func TestPythonClients(t *testing.T) {
	t.Parallel()
	for _, c := range pyClients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			requirePythonModule(t, c.module, c.aptPkg)
			b := startBroker(t)
			cl := newClient(t, b.Addr())
			for _, codec := range c.codecs {
				t.Run("produce-consume-"+codec, func(t *testing.T) {
					if !pyCodecAvailable(t, c, codec) {
						missingClient(t, c.name+" "+codec+" codec module", "python3-snappy python3-lz4 python3-zstandard")
					}
					testPythonRoundTrip(t, c, b, cl, codec)
				})
			}
			t.Run("admin", func(t *testing.T) { testPythonAdmin(t, c, b) })
		})
	}
}

// pyCodecAvailable reports whether the client can use codec. kafka-python
// needs extra modules for snappy, lz4 and zstd (python3-snappy,
// python3-lz4, python3-zstandard): .ci/run installs them, and without them
// the codec's test fails in CI and skips elsewhere.
func pyCodecAvailable(t *testing.T, c pyClient, codec string) bool {
	t.Helper()
	if c.module != "kafka" || codec == "none" || codec == "gzip" {
		return true
	}
	var avail map[string]bool
	out := run(t, pythonTimeout, "", pythonPath, filepath.Join("testdata", c.script), "codecs")
	if err := json.Unmarshal([]byte(out), &avail); err != nil {
		t.Fatalf("codecs: %v: %q", err, out)
	}
	return avail[codec]
}

func testPythonRoundTrip(t *testing.T, c pyClient, b *broker, cl *kgo.Client, codec string) {
	const parts, n = 3, 90
	topic := "py-" + c.module + "-" + codec
	createTopic(t, cl, topic, parts)
	msgs := genMessages(c, n, parts)
	var in strings.Builder
	for _, m := range msgs {
		line, _ := json.Marshal(m)
		in.Write(append(line, '\n'))
	}
	before := time.Now().UnixMilli()
	produced := runPython(t, c.script, in.String(), "produce", b.Addr(), topic, codec)
	after := time.Now().UnixMilli()
	want := expectedOffsets(msgs)
	checkDelivered(t, msgs, want, produced)

	consumed := runPython(t, c.script, "", "consume", b.Addr(), topic, strconv.Itoa(parts), strconv.Itoa(n))
	checkConsumed(t, c, msgs, want, consumed, before, after)

	// Stored as sent: the batches keep the producer's codec.
	ends := partitionEnds(msgs, parts)
	if slices.Contains(c.compresses, codec) {
		checkCodecs(t, checkBatches(t, cl, topic, ends), codecID(codec))
	}

	// The same bytes through a third client, which also checks CRCs.
	records := consumeAll(t, b.Addr(), topic, ends)
	for i, m := range msgs {
		rs := records[m.Partition]
		if want[i] >= int64(len(rs)) {
			t.Fatalf("franz-go: p%d has %d records, want offset %d", m.Partition, len(rs), want[i])
		}
		if g := recordMessage(rs[want[i]]); g.String() != m.String() {
			t.Errorf("franz-go p%d@%d:\n got %v\nwant %v", m.Partition, want[i], g, m)
		}
	}
}

// checkConsumed requires each message once at its offset, as produced,
// with its CreateTime from the produce window [before, after].
func checkConsumed(t *testing.T, c pyClient, msgs []pyMessage, want []int64, events []pyEvent, before, after int64) {
	t.Helper()
	got := make(map[[2]int64]pyEvent)
	for _, e := range events {
		switch e.Event {
		case "client_error":
			t.Errorf("consumer error callback: %s %s", e.Code, *e.Error)
		case "log":
			// librdkafka with a group.id but only assign() still runs
			// its coordinator state machine; it finds no broker offering
			// FindCoordinator and sends nothing. Logged, not failed.
			t.Logf("librdkafka group log: %s", e.Line)
		case "message":
			k := [2]int64{int64(e.Partition), e.Offset}
			if _, dup := got[k]; dup {
				t.Errorf("partition %d offset %d consumed twice", e.Partition, e.Offset)
			}
			got[k] = e
			if e.TimestampType != c.createTime || e.Timestamp < before-1 || e.Timestamp > after+1 {
				t.Errorf("p%d@%d: timestamp type %d at %d, want CreateTime (%d) in [%d, %d]",
					e.Partition, e.Offset, e.TimestampType, e.Timestamp, c.createTime, before, after)
			}
		}
	}
	if len(got) != len(msgs) {
		t.Errorf("consumed %d distinct messages, want %d", len(got), len(msgs))
	}
	for i, m := range msgs {
		e, ok := got[[2]int64{int64(m.Partition), want[i]}]
		if !ok {
			t.Errorf("message %d (p%d@%d) not consumed", i, m.Partition, want[i])
		} else if e.pyMessage.String() != m.String() {
			t.Errorf("p%d@%d:\n got %v\nwant %v", m.Partition, want[i], e.pyMessage, m)
		}
	}
}

// checkDelivered requires a successful delivery report for every message,
// at the offset a fresh partition gives it.
func checkDelivered(t *testing.T, msgs []pyMessage, want []int64, events []pyEvent) {
	t.Helper()
	seen := make([]bool, len(msgs))
	for _, e := range events {
		switch e.Event {
		case "client_error":
			t.Errorf("producer error callback: %s %s", e.Code, *e.Error)
		case "flushed":
			if e.Remaining != 0 {
				t.Errorf("flush left %d messages undelivered", e.Remaining)
			}
		case "delivered":
			if e.Index < 0 || e.Index >= len(msgs) || seen[e.Index] {
				t.Errorf("delivery report for message %d: unknown or repeated", e.Index)
				continue
			}
			seen[e.Index] = true
			m := msgs[e.Index]
			if e.Error != nil {
				t.Errorf("message %d: delivery failed: %s", e.Index, *e.Error)
			} else if e.Partition != m.Partition || e.Offset != want[e.Index] {
				t.Errorf("message %d: delivered to p%d@%d, want p%d@%d", e.Index, e.Partition, e.Offset, m.Partition, want[e.Index])
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Errorf("message %d: no delivery report", i)
		}
	}
}

// recordMessage converts a franz-go record for comparison.
func recordMessage(r *kgo.Record) pyMessage {
	opt := func(b []byte) *string {
		if b == nil {
			return nil
		}
		return strp(string(b))
	}
	m := pyMessage{Partition: r.Partition, Key: opt(r.Key), Value: opt(r.Value)}
	for _, h := range r.Headers {
		m.Headers = append(m.Headers, [2]*string{strp(h.Key), opt(h.Value)})
	}
	return m
}

func testPythonAdmin(t *testing.T, c pyClient, b *broker) {
	type step struct {
		op   map[string]any
		want string // error name, "" for none
	}
	steps := []step{
		{map[string]any{"op": "create", "topic": "adm-three", "partitions": 3}, ""},
		{map[string]any{"op": "create", "topic": "adm-one", "partitions": 1}, ""},
		{map[string]any{"op": "create", "topic": "adm-three", "partitions": 3}, "TOPIC_ALREADY_EXISTS"},
		// validate_only checks and answers but creates nothing.
		{map[string]any{"op": "create", "topic": "adm-validated", "partitions": 2, "validate_only": true}, ""},
		// One broker cannot hold three replicas.
		{map[string]any{"op": "create", "topic": "adm-rf3", "partitions": 1, "replication": 3}, "INVALID_REPLICATION_FACTOR"},
		{map[string]any{"op": "list"}, ""},
		{map[string]any{"op": "delete", "topic": "adm-three"}, ""},
		{map[string]any{"op": "delete", "topic": "adm-three"}, c.unknownTopic},
		{map[string]any{"op": "list"}, ""},
	}
	var in strings.Builder
	for _, s := range steps {
		line, _ := json.Marshal(s.op)
		in.Write(append(line, '\n'))
	}
	events := runPython(t, c.script, in.String(), "admin", b.Addr())
	var results []pyEvent
	for _, e := range events {
		if e.Event == "client_error" {
			t.Logf("admin client error callback: %s %s", e.Code, *e.Error)
			continue
		}
		results = append(results, e)
	}
	if len(results) != len(steps) {
		t.Fatalf("admin: %d results for %d operations: %+v", len(results), len(steps), results)
	}
	lists := [][]string{{"adm-one", "adm-three"}, {"adm-one"}}
	for i, s := range steps {
		r := results[i]
		if r.Op == "list" {
			var names []string
			for name, n := range r.Topics {
				if !strings.HasPrefix(name, "adm-") {
					continue // the round-trip subtests' topics
				}
				names = append(names, name)
				if want := map[string]int{"adm-one": 1, "adm-three": 3}[name]; n != want {
					t.Errorf("step %d list: %s has %d partitions, want %d", i, name, n, want)
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, lists[0]) {
				t.Errorf("step %d list: topics %v, want %v", i, names, lists[0])
			}
			lists = lists[1:]
			continue
		}
		got := ""
		if r.Error != nil {
			got = *r.Error
		}
		if got != s.want {
			t.Errorf("step %d %v: error %q, want %q", i, s.op, got, s.want)
		}
	}
}
