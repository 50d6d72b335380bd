//go:build unix

package process

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The crash test kills the broker with SIGKILL while several producers
// write with acks=all, restarts it on the same data directory, and repeats.
// At the end the log must hold every acknowledged record, at the offset
// the broker acknowledged, once, in order.
//
// Why duplicates are a failure here: the producers run with
// RecordRetries(0), and franz-go resends a batch only when none of its
// bytes reached the socket, so every record reaches the broker at most
// once. (With retries, a batch whose ack died with the connection is sent
// again and may legitimately land twice, acknowledged or not; retries off
// removes that excuse.) Any second copy, acknowledged or not, was made by
// the broker, for example by recovery replaying data.
//
// Why order is checked: each producer goroutine numbers its records per
// partition and produces them in that order through its own client, and
// Kafka handles one connection's requests one at a time, so the records
// of one producer in one partition must appear in increasing sequence
// order even with 5 produce requests in flight and no retries. A gap in
// the sequence is fine (failed records); going backwards is not.

const (
	crashTopic      = "crash"
	crashPartitions = 3
	crashWriters    = 4
)

// smallSegments makes the log roll every MiB, so kills land during rolls
// and recovery walks many segments rather than one.
const smallSegments = "log.segment.bytes=1048576"

// crashCodecs: each writer uses another codec each cycle, so recovery
// meets batches of every kind.
var crashCodecs = []kgo.CompressionCodec{
	kgo.NoCompression(), kgo.GzipCompression(), kgo.SnappyCompression(), kgo.Lz4Compression(), kgo.ZstdCompression(),
}

// recID names one record: writer, partition, per-partition sequence.
type recID struct {
	w, p int32
	seq  int64
}

func (id recID) value(cycle int, pad int) []byte {
	return fmt.Appendf(nil, "w=%d p=%d seq=%d cycle=%d %s", id.w, id.p, id.seq, cycle, strings.Repeat("x", pad))
}

func parseRecID(v []byte) (recID, error) {
	var id recID
	var cycle int
	_, err := fmt.Sscanf(string(v), "w=%d p=%d seq=%d cycle=%d", &id.w, &id.p, &id.seq, &cycle)
	return id, err
}

// ackLog records the fate of every produced record.
type ackLog struct {
	mu     sync.Mutex
	acked  map[recID]int64 // offset the broker acknowledged
	failed int
	first  chan struct{} // closed by the first ack since arm
}

func newAckLog() *ackLog { return &ackLog{acked: make(map[recID]int64)} }

// arm resets the first-ack signal for a new cycle.
func (l *ackLog) arm() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.first = make(chan struct{})
	return l.first
}

func (l *ackLog) done(id recID, r *kgo.Record, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
		return
	}
	l.acked[id] = r.Offset
	if l.first != nil {
		close(l.first)
		l.first = nil
	}
}

func (l *ackLog) counts() (acked, failed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked), l.failed
}

// writer is one producing goroutine; its sequence numbers survive the
// client it uses for each cycle.
type writer struct {
	id   int32
	next [crashPartitions]int64
	rng  *rand.Rand
	// failing is set by a failed produce, so the loop slows down instead
	// of spinning through records that fail at once while the broker
	// shuts down.
	failing atomic.Bool
}

// run produces until ctx ends, then waits for the outcome of everything
// it produced.
func (w *writer) run(ctx context.Context, t *testing.T, addr string, cycle int, acks *ackLog) {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.DefaultProduceTopic(crashTopic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DisableIdempotentWrite(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RecordRetries(0),
		kgo.MaxProduceRequestsInflightPerBroker(5),
		kgo.ProducerBatchCompression(crashCodecs[(int(w.id)+cycle)%len(crashCodecs)]),
		// Small buffer: Produce blocks instead of queueing seconds of
		// records that would only fail at the kill.
		kgo.MaxBufferedRecords(200),
		kgo.ProducerLinger(time.Millisecond),
		kgo.RecordDeliveryTimeout(15*time.Second),
		kgo.DialTimeout(2*time.Second),
	)
	if err != nil {
		t.Errorf("writer %d: %v", w.id, err)
		return
	}
	defer cl.Close()
	for ctx.Err() == nil {
		p := int32(w.rng.IntN(crashPartitions))
		id := recID{w.id, p, w.next[p]}
		w.next[p]++
		rec := &kgo.Record{Partition: p, Value: id.value(cycle, w.rng.IntN(300))}
		cl.Produce(ctx, rec, func(r *kgo.Record, err error) {
			if err != nil {
				w.failing.Store(true)
			}
			acks.done(id, r, err)
		})
		if w.failing.Swap(false) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	fctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.Flush(fctx); err != nil {
		t.Errorf("writer %d: records still unresolved 30s after the broker went away: %v", w.id, err)
	}
}

func newWriters(seed uint64) []*writer {
	ws := make([]*writer, crashWriters)
	for i := range ws {
		ws[i] = &writer{id: int32(i), rng: rand.New(rand.NewPCG(seed, uint64(i)))}
	}
	return ws
}

// produceUntil runs the writers against b, waits for the first ack, lets
// them run for delay more, then calls stop (kill or SIGTERM) and waits for
// every produce outcome.
func produceUntil(t *testing.T, b *broker, ws []*writer, cycle int, acks *ackLog, delay time.Duration, stop func()) {
	t.Helper()
	first := acks.arm()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { w.run(ctx, t, b.Addr(), cycle, acks) })
	}
	// The stop comes mid-stream: not before the broker acknowledged
	// anything this cycle.
	select {
	case <-first:
	case <-time.After(20 * time.Second):
		cancel()
		wg.Wait()
		t.Fatalf("cycle %d: no record acknowledged within 20s", cycle)
	}
	time.Sleep(delay) // the random moment is the point of the test
	stop()
	cancel()
	wg.Wait()
}

func crashSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SAMSA_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SAMSA_CRASH_SEED: %v", err)
		}
	}
	t.Logf("seed %d (rerun with SAMSA_CRASH_SEED=%d)", seed, seed)
	return seed
}

func TestCrashRecovery(t *testing.T) {
	cycles := 5
	if s := os.Getenv("SAMSA_CRASH_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SAMSA_CRASH_CYCLES=%q: want a positive integer", s)
		}
		cycles = n
	}
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1<<32))
	b := startBroker(t, withOverride(smallSegments))
	createTopic(t, newClient(t, b.Addr()), crashTopic, crashPartitions)
	ws := newWriters(seed)
	acks := newAckLog()
	for cycle := range cycles {
		if cycle > 0 {
			b.Start()
		}
		delay := time.Duration(100+rng.IntN(701)) * time.Millisecond
		before, _ := acks.counts()
		produceUntil(t, b, ws, cycle, acks, delay, b.Kill)
		acked, failed := acks.counts()
		t.Logf("cycle %d: killed %v after the first ack; %d acked so far (+%d), %d failed", cycle, delay, acked, acked-before, failed)
	}
	b.Start()
	verifyLog(t, b, acks)
}

// TestGracefulShutdown sends SIGTERM while producers are mid-stream: the
// broker must exit 0 and keep every record it acknowledged.
func TestGracefulShutdown(t *testing.T) {
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1<<32))
	b := startBroker(t, withOverride(smallSegments))
	createTopic(t, newClient(t, b.Addr()), crashTopic, crashPartitions)
	ws := newWriters(seed)
	acks := newAckLog()
	delay := time.Duration(100+rng.IntN(701)) * time.Millisecond
	produceUntil(t, b, ws, 0, acks, delay, b.Stop)
	acked, failed := acks.counts()
	t.Logf("SIGTERM %v after the first ack; %d acked, %d failed", delay, acked, failed)
	b.Start()
	verifyLog(t, b, acks)
}

// verifyLog reads the whole topic back and checks it against acks.
func verifyLog(t *testing.T, b *broker, acks *ackLog) {
	t.Helper()
	cl := newClient(t, b.Addr())
	for p, start := range listOffsets(t, cl, crashTopic, crashPartitions, -2) {
		if start != 0 {
			t.Errorf("p%d: log start offset %d, want 0 (nothing was deleted)", p, start)
		}
	}
	ends := listOffsets(t, cl, crashTopic, crashPartitions, -1)
	checkBatches(t, cl, crashTopic, ends)
	c := &logCheck{found: make(map[recID]int64), last: make(map[[2]int32]int64), next: make([]int64, crashPartitions)}
	consumeEach(t, b.Addr(), crashTopic, ends, c.add)
	acks.mu.Lock()
	lost := c.checkAcked(acks.acked)
	nAcked := len(acks.acked)
	acks.mu.Unlock()
	t.Logf("log: %d records (end offsets %v); %d acknowledged, %d of them missing; %d unacknowledged records survived",
		c.total, ends, nAcked, lost, c.total-(nAcked-lost))
	if c.nProblems > 0 {
		t.Errorf("%d problems in the recovered log, the first %d:\n%s", c.nProblems, len(c.problems), strings.Join(c.problems, "\n"))
	}
}

// logCheck checks records in log order, one partition's records in offset
// order, and keeps what checkAcked needs.
type logCheck struct {
	found     map[recID]int64    // offset of each record seen
	last      map[[2]int32]int64 // last sequence per writer and partition
	next      []int64            // next expected offset per partition
	total     int
	nProblems int
	problems  []string // the first few, for the failure message
}

func (c *logCheck) report(format string, args ...any) {
	c.nProblems++
	if len(c.problems) < 30 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

func (c *logCheck) add(r *kgo.Record) {
	c.total++
	p := r.Partition
	if r.Offset != c.next[p] {
		c.report("p%d: offset %d where %d was next; offsets must be dense from 0", p, r.Offset, c.next[p])
	}
	c.next[p] = r.Offset + 1
	id, err := parseRecID(r.Value)
	if err != nil {
		c.report("p%d@%d: value %q is not one of ours: %v", p, r.Offset, r.Value, err)
		return
	}
	if id.p != p {
		c.report("p%d@%d: record %+v was produced to partition %d", p, r.Offset, id, id.p)
	}
	if prev, dup := c.found[id]; dup {
		c.report("record %+v at offset %d and again at p%d@%d", id, prev, p, r.Offset)
		return
	}
	c.found[id] = r.Offset
	key := [2]int32{id.w, id.p}
	if s, ok := c.last[key]; ok && id.seq <= s {
		c.report("p%d@%d: writer %d seq %d after seq %d: out of order", p, r.Offset, id.w, id.seq, s)
	}
	c.last[key] = id.seq
}

// checkAcked requires every acknowledged record at its acknowledged
// offset and returns how many are missing.
func (c *logCheck) checkAcked(acked map[recID]int64) (lost int) {
	for id, off := range acked {
		got, ok := c.found[id]
		switch {
		case !ok:
			lost++
			c.report("acknowledged record %+v (acked at p%d@%d) is missing", id, id.p, off)
		case got != off:
			c.report("acknowledged record %+v: acked at offset %d, stored at %d", id, off, got)
		}
	}
	return lost
}
