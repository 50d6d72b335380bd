package clients

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
)

// TestGroupKIP848BrokerRestart restarts the broker on the same data
// directory and address while two KIP-848 members (kgo's server-side
// balancer) consume. The consumer group is persisted, so after the restart
// the members (the same clients, reconnecting) go on at their epochs with
// their partitions: no partition is revoked or lost, no record is skipped,
// committed offsets never move backwards, and the members are still in
// the group a full session timeout after the restart, so they heartbeat.
func TestGroupKIP848BrokerRestart(t *testing.T) {
	t.Parallel()
	const topic, group, parts, n = "kip848-restart", "kip848-restart-group", 6, 600
	const session = 8 * time.Second
	dir := t.TempDir()
	cfg := []samsatest.Option{
		samsatest.DataDir(dir),
		samsatest.Config("group.consumer.session.timeout.ms", fmt.Sprint(session.Milliseconds())),
		samsatest.Config("group.consumer.heartbeat.interval.ms", "300"),
	}
	b, adm := startGroupBroker(t, cfg...)
	addr := b.Addr()
	createTopic(t, adm, topic, parts, nil)

	own := newOwnership()
	moves := newMoves()
	watch := watchOffsets(t, adm, group, topic)
	a := startKIP848Member(t, addr, group, topic, "a", own, moves)
	bm := startKIP848Member(t, addr, group, topic, "b", own, moves)
	waitFor(t, "both members in a stable group", func() error {
		if err := stableConsumerGroup(t, adm, group, 2); err != nil {
			return err
		}
		return own.balanced([]string{"a", "b"}, parts)
	})
	base := time.UnixMilli(1_700_000_000_000)
	produceKgo(t, newClient(t, addr), topic, genRecords(51, n, parts, base))
	waitFor(t, "both members consuming", func() error {
		if a.count() == 0 || bm.count() == 0 {
			return fmt.Errorf("consumed a=%d b=%d", a.count(), bm.count())
		}
		return nil
	})
	before := describeMembers(t, adm, group)
	movesBefore := moves.snapshot()

	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	restarted := time.Now()
	b, adm = startGroupBroker(t, append(cfg, samsatest.Listen(addr))...)
	if after := describeMembers(t, adm, group); !maps.Equal(after, before) {
		t.Fatalf("members after the restart %v, before %v", after, before)
	}

	more := genRecords(52, n, parts, base.Add(time.Hour))
	counts := endOffsets(t, adm, topic)
	for i := range more {
		more[i].Offset += counts[more[i].Partition]
	}
	produceKgo(t, newClient(t, addr), topic, more)
	ends := endOffsets(t, adm, topic)
	waitCommitted(t, adm, group, topic, ends)
	// Restored members that stopped heartbeating would be gone by now.
	time.Sleep(time.Until(restarted.Add(session + time.Second)))
	if after := describeMembers(t, adm, group); !maps.Equal(after, before) {
		t.Errorf("members a session timeout after the restart %v, before %v", after, before)
	}
	if got := moves.snapshot(); !maps.Equal(got, movesBefore) {
		t.Errorf("revocations and losses after the restart %v, before %v", got, movesBefore)
	}

	a.stop(t)
	bm.stop(t)
	watch.check(t)
	own.check(t)
	seen := make(map[int32]map[int64]bool)
	for _, m := range []*churnMember{a, bm} {
		for p, os := range m.seen {
			if seen[p] == nil {
				seen[p] = make(map[int64]bool)
			}
			for _, o := range os {
				seen[p][o] = true
			}
		}
	}
	coverage(t, seen, ends)
}

// startKIP848Member starts a member that uses the KIP-848 protocol and
// polls until stopped; its assignment changes go to own and moves.
func startKIP848Member(t *testing.T, addr, group, topic, name string, own *ownership, moves *moves) *churnMember {
	t.Helper()
	m := &churnMember{name: name, done: make(chan struct{}), seen: make(map[int32][]int64)}
	opts := append(groupOpts(group, topic), kgo.ServerSideBalancer(), kgo.Balancers(kgo.RangeBalancer()),
		kgo.ClientID(name), kgo.FetchMaxWait(200*time.Millisecond))
	opts = append(opts,
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
			own.assign(name, ps[topic])
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
			own.drop(name, ps[topic])
			moves.add(name+" revoked", ps[topic])
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
			own.drop(name, ps[topic])
			moves.add(name+" lost", ps[topic])
		}),
	)
	m.cl = newClient(t, addr, opts...)
	ctx, cancel := context.WithCancel(testContext(t))
	m.cancel = cancel
	go func() {
		defer close(m.done)
		for {
			fs := m.cl.PollFetches(ctx)
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
	return m
}

// moves counts the partitions revoked from or lost by each member.
type moves struct {
	mu sync.Mutex
	n  map[string]int
}

func newMoves() *moves { return &moves{n: make(map[string]int)} }

func (x *moves) add(what string, ps []int32) {
	if len(ps) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.n[what] += len(ps)
}

func (x *moves) snapshot() map[string]int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return maps.Clone(x.n)
}

// describeMembers is each member of a consumer group with its epoch and
// assignment, as ConsumerGroupDescribe shows them.
func describeMembers(t *testing.T, adm *kadm.Client, group string) map[string]string {
	t.Helper()
	gs, err := adm.DescribeConsumerGroups(testContext(t), group)
	if err != nil {
		t.Fatalf("DescribeConsumerGroups: %v", err)
	}
	g := gs[group]
	if g.Err != nil {
		t.Fatalf("DescribeConsumerGroups: %v", g.Err)
	}
	out := make(map[string]string)
	for _, m := range g.Members {
		out[m.MemberID] = fmt.Sprintf("%s epoch %d assigned %v", m.ClientID, m.MemberEpoch, m.Assignment)
	}
	return out
}
