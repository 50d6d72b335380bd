//go:build unix

package process

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kcat (librdkafka 2.x underneath) is what operators reach for first. Its
// consumer here uses -p, the simple consumer: no group, no coordinator.

const kcatTimeout = 30 * time.Second

// kcatConsume reads one partition from the beginning to its end with
// CRC checks on and prints each message as format.
func kcatConsume(t *testing.T, kcat, addr, topic string, p int, format string) []string {
	t.Helper()
	out := run(t, kcatTimeout, "", kcat, "-C", "-b", addr, "-t", topic, "-p", strconv.Itoa(p),
		"-o", "beginning", "-e", "-Z", "-q", "-X", "check.crcs=true", "-f", format)
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

func TestKcatKeysHeadersOffsets(t *testing.T) {
	t.Parallel()
	kcat := kcatPath(t)
	// num.partitions through --override: kcat's producer auto-creates the
	// topic, so this also checks the override reached the broker.
	b := startBroker(t, withOverride("num.partitions=3"))
	const topic = "kcat-keyed"
	const perPartition = 7
	// With -Z an empty key or value is sent as null and printed as NULL.
	line := func(p, i int) (in, key, value string) {
		switch i {
		case 4:
			return fmt.Sprintf("nullvalue-%d:", p), fmt.Sprintf("nullvalue-%d", p), "NULL"
		case 5:
			return fmt.Sprintf(":nullkey-%d", p), "NULL", fmt.Sprintf("nullkey-%d", p)
		}
		v := fmt.Sprintf("value %d-%d with spaces, colons: and=equals", p, i)
		return fmt.Sprintf("key-%d-%d:%s", p, i, v), fmt.Sprintf("key-%d-%d", p, i), v
	}
	for p := range 3 {
		var in strings.Builder
		for i := range perPartition {
			l, _, _ := line(p, i)
			in.WriteString(l + "\n")
		}
		before := time.Now().UnixMilli()
		run(t, kcatTimeout, in.String(), kcat, "-P", "-b", b.Addr(), "-t", topic, "-p", strconv.Itoa(p),
			"-K:", "-Z", "-H", "source=kcat", "-H", fmt.Sprintf("part=p%d", p), "-H", "dup=1", "-H", "dup=2")
		after := time.Now().UnixMilli()

		got := kcatConsume(t, kcat, b.Addr(), topic, p, "%p|%o|%k|%s|%h|%T\n")
		if len(got) != perPartition {
			t.Fatalf("partition %d: consumed %d messages, want %d:\n%s", p, len(got), perPartition, strings.Join(got, "\n"))
		}
		for i, l := range got {
			_, key, value := line(p, i)
			// Duplicate header keys are legal and keep their order.
			want := fmt.Sprintf("%d|%d|%s|%s|source=kcat,part=p%d,dup=1,dup=2|", p, i, key, value, p)
			prefix, ts, ok := cutLast(l, "|")
			if !ok || prefix+"|" != want {
				t.Errorf("partition %d message %d:\n got %q\nwant %q + timestamp", p, i, l, want)
				continue
			}
			// CreateTime is the producer's clock, kept as sent.
			if ms, err := strconv.ParseInt(ts, 10, 64); err != nil || ms < before-1 || ms > after+1 {
				t.Errorf("partition %d message %d: timestamp %q outside the produce window [%d, %d]", p, i, ts, before, after)
			}
		}
	}
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// kcatMetadata is the part of `kcat -L -J` this test reads.
type kcatMetadata struct {
	Brokers []struct {
		ID   int32  `json:"id"`
		Name string `json:"name"`
	} `json:"brokers"`
	Topics []struct {
		Topic      string `json:"topic"`
		Error      string `json:"error"`
		Partitions []struct {
			Partition int32  `json:"partition"`
			Leader    int32  `json:"leader"`
			Error     string `json:"error"`
			Replicas  []struct {
				ID int32 `json:"id"`
			} `json:"replicas"`
			ISRs []struct {
				ID int32 `json:"id"`
			} `json:"isrs"`
		} `json:"partitions"`
	} `json:"topics"`
}

func TestKcatMetadata(t *testing.T) {
	t.Parallel()
	kcat := kcatPath(t)
	b := startBroker(t)
	cl := newClient(t, b.Addr())
	want := map[string]int{"meta-three": 3, "meta-one": 1, "meta-eight": 8}
	for topic, n := range want {
		createTopic(t, cl, topic, int32(n))
	}

	out := run(t, kcatTimeout, "", kcat, "-L", "-J", "-b", b.Addr())
	var md kcatMetadata
	if err := json.Unmarshal([]byte(out), &md); err != nil {
		t.Fatalf("kcat -L -J: %v\n%s", err, out)
	}
	if len(md.Brokers) != 1 || md.Brokers[0].Name != b.Addr() {
		t.Fatalf("brokers = %+v, want one named %s", md.Brokers, b.Addr())
	}
	node := md.Brokers[0].ID
	got := make(map[string]int)
	for _, tp := range md.Topics {
		if tp.Error != "" {
			t.Errorf("topic %s: error %s", tp.Topic, tp.Error)
		}
		var ids []int32
		for _, p := range tp.Partitions {
			ids = append(ids, p.Partition)
			if p.Error != "" || p.Leader != node || len(p.Replicas) != 1 || p.Replicas[0].ID != node ||
				len(p.ISRs) != 1 || p.ISRs[0].ID != node {
				t.Errorf("topic %s partition %d: %+v, want leader, replicas and ISR = [%d] and no error", tp.Topic, p.Partition, p, node)
			}
		}
		slices.Sort(ids)
		for i, id := range ids {
			if id != int32(i) {
				t.Errorf("topic %s: partitions %v, want 0..%d", tp.Topic, ids, len(ids)-1)
				break
			}
		}
		got[tp.Topic] = len(tp.Partitions)
	}
	for topic, n := range want {
		if got[topic] != n {
			t.Errorf("topic %s: %d partitions listed, want %d (all topics: %v)", topic, got[topic], n, got)
		}
	}

	// The plain listing of one topic is what people read.
	out = run(t, kcatTimeout, "", kcat, "-L", "-b", b.Addr(), "-t", "meta-three")
	for _, line := range []string{`topic "meta-three" with 3 partitions:`, "partition 0, leader", "partition 2, leader"} {
		if !strings.Contains(out, line) {
			t.Errorf("kcat -L -t meta-three: no %q in\n%s", line, out)
		}
	}
}

// codecs are Kafka's compression codecs by name and attributes bits.
var codecs = []struct {
	name string
	id   int16
}{{"none", 0}, {"gzip", 1}, {"snappy", 2}, {"lz4", 3}, {"zstd", 4}}

func TestKcatCompression(t *testing.T) {
	t.Parallel()
	kcat := kcatPath(t)
	b := startBroker(t)
	cl := newClient(t, b.Addr())
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			topic := "kcat-" + c.name
			createTopic(t, cl, topic, 1)
			var in strings.Builder
			var want []string
			for i := range 300 {
				// Repetitive, so every codec shrinks it and librdkafka
				// keeps the compressed batch.
				v := fmt.Sprintf("%04d %s", i, strings.Repeat(string(rune('a'+i%26)), 20+i%50))
				in.WriteString(v + "\n")
				want = append(want, fmt.Sprintf("%d %s", i, v))
			}
			// linger.ms gathers the messages into a few large batches;
			// -d msg makes librdkafka say when it declines to compress.
			_, stderr, err := tryRun(kcatTimeout, in.String(), kcat, "-P", "-b", b.Addr(), "-t", topic, "-p", "0",
				"-X", "compression.codec="+c.name, "-X", "linger.ms=100", "-d", "msg")
			if err != nil {
				t.Fatalf("kcat -P: %v\n%s", err, stderr)
			}
			got := kcatConsume(t, kcat, b.Addr(), topic, 0, "%o %s\n")
			if !slices.Equal(got, want) {
				t.Fatalf("read back %d messages, want %d; first difference: %s", len(got), len(want), firstDiff(got, want))
			}
			// librdkafka enables gzip, snappy and lz4 only when the broker
			// advertises FindCoordinator (its proxy for "Kafka >= 0.8.2"),
			// which Samsa will do once consumer groups exist. Until then
			// it sends those uncompressed, and there is no codec to check.
			if strings.Contains(stderr, "Broker does not support compression type") {
				t.Logf("librdkafka sent %s uncompressed: the broker does not advertise the API it gates %s on (FindCoordinator for gzip, snappy, lz4)", c.name, c.name)
				return
			}
			checkCodecs(t, checkBatches(t, cl, topic, []int64{int64(len(want))}), c.id)
		})
	}
}

// checkCodecs checks that the broker stored batches as sent: compressed
// with the producer's codec, or uncompressed where librdkafka found that
// compressing did not make the batch smaller (a small first batch, say).
// At least one batch must carry the codec.
func checkCodecs(t *testing.T, attrs [][]int16, id int16) {
	t.Helper()
	used := false
	for p, as := range attrs {
		for i, a := range as {
			switch a & 7 {
			case id:
				used = true
			case 0:
			default:
				t.Errorf("p%d batch %d: codec bits %d, want %d or 0", p, i, a&7, id)
			}
		}
	}
	if !used {
		t.Errorf("no batch stored with codec %d: %v", id, attrs)
	}
}

func codecID(name string) int16 {
	for _, c := range codecs {
		if c.name == name {
			return c.id
		}
	}
	panic("unknown codec " + name)
}

// firstDiff describes where two line lists first differ.
func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("line %d: got %q, want %q", i, g, w)
		}
	}
	return "none"
}
