package clients

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

var kafkaGoCodecs = []struct {
	name  string
	codec kafka.Compression
}{
	{"none", 0},
	{"gzip", kafka.Gzip},
	{"snappy", kafka.Snappy},
	{"lz4", kafka.Lz4},
	{"zstd", kafka.Zstd},
}

// kafka-go's Writer ignores Message.Partition and asks a Balancer, so each
// message carries its partition in a last header that the balancer reads.
const partitionHeader = "partition"

func withPartitionHeader(rs []rec) []rec {
	out := make([]rec, len(rs))
	for i, r := range rs {
		r.Headers = append(append([]hdr(nil), r.Headers...), hdr{partitionHeader, []byte(strconv.Itoa(int(r.Partition)))})
		out[i] = r
	}
	return out
}

// emptyIsNull folds empty keys, values and header values into null:
// kafka-go does not keep them apart.
func emptyIsNull(rs []rec) []rec {
	fold := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		return b
	}
	out := make([]rec, len(rs))
	for i, r := range rs {
		r.Key, r.Value = fold(r.Key), fold(r.Value)
		hs := make([]hdr, len(r.Headers))
		for j, h := range r.Headers {
			hs[j] = hdr{h.Key, fold(h.Value)}
		}
		r.Headers = hs
		out[i] = r
	}
	return out
}

var byPartitionHeader = kafka.BalancerFunc(func(m kafka.Message, partitions ...int) int {
	p, _ := strconv.Atoi(string(m.Headers[len(m.Headers)-1].Value))
	return p
})

func TestKafkaGoRoundTrip(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	const partitions = 4
	for i, c := range kafkaGoCodecs {
		t.Run(c.name, func(t *testing.T) {
			topic := "kafka-go-" + c.name
			createTopic(t, adm, topic, partitions, nil)
			want := withPartitionHeader(genRecords(200+uint64(i), 200, partitions, time.UnixMilli(1_700_000_000_000)))
			// A Transport per writer: the shared default one caches
			// metadata from before this topic existed.
			tr := &kafka.Transport{}
			defer tr.CloseIdleConnections()
			w := &kafka.Writer{
				Transport:    tr,
				Addr:         kafka.TCP(b.Addr()),
				Topic:        topic,
				Balancer:     byPartitionHeader,
				RequiredAcks: kafka.RequireAll,
				Compression:  c.codec,
				BatchSize:    25,
				BatchTimeout: 5 * time.Millisecond,
			}
			defer w.Close()
			msgs := make([]kafka.Message, len(want))
			for i, r := range want {
				msgs[i] = kafka.Message{Key: r.Key, Value: r.Value, Time: r.Timestamp}
				for _, h := range r.Headers {
					msgs[i].Headers = append(msgs[i].Headers, kafka.Header{Key: h.Key, Value: h.Value})
				}
			}
			if err := w.WriteMessages(testContext(t), msgs...); err != nil {
				t.Fatalf("WriteMessages: %v", err)
			}
			got := consumeKafkaGo(t, b.Addr(), topic, want)
			compareRecords(t, emptyIsNull(want), emptyIsNull(got))
			checkEndOffsets(t, adm, topic, want)
		})
	}
}

func consumeKafkaGo(t *testing.T, addr, topic string, want []rec) []rec {
	t.Helper()
	ctx := testContext(t)
	var got []rec
	for p, rs := range perPartition(want) {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers:   []string{addr},
			Topic:     topic,
			Partition: int(p),
			MinBytes:  1,
			MaxBytes:  1 << 20,
			MaxWait:   200 * time.Millisecond,
		})
		defer r.Close()
		if err := r.SetOffset(kafka.FirstOffset); err != nil {
			t.Fatalf("SetOffset: %v", err)
		}
		for range rs {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("partition %d: ReadMessage: %v", p, err)
			}
			g := rec{Partition: int32(m.Partition), Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Time}
			for _, h := range m.Headers {
				g.Headers = append(g.Headers, hdr{h.Key, h.Value})
			}
			got = append(got, g)
		}
	}
	return got
}

// TestKafkaGoConnOffsets uses kafka-go's Conn, which lists offsets with
// ListOffsets v1: first, last, and by timestamp.
func TestKafkaGoConnOffsets(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	const topic = "kafka-go-offsets"
	createTopic(t, adm, topic, 1, nil)
	base := time.UnixMilli(1_700_000_000_000)
	ctx := testContext(t)
	conn, err := kafka.DialLeader(ctx, "tcp", b.Addr(), topic, 0)
	if err != nil {
		t.Fatalf("DialLeader: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(testTimeout))

	first, last, err := conn.ReadOffsets()
	if err != nil || first != 0 || last != 0 {
		t.Errorf("empty partition: first %d last %d err %v, want 0 0", first, last, err)
	}
	// Ten records ten milliseconds apart, in three batches.
	var msgs []kafka.Message
	for i := range 10 {
		msgs = append(msgs, kafka.Message{Value: fmt.Appendf(nil, "m%d", i), Time: base.Add(time.Duration(10*i) * time.Millisecond)})
	}
	for _, part := range [][]kafka.Message{msgs[:3], msgs[3:4], msgs[4:]} {
		if _, err := conn.WriteMessages(part...); err != nil {
			t.Fatalf("WriteMessages: %v", err)
		}
	}
	first, last, err = conn.ReadOffsets()
	if err != nil || first != 0 || last != 10 {
		t.Errorf("first %d last %d err %v, want 0 10", first, last, err)
	}
	for _, c := range []struct {
		at   time.Duration
		want int64
	}{
		{-time.Hour, 0},
		{0, 0},
		{1 * time.Millisecond, 1},
		{25 * time.Millisecond, 3},
		{30 * time.Millisecond, 3},
		{31 * time.Millisecond, 4},
		{55 * time.Millisecond, 6},
		{90 * time.Millisecond, 9},
		{91 * time.Millisecond, -1}, // no such record: Kafka answers -1
	} {
		got, err := conn.ReadOffset(base.Add(c.at))
		if err != nil || got != c.want {
			t.Errorf("ReadOffset(base+%v) = %d, %v; want %d", c.at, got, err, c.want)
		}
	}
}
