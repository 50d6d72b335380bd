package clients

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/samsa-streaming/samsa/samsatest"
)

// codecs are the batch compression codecs every client test runs with.
var kgoCodecs = []struct {
	name  string
	codec kgo.CompressionCodec
}{
	{"none", kgo.NoCompression()},
	{"gzip", kgo.GzipCompression()},
	{"snappy", kgo.SnappyCompression()},
	{"lz4", kgo.Lz4Compression()},
	{"zstd", kgo.ZstdCompression()},
}

// kgoVersions pin the protocol versions kgo may use: the newest the broker
// offers, Kafka 2.1's (Produce v7, Fetch v10) and 0.11's (Produce v3, Fetch
// v5: the oldest the broker serves).
var kgoVersions = []struct {
	name     string
	versions *kversion.Versions
}{
	{"latest", nil},
	{"v2.1", kversion.V2_1_0()},
	{"v0.11", kversion.V0_11_0()},
}

// TestFranzRoundTrip produces with each codec and protocol version and
// consumes it all back: keys, values, headers, timestamps, partitions and
// dense offsets must come back exactly as produced.
func TestFranzRoundTrip(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	const partitions = 8
	for vi, v := range kgoVersions {
		for ci, c := range kgoCodecs {
			if c.name == "zstd" && v.name == "v0.11" {
				continue // zstd needs Produce v7
			}
			t.Run(v.name+"/"+c.name, func(t *testing.T) {
				topic := "franz-" + v.name + "-" + c.name
				createTopic(t, adm, topic, partitions, nil)
				var opts []kgo.Opt
				if v.versions != nil {
					opts = append(opts, kgo.MaxVersions(v.versions))
				}
				want := genRecords(uint64(10*vi+ci), 400, partitions, time.UnixMilli(1_700_000_000_000))
				// A short linger so that the records of a partition travel
				// in several batches of several records each.
				prod := newClient(t, b.Addr(), append(opts, kgo.ProducerBatchCompression(c.codec), kgo.ProducerLinger(5*time.Millisecond))...)
				produceKgo(t, prod, topic, want[:len(want)/2])
				produceKgo(t, prod, topic, want[len(want)/2:])
				got := consumeKgo(t, b.Addr(), topic, partitions, len(want), opts...)
				compareRecords(t, want, got)
				checkEndOffsets(t, adm, topic, want)
			})
		}
	}
}

// TestFranzReadFromMiddle consumes from an offset inside a compressed batch:
// the broker returns the whole batch and the client skips what precedes the
// offset, so the first record seen must be exactly the one asked for.
func TestFranzReadFromMiddle(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	topic := "middle"
	createTopic(t, adm, topic, 1, nil)
	want := genRecords(7, 100, 1, time.UnixMilli(1_700_000_000_000))
	produceKgo(t, newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.ZstdCompression())), topic, want)
	for _, start := range []int64{1, 37, 99} {
		t.Run(fmt.Sprint(start), func(t *testing.T) {
			cl := newClient(t, b.Addr(), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
				topic: {0: kgo.NewOffset().At(start)},
			}))
			var got []rec
			for _, kr := range pollRecords(t, cl, len(want)-int(start)) {
				got = append(got, fromKgo(kr))
			}
			compareRecords(t, want[start:], got)
		})
	}
}

// TestFranzAcks produces with each acks setting: acks=0 gets no response
// at all, yet the records must land like the others.
func TestFranzAcks(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	for _, c := range []struct {
		name string
		acks kgo.Acks
	}{
		{"none", kgo.NoAck()},
		{"leader", kgo.LeaderAck()},
		{"all", kgo.AllISRAcks()},
	} {
		t.Run(c.name, func(t *testing.T) {
			topic := "acks-" + c.name
			createTopic(t, adm, topic, 2, nil)
			want := genRecords(20, 100, 2, time.UnixMilli(1_700_000_000_000))
			cl := newClient(t, b.Addr(), kgo.RequiredAcks(c.acks))
			ctx := testContext(t)
			for _, r := range want {
				cl.Produce(ctx, toKgo(topic, r), func(_ *kgo.Record, err error) {
					if err != nil {
						t.Errorf("produce: %v", err)
					}
				})
			}
			if err := cl.Flush(ctx); err != nil {
				t.Fatalf("flush: %v", err)
			}
			compareRecords(t, want, consumeKgo(t, b.Addr(), topic, 2, len(want)))
		})
	}
}

// TestFranzMessageSize checks max.message.bytes, the broker's limit on a
// batch, as a broker property and as a topic override.
func TestFranzMessageSize(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t, samsatest.Config("message.max.bytes", "200000"))
	createTopic(t, adm, "size-default", 1, nil)
	createTopic(t, adm, "size-small", 1, map[string]*string{"max.message.bytes": kadm.StringPtr("10000")})
	createTopic(t, adm, "size-large", 1, map[string]*string{"max.message.bytes": kadm.StringPtr("3000000")})
	// The client's own limit is above every broker limit, so the broker decides.
	cl := newClient(t, b.Addr(), kgo.ProducerBatchMaxBytes(4<<20), kgo.ProducerBatchCompression(kgo.NoCompression()))
	for _, c := range []struct {
		topic string
		size  int
		want  error
	}{
		{"size-default", 150_000, nil},
		{"size-default", 250_000, kerr.MessageTooLarge},
		{"size-small", 5_000, nil},
		{"size-small", 20_000, kerr.MessageTooLarge},
		{"size-large", 2_500_000, nil},
	} {
		t.Run(fmt.Sprintf("%s/%d", c.topic, c.size), func(t *testing.T) {
			value := bytes.Repeat([]byte{'s'}, c.size)
			err := cl.ProduceSync(testContext(t), &kgo.Record{Topic: c.topic, Value: value}).FirstErr()
			if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
				t.Fatalf("produce: %v, want %v", err, c.want)
			}
			if c.want != nil {
				return
			}
			got := consumeKgo(t, b.Addr(), c.topic, 1, 1, kgo.FetchMaxPartitionBytes(1<<10))
			if !bytes.Equal(got[len(got)-1].Value, value) {
				t.Errorf("consumed %d bytes, want the %d produced", len(got[len(got)-1].Value), len(value))
			}
		})
	}
}

// TestFranzTail consumes while producing: the consumer waits at the end of
// the log (long-polling fetches) and must see every record, in order.
func TestFranzTail(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	const topic, partitions = "tail", 4
	createTopic(t, adm, topic, partitions, nil)
	want := genRecords(30, 1000, partitions, time.UnixMilli(1_700_000_000_000))
	offsets := map[int32]kgo.Offset{}
	for p := range int32(partitions) {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	cons := newClient(t, b.Addr(), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}))
	ctx := testContext(t)
	type polled struct {
		rs  []*kgo.Record
		err error
	}
	done := make(chan polled, 1)
	go func() {
		rs, err := poll(ctx, cons, len(want))
		done <- polled{rs, err}
	}()
	prod := newClient(t, b.Addr(), kgo.ProducerLinger(0))
	for i := 0; i < len(want); i += 50 {
		produceKgo(t, prod, topic, want[i:i+50])
	}
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	var got []rec
	for _, kr := range res.rs {
		got = append(got, fromKgo(kr))
	}
	compareRecords(t, want, got)
}
