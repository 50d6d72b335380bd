package clients

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
)

// TestGroupFranzChurn runs franz-go group members with each client-side
// balancer while a producer writes continuously: three members join at
// different moments, one leaves (Close sends LeaveGroup), one crashes
// (its connections are cut; the broker must expire it after the session
// timeout). Kafka's guarantees are checked: no partition is owned by two
// live members at once, every record is consumed at least once, and the
// committed offsets never move backwards.
func TestGroupFranzChurn(t *testing.T) {
	t.Parallel()
	balancers := []struct {
		name     string
		balancer kgo.GroupBalancer
	}{
		{"range", kgo.RangeBalancer()},
		{"roundrobin", kgo.RoundRobinBalancer()},
		{"sticky", kgo.StickyBalancer()},
		{"cooperative-sticky", kgo.CooperativeStickyBalancer()},
	}
	for _, bc := range balancers {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()
			testGroupChurn(t, bc.balancer, classicGroup)
		})
	}
	// KIP-848: the broker assigns (kgo needs the range or sticky balancer
	// to opt in); the member session timeout is the broker's.
	t.Run("kip848-server-side", func(t *testing.T) {
		t.Parallel()
		testGroupChurn(t, kgo.RangeBalancer(), consumerGroup)
	})
}

// groupKind is how a churn test's members run the group protocol.
type groupKind struct {
	extra  []kgo.Opt
	broker []samsatest.Option
	stable func(t *testing.T, adm *kadm.Client, group string, n int) error
}

var (
	classicGroup  = groupKind{stable: stableWith}
	consumerGroup = groupKind{
		extra: []kgo.Opt{kgo.ServerSideBalancer()},
		broker: []samsatest.Option{
			samsatest.Config("group.consumer.session.timeout.ms", "3000"),
			samsatest.Config("group.consumer.heartbeat.interval.ms", "300"),
		},
		stable: stableConsumerGroup,
	}
)

// stableConsumerGroup is stableWith for a KIP-848 group: n members, every
// member at the group's assignment epoch.
func stableConsumerGroup(t *testing.T, adm *kadm.Client, group string, n int) error {
	gs, err := adm.DescribeConsumerGroups(testContext(t), group)
	if err != nil {
		return err
	}
	g := gs[group]
	if g.Err != nil {
		return g.Err
	}
	if g.State != "Stable" || len(g.Members) != n {
		return fmt.Errorf("group %s is %s with %d members, want Stable with %d", group, g.State, len(g.Members), n)
	}
	return nil
}

// churnMember is one group member: its client, its poll loop and what it
// consumed.
type churnMember struct {
	name   string
	cl     *kgo.Client
	dialer *cutDialer
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	seen map[int32][]int64
	err  error
}

func (m *churnMember) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, os := range m.seen {
		n += len(os)
	}
	return n
}

// stop ends the poll loop; every record polled so far has been recorded.
func (m *churnMember) stop(t *testing.T) {
	t.Helper()
	m.cancel()
	<-m.done
	if m.err != nil {
		t.Errorf("%s: %v", m.name, m.err)
	}
}

func testGroupChurn(t *testing.T, balancer kgo.GroupBalancer, kind groupKind) {
	const topic, group, parts = "churn", "churn-group", 6
	b, adm := startGroupBroker(t, kind.broker...)
	createTopic(t, adm, topic, parts, nil)
	own := newOwnership()
	watch := watchOffsets(t, adm, group, topic)

	stopProducing := produceContinuously(t, b.Addr(), topic, parts)

	var members []*churnMember
	start := func(name string) *churnMember {
		m := &churnMember{name: name, dialer: new(cutDialer), done: make(chan struct{}), seen: make(map[int32][]int64)}
		opts := append(groupOpts(group, topic), kgo.Balancers(balancer), kgo.Dialer(m.dialer.dial), kgo.ClientID(name))
		opts = append(opts, kind.extra...)
		opts = append(opts, own.opts(name, topic)...)
		// Not newClient: that closes at cleanup, and a crashed member
		// must not send LeaveGroup.
		cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addr()), kgo.FetchMaxWait(200 * time.Millisecond)}, opts...)...)
		if err != nil {
			t.Fatalf("kgo.NewClient: %v", err)
		}
		t.Cleanup(cl.Close)
		m.cl = cl
		ctx, cancel := context.WithCancel(testContext(t))
		m.cancel = cancel
		go func() {
			defer close(m.done)
			for {
				fs := cl.PollFetches(ctx)
				if ctx.Err() != nil {
					return
				}
				fs.EachError(func(topic string, p int32, err error) {
					m.mu.Lock()
					m.err = fmt.Errorf("fetch %s/%d: %w", topic, p, err)
					m.mu.Unlock()
				})
				m.mu.Lock()
				fs.EachRecord(func(r *kgo.Record) { m.seen[r.Partition] = append(m.seen[r.Partition], r.Offset) })
				m.mu.Unlock()
			}
		}()
		members = append(members, m)
		return m
	}
	// progress waits until the live members own all partitions between
	// them and each has consumed more since the call.
	progress := func(what string, live ...*churnMember) {
		t.Helper()
		names := make([]string, len(live))
		before := make([]int, len(live))
		for i, m := range live {
			names[i], before[i] = m.name, m.count()
		}
		waitFor(t, what, func() error {
			if err := kind.stable(t, adm, group, len(live)); err != nil {
				return err
			}
			if err := own.balanced(names, parts); err != nil {
				return err
			}
			for i, m := range live {
				if m.count() < before[i]+20 {
					return fmt.Errorf("%s consumed %d records since, want 20", m.name, m.count()-before[i])
				}
			}
			return nil
		})
	}

	a := start("a")
	progress("a alone", a)
	bm := start("b")
	progress("a and b", a, bm)
	c := start("c")
	progress("a, b and c", a, bm, c)

	// b leaves cleanly: its revocation commits, Close sends LeaveGroup.
	bm.stop(t)
	bm.cl.Close()
	own.kill(bm.name)
	progress("b left", a, c)

	// c crashes: no commit, no LeaveGroup, no more heartbeats.
	c.stop(t)
	c.dialer.sever()
	own.kill(c.name)
	progress("c expired", a)
	// Everything c polled below the offsets committed once it was gone
	// counts as consumed; anything above must have been consumed again.
	afterCrash, err := committedOffsets(testContext(t), adm, group, topic)
	if err != nil {
		t.Fatalf("OffsetFetch after the crash: %v", err)
	}

	stopProducing()
	ends := endOffsets(t, adm, topic)
	waitCommitted(t, adm, group, topic, ends)
	a.stop(t)
	watch.check(t)
	own.check(t)

	seen := make(map[int32]map[int64]bool)
	for _, m := range members {
		for p, os := range m.seen {
			if seen[p] == nil {
				seen[p] = make(map[int64]bool)
			}
			for _, o := range os {
				if m != c || o < afterCrash[p] {
					seen[p][o] = true
				}
			}
		}
	}
	total := int64(0)
	for _, e := range ends {
		total += e
	}
	t.Logf("%d records produced; consumed a=%d b=%d c=%d", total, a.count(), bm.count(), c.count())
	coverage(t, seen, ends)
}

// produceContinuously writes numbered records round-robin over the
// partitions until the returned stop is called, which fails the test if
// any produce failed.
func produceContinuously(t *testing.T, addr, topic string, parts int32) (stop func()) {
	t.Helper()
	cl := newClient(t, addr, kgo.ProducerLinger(0))
	// Stopping must not cancel a produce in flight: the broker could append
	// it after the caller read the end offsets. So the loop checks quit
	// between rounds and each round completes.
	quit := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		var n int
		for {
			rs := make([]*kgo.Record, parts)
			for p := range parts {
				rs[p] = &kgo.Record{Topic: topic, Partition: p, Value: fmt.Appendf(nil, "record %d", n)}
				n++
			}
			if err := cl.ProduceSync(testContext(t), rs...).FirstErr(); err != nil {
				done <- fmt.Errorf("producing: %w", err)
				return
			}
			select {
			case <-quit:
				done <- nil
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() {
		t.Helper()
		close(quit)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
