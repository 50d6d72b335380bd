package clients

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
)

// TestTxnExactlyOncePipeline runs franz-go's GroupTransactSession as a
// consume-transform-produce pipeline: each member reads the input topic in
// a consumer group and, in one transaction per poll, writes a transformed
// copy of each record to the output topic and commits its input offsets.
// While input keeps arriving, members join, one leaves, one crashes in the
// middle of a transaction (its connections cut: the transaction must time
// out and abort, and its partitions move on), and the broker restarts. A
// read_committed reader of the output must then see every input record
// exactly once.
func TestTxnExactlyOncePipeline(t *testing.T) {
	t.Parallel()
	forEachTxnVersion(t, testExactlyOncePipeline)
}

func testExactlyOncePipeline(t *testing.T, opts ...samsatest.Option) {
	const in, out, group, parts = "eos-in", "eos-out", "eos-group", 3
	dir := t.TempDir()
	opts = append(opts, samsatest.DataDir(dir),
		samsatest.Config("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500"))
	b, adm := startGroupBroker(t, opts...)
	addr := b.Addr()
	createTopic(t, adm, in, parts, nil)
	createTopic(t, adm, out, parts, nil)
	input := produceInput(t, addr, in, parts)

	p := &eosPipeline{t: t, addr: addr}
	a := p.start("a", liveTxnTimeout)
	p.waitCommits("a alone", a)
	bm, c := p.start("b", liveTxnTimeout), p.start("c", zombieTxnTimeout)
	waitFor(t, "a group of three", func() error { return stableWith(t, adm, group, 3) })
	p.waitCommits("a, b and c", a, bm, c)

	bm.stop(true)
	c.crashInTransaction()
	p.waitCommits("a after b left and c crashed", a)

	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	b, _ = startGroupBroker(t, append(opts, samsatest.Listen(addr))...)
	d := p.start("d", liveTxnTimeout)
	p.waitCommits("a and d after the restart", a, d)

	n := input.stop()
	p.waitOutput(n)
	a.stop(false)
	d.stop(false)
	got := readUntil(t, addr, out, kgo.ReadCommitted(), "the whole output", func(seen map[string]int) bool { return len(seen) >= n })
	checkExactlyOnce(t, got, n)
	t.Logf("%d input records; transactions committed: a=%d b=%d c=%d d=%d", n, a.commits.Load(), bm.commits.Load(), c.commits.Load(), d.commits.Load())
}

func checkExactlyOnce(t *testing.T, got map[string]int, n int) {
	t.Helper()
	for i := range n {
		if c := got[fmt.Sprintf("out-in-%d", i)]; c != 1 {
			t.Errorf("input %d is in the committed output %d times, want once", i, c)
		}
	}
	if len(got) != n {
		t.Errorf("committed output holds %d distinct records, want %d", len(got), n)
	}
}

// inputProducer writes in-0, in-1, ... round-robin until stopped.
type inputProducer struct {
	quit chan struct{}
	done chan int
}

func produceInput(t *testing.T, addr, topic string, parts int) *inputProducer {
	cl := newClient(t, addr)
	ip := &inputProducer{quit: make(chan struct{}), done: make(chan int, 1)}
	go func() {
		n := 0
		defer func() { ip.done <- n }()
		for {
			var rs []*kgo.Record
			for range 10 {
				rs = append(rs, &kgo.Record{Topic: topic, Partition: int32(n % parts), Value: fmt.Appendf(nil, "in-%d", n)})
				n++
			}
			// Retried through the broker restart; a failure is fatal
			// to the count, so the test stops on it.
			if err := cl.ProduceSync(testContext(t), rs...).FirstErr(); err != nil {
				t.Errorf("producing input: %v", err)
				return
			}
			select {
			case <-ip.quit:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return ip
}

// stop ends the input and returns how many records were produced.
func (ip *inputProducer) stop() int {
	close(ip.quit)
	return <-ip.done
}

type eosPipeline struct {
	t    *testing.T
	addr string
}

type eosMember struct {
	name    string
	sess    *kgo.GroupTransactSession
	dialer  *cutDialer
	cancel  context.CancelFunc
	done    chan error
	failed  atomic.Pointer[error] // why the loop stopped early, for waitCommits
	commits atomic.Int64
	crash   chan chan struct{} // asks the loop to cut itself off mid-transaction
}

// The member that crashes has a short transaction timeout, so its open
// transaction is aborted (and the output's last stable offset moves on)
// quickly; the others have one long enough to outlast the broker restart
// in the middle of a transaction, which would otherwise abort and fence
// them as in Kafka.
const (
	zombieTxnTimeout = 3 * time.Second
	liveTxnTimeout   = 30 * time.Second
)

func (p *eosPipeline) start(name string, txnTimeout time.Duration) *eosMember {
	t := p.t
	m := &eosMember{name: name, dialer: new(cutDialer), done: make(chan error, 1), crash: make(chan chan struct{}, 1)}
	sess, err := kgo.NewGroupTransactSession(
		kgo.SeedBrokers(p.addr),
		kgo.Dialer(m.dialer.dial),
		kgo.TransactionalID("eos-"+name),
		kgo.TransactionTimeout(txnTimeout),
		kgo.ConsumerGroup("eos-group"),
		kgo.ConsumeTopics("eos-in"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequireStableFetchOffsets(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SessionTimeout(3*time.Second),
		kgo.HeartbeatInterval(300*time.Millisecond),
		kgo.RebalanceTimeout(5*time.Second),
		kgo.FetchMaxWait(200*time.Millisecond),
		kgo.RetryTimeout(30*time.Second),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m.sess = sess
	t.Cleanup(sess.Close)
	ctx, cancel := context.WithCancel(testContext(t))
	m.cancel = cancel
	go func() {
		err := m.run(ctx)
		if err != nil {
			m.failed.Store(&err)
		}
		m.done <- err
	}()
	return m
}

// run is the member's loop: poll, then in one transaction copy the polled
// records to the output and commit their offsets.
func (m *eosMember) run(ctx context.Context) error {
	for {
		fs := m.sess.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err := m.sess.Begin(); err != nil {
			return fmt.Errorf("%s: Begin: %w", m.name, err)
		}
		failed := m.copyToOutput(ctx, fs)
		select {
		case crashed := <-m.crash:
			if fs.NumRecords() > 0 {
				m.dialer.sever() // the transaction stays open on the broker
				close(crashed)
				return nil
			}
			m.crash <- crashed // nothing in this transaction: next poll
		default:
		}
		if ctx.Err() != nil {
			return nil
		}
		end := kgo.TryCommit
		if failed {
			end = kgo.TryAbort
		}
		committed, err := m.sess.End(ctx, end)
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("%s: End: %w", m.name, err)
		}
		if committed && fs.NumRecords() > 0 {
			m.commits.Add(1)
		}
	}
}

// copyToOutput produces the transformed records and reports whether any
// failed (the transaction must then abort).
func (m *eosMember) copyToOutput(ctx context.Context, fs kgo.Fetches) (failed bool) {
	var wg sync.WaitGroup
	var bad atomic.Bool
	fs.EachRecord(func(r *kgo.Record) {
		wg.Add(1)
		out := &kgo.Record{Topic: "eos-out", Partition: r.Partition, Value: append([]byte("out-"), r.Value...)}
		m.sess.Produce(ctx, out, func(_ *kgo.Record, err error) {
			if err != nil {
				bad.Store(true)
			}
			wg.Done()
		})
	})
	wg.Wait()
	return bad.Load()
}

// stop ends the loop; leave also closes the session (LeaveGroup).
func (m *eosMember) stop(leave bool) {
	m.cancel()
	if err := <-m.done; err != nil {
		panic(err)
	}
	if leave {
		m.sess.Close()
	}
}

// crashInTransaction cuts the member off while a transaction with records
// is open, without ending it or leaving the group.
func (m *eosMember) crashInTransaction() {
	crashed := make(chan struct{})
	m.crash <- crashed
	<-crashed
	m.cancel()
	<-m.done
}

// waitCommits waits until each member committed a few more transactions.
func (p *eosPipeline) waitCommits(what string, ms ...*eosMember) {
	p.t.Helper()
	before := make([]int64, len(ms))
	for i, m := range ms {
		before[i] = m.commits.Load()
	}
	waitFor(p.t, what+" committing transactions", func() error {
		for i, m := range ms {
			if err := m.failed.Load(); err != nil {
				p.t.Fatalf("%s: member %s stopped: %v", what, m.name, *err)
			}
			if m.commits.Load() < before[i]+3 {
				return fmt.Errorf("%s committed %d since", m.name, m.commits.Load()-before[i])
			}
		}
		return nil
	})
}

// waitOutput waits until the committed output holds at least want
// distinct records.
func (p *eosPipeline) waitOutput(want int) {
	t := p.t
	t.Helper()
	cl := newClient(t, p.addr, kgo.ConsumeTopics("eos-out"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	defer cl.Close()
	seen := make(map[string]bool)
	waitFor(t, fmt.Sprintf("%d records in the committed output", want), func() error {
		ctx, cancel := context.WithTimeout(testContext(t), 300*time.Millisecond)
		defer cancel()
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if strings.HasPrefix(string(r.Value), "out-") {
				seen[string(r.Value)] = true
			}
		})
		if len(seen) < want {
			return fmt.Errorf("%d so far", len(seen))
		}
		return nil
	})
}
