package clients

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa"
	"github.com/samsa-streaming/samsa/samsatest"
)

// testTimeout bounds each test's client calls, so that a broker that stops
// answering fails the test instead of hanging the package.
const testTimeout = 45 * time.Second

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// rec is one record as every client sees it, so the tests can compare what
// one client produced with what another consumed.
type rec struct {
	Partition int32
	Offset    int64
	Key       []byte // nil = null key
	Value     []byte // nil = null value (tombstone)
	Headers   []hdr
	Timestamp time.Time
}

type hdr struct {
	Key   string
	Value []byte // nil = null header value
}

// genRecords makes n records spread unevenly over partitions, covering
// null and empty keys and values, headers (none, duplicates, null and empty
// values, empty key), compressible and incompressible values, and explicit
// millisecond timestamps. Offsets are the dense per-partition offsets Kafka
// must assign when the records are produced in order.
func genRecords(seed uint64, n int, partitions int32, base time.Time) []rec {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	next := make([]int64, partitions)
	out := make([]rec, n)
	for i := range out {
		r := &out[i]
		r.Partition = rng.Int32N(partitions)
		if i < int(partitions) {
			r.Partition = int32(i) // every partition gets at least one
		}
		r.Offset = next[r.Partition]
		next[r.Partition]++
		r.Timestamp = base.Add(time.Duration(i) * time.Millisecond).Truncate(time.Millisecond)
		switch i % 6 {
		case 0:
			r.Key = nil
		case 1:
			r.Key = []byte{}
		default:
			r.Key = fmt.Appendf(nil, "key-%d", i)
		}
		switch i % 7 {
		case 0:
			r.Value = nil
		case 1:
			r.Value = []byte{}
		case 2: // incompressible
			r.Value = make([]byte, 200+rng.IntN(800))
			for j := range r.Value {
				r.Value[j] = byte(rng.Uint32())
			}
		default: // compressible
			r.Value = []byte(strings.Repeat(fmt.Sprintf("value %d of samsa; ", i), 1+rng.IntN(150)))
		}
		switch i % 5 {
		case 0:
		case 1:
			r.Headers = []hdr{{"h", []byte("v")}}
		case 2:
			r.Headers = []hdr{{"dup", []byte("1")}, {"dup", []byte("2")}, {"null", nil}, {"empty", []byte{}}}
		case 3:
			r.Headers = []hdr{{"", []byte("empty key")}, {"bin", []byte{0, 1, 2, 255}}}
		case 4:
			r.Headers = []hdr{{"trace-id", fmt.Appendf(nil, "%016x", rng.Uint64())}}
		}
	}
	return out
}

// perPartition groups records by partition, keeping their order.
func perPartition(rs []rec) map[int32][]rec {
	m := make(map[int32][]rec)
	for _, r := range rs {
		m[r.Partition] = append(m[r.Partition], r)
	}
	return m
}

// sameBytes tells null from empty, which Kafka preserves.
func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func diffRec(want, got rec) string {
	var d []string
	if want.Partition != got.Partition || want.Offset != got.Offset {
		d = append(d, fmt.Sprintf("position %d/%d, want %d/%d", got.Partition, got.Offset, want.Partition, want.Offset))
	}
	if !sameBytes(want.Key, got.Key) {
		d = append(d, fmt.Sprintf("key %s, want %s", show(got.Key), show(want.Key)))
	}
	if !sameBytes(want.Value, got.Value) {
		d = append(d, fmt.Sprintf("value %s, want %s", show(got.Value), show(want.Value)))
	}
	if !want.Timestamp.IsZero() && !want.Timestamp.Equal(got.Timestamp) {
		d = append(d, fmt.Sprintf("timestamp %v, want %v", got.Timestamp.UnixMilli(), want.Timestamp.UnixMilli()))
	}
	if len(want.Headers) != len(got.Headers) {
		d = append(d, fmt.Sprintf("%d headers %v, want %d %v", len(got.Headers), got.Headers, len(want.Headers), want.Headers))
	} else {
		for i := range want.Headers {
			if want.Headers[i].Key != got.Headers[i].Key || !sameBytes(want.Headers[i].Value, got.Headers[i].Value) {
				d = append(d, fmt.Sprintf("header %d %q=%s, want %q=%s", i,
					got.Headers[i].Key, show(got.Headers[i].Value), want.Headers[i].Key, show(want.Headers[i].Value)))
			}
		}
	}
	return strings.Join(d, "; ")
}

func show(b []byte) string {
	if b == nil {
		return "null"
	}
	if len(b) > 24 {
		return fmt.Sprintf("%q...(%d bytes)", b[:24], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// compareRecords checks that got holds exactly want: the same records, in
// the same order within each partition, at the expected offsets.
func compareRecords(t *testing.T, want, got []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("consumed %d records, want %d", len(got), len(want))
	}
	wp, gp := perPartition(want), perPartition(got)
	for p, ws := range wp {
		gs := gp[p]
		if len(gs) != len(ws) {
			t.Errorf("partition %d: %d records, want %d", p, len(gs), len(ws))
		}
		bad := 0
		for i := range min(len(gs), len(ws)) {
			if d := diffRec(ws[i], gs[i]); d != "" {
				t.Errorf("partition %d record %d: %s", p, i, d)
				if bad++; bad == 5 {
					t.Errorf("partition %d: giving up after %d differences", p, bad)
					break
				}
			}
		}
	}
	for p := range gp {
		if _, ok := wp[p]; !ok {
			t.Errorf("records consumed from partition %d, which had none produced", p)
		}
	}
}

// --- franz-go helpers ---------------------------------------------------

// newClient is a kgo client for a broker without idempotence or groups:
// manual partitioning, one produce request in flight (so a retry cannot
// reorder a partition) and a short fetch wait.
func newClient(t *testing.T, addr string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	base := []kgo.Opt{
		kgo.SeedBrokers(addr),
		kgo.DisableIdempotentWrite(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.MaxProduceRequestsInflightPerBroker(1),
		kgo.FetchMaxWait(200 * time.Millisecond),
		kgo.RetryTimeout(15 * time.Second),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func newAdmin(t *testing.T, addr string) *kadm.Client {
	t.Helper()
	return kadm.NewClient(newClient(t, addr))
}

// startBroker starts a broker and returns it with an admin client on it.
func startBroker(t *testing.T, opts ...samsatest.Option) (*samsa.Broker, *kadm.Client) {
	t.Helper()
	b := samsatest.Start(t, opts...)
	return b, newAdmin(t, b.Addr())
}

func createTopic(t *testing.T, adm *kadm.Client, topic string, partitions int32, configs map[string]*string) kadm.TopicID {
	t.Helper()
	resp, err := adm.CreateTopic(testContext(t), partitions, 1, configs, topic)
	if err != nil {
		t.Fatalf("creating topic %q: %v (%s)", topic, err, resp.ErrMessage)
	}
	return resp.ID
}

func toKgo(topic string, r rec) *kgo.Record {
	kr := &kgo.Record{Topic: topic, Partition: r.Partition, Key: r.Key, Value: r.Value, Timestamp: r.Timestamp}
	for _, h := range r.Headers {
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
	}
	return kr
}

func fromKgo(kr *kgo.Record) rec {
	r := rec{Partition: kr.Partition, Offset: kr.Offset, Key: kr.Key, Value: kr.Value, Timestamp: kr.Timestamp}
	for _, h := range kr.Headers {
		r.Headers = append(r.Headers, hdr{h.Key, h.Value})
	}
	return r
}

// produceKgo produces rs in order and checks the offsets the broker
// assigned against the ones genRecords expects.
func produceKgo(t *testing.T, cl *kgo.Client, topic string, rs []rec) {
	t.Helper()
	krs := make([]*kgo.Record, len(rs))
	for i, r := range rs {
		krs[i] = toKgo(topic, r)
	}
	if err := cl.ProduceSync(testContext(t), krs...).FirstErr(); err != nil {
		t.Fatalf("producing to %q: %v", topic, err)
	}
	for i, kr := range krs {
		if kr.Offset != rs[i].Offset || kr.Partition != rs[i].Partition {
			t.Fatalf("record %d produced at %d/%d, want %d/%d", i, kr.Partition, kr.Offset, rs[i].Partition, rs[i].Offset)
		}
	}
}

// consumeKgo reads n records from the start of every partition of topic.
func consumeKgo(t *testing.T, addr, topic string, partitions int32, n int, opts ...kgo.Opt) []rec {
	t.Helper()
	offsets := make(map[int32]kgo.Offset)
	for p := range partitions {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}))
	var out []rec
	for _, kr := range pollRecords(t, newClient(t, addr, opts...), n) {
		out = append(out, fromKgo(kr))
	}
	return out
}

// pollRecords polls a consuming client until it has n records.
func pollRecords(t *testing.T, cl *kgo.Client, n int) []*kgo.Record {
	t.Helper()
	rs, err := poll(testContext(t), cl, n)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// poll is pollRecords for goroutines other than the test's.
func poll(ctx context.Context, cl *kgo.Client, n int) ([]*kgo.Record, error) {
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("consumed %d of %d records: %w", len(out), n, err)
		}
		if err := fs.Err(); err != nil {
			return out, fmt.Errorf("fetch: %w", err)
		}
		out = append(out, fs.Records()...)
	}
	return out, nil
}

// checkEndOffsets asserts each partition's high watermark: together with a
// consumed count it shows nothing extra was stored.
func checkEndOffsets(t *testing.T, adm *kadm.Client, topic string, want []rec) {
	t.Helper()
	ends, err := adm.ListEndOffsets(testContext(t), topic)
	if err != nil {
		t.Fatalf("ListEndOffsets: %v", err)
	}
	counts := make(map[int32]int64)
	for _, r := range want {
		counts[r.Partition]++
	}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Errorf("end offset of %s/%d: %v", o.Topic, o.Partition, o.Err)
		} else if o.Offset != counts[o.Partition] {
			t.Errorf("end offset of %s/%d = %d, want %d", o.Topic, o.Partition, o.Offset, counts[o.Partition])
		}
	})
}

// request sends a raw request straight to the broker (bypassing kgo's
// sharding and retries, so the broker's own answer comes back) and fails
// the test on a transport error.
func request[R kmsg.Response](t *testing.T, ctx context.Context, cl *kgo.Client, req kmsg.Request) R {
	t.Helper()
	resp, err := cl.SeedBrokers()[0].Request(ctx, req)
	if err != nil {
		t.Fatalf("%s request: %v", kmsg.NameForKey(req.Key()), err)
	}
	return resp.(R)
}

// supportsAPI reports whether the broker advertises an API key.
func supportsAPI(t *testing.T, addr string, key int16) bool {
	t.Helper()
	resp := request[*kmsg.ApiVersionsResponse](t, testContext(t), newClient(t, addr), kmsg.NewPtrApiVersionsRequest())
	for _, k := range resp.ApiKeys {
		if k.ApiKey == key {
			return true
		}
	}
	return false
}

// --- raw record batches --------------------------------------------------

// batchesOf splits fetched bytes into whole record batches, checking each
// CRC-32C. A trailing partial batch (allowed in a size-limited fetch) is
// returned as the count of bytes left over.
func batchesOf(t *testing.T, data []byte) (batches []kmsg.RecordBatch, partial int) {
	t.Helper()
	for len(data) > 0 {
		if len(data) < 12 {
			return batches, len(data)
		}
		size := 12 + int(int32(binary.BigEndian.Uint32(data[8:12])))
		if size > len(data) {
			return batches, len(data)
		}
		var b kmsg.RecordBatch
		if err := b.ReadFrom(data[:size]); err != nil {
			t.Fatalf("decoding record batch: %v", err)
		}
		if crc := int32(crc32.Checksum(data[21:size], crc32.MakeTable(crc32.Castagnoli))); crc != b.CRC {
			t.Errorf("batch at offset %d: CRC %08x, computed %08x", b.FirstOffset, uint32(b.CRC), uint32(crc))
		}
		batches = append(batches, b)
		data = data[size:]
	}
	return batches, 0
}

// waitFor polls cond until it holds or the test's time runs out.
func waitFor(t *testing.T, what string, cond func() error) {
	t.Helper()
	ctx := testContext(t)
	for {
		err := cond()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
