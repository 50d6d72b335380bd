package clients

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestGroupMigration moves a live group between the two group protocols
// with franz-go, as Kafka 4's group.consumer.migration.policy=bidirectional
// allows: two classic members consume a 6-partition topic while a producer
// writes; a KIP-848 member joins (the group becomes a consumer group whose
// classic members keep their partitions until they revoke them), then
// leaves (the group becomes classic again and rebalances). Checked
// throughout: no partition is owned by two live members at once, every
// record is consumed, committed offsets never move backwards, and after
// each step the group is stable with the expected type and members.
func TestGroupMigration(t *testing.T) {
	t.Parallel()
	for _, bc := range []struct {
		name     string
		balancer kgo.GroupBalancer
	}{
		{"cooperative-sticky", kgo.CooperativeStickyBalancer()},
		{"eager-range", kgo.RangeBalancer()},
	} {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()
			testGroupMigration(t, bc.balancer)
		})
	}
}

func testGroupMigration(t *testing.T, balancer kgo.GroupBalancer) {
	const topic, group, parts = "migrate", "migrate-group", 6
	b, adm := startGroupBroker(t, consumerGroup.broker...)
	createTopic(t, adm, topic, parts, nil)
	own := newOwnership()
	watch := watchOffsets(t, adm, group, topic)
	stopProducing := produceContinuously(t, b.Addr(), topic, parts)

	var members []*churnMember
	start := func(name string, extra ...kgo.Opt) *churnMember {
		opts := append(groupOpts(group, topic), kgo.Balancers(balancer), kgo.ClientID(name))
		opts = append(opts, own.opts(name, topic)...)
		m := startGroupMember(t, b.Addr(), name, append(opts, extra...)...)
		members = append(members, m)
		return m
	}
	// progress waits until the group is stable as want says, the live
	// members own all partitions between them and each has consumed more.
	progress := func(what string, want func() error, live ...*churnMember) {
		t.Helper()
		names := make([]string, len(live))
		before := make([]int, len(live))
		for i, m := range live {
			names[i], before[i] = m.name, m.count()
		}
		waitFor(t, what, func() error {
			if err := want(); err != nil {
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
	classic := func() error { return stableWith(t, adm, group, 2) }

	a, c := start("a"), start("c")
	progress("classic group of a and c", classic, a, c)

	x := start("x", kgo.ServerSideBalancer())
	progress("upgraded to a consumer group with x", func() error { return stableMixed(t, adm, group, 2, 1) }, a, c, x)

	// x leaves (Close revokes, commits, and heartbeats epoch -1): only
	// classic members remain and the group downgrades.
	x.stop(t)
	x.cl.Close()
	own.kill(x.name)
	progress("downgraded to a classic group without x", classic, a, c)

	stopProducing()
	ends := endOffsets(t, adm, topic)
	waitCommitted(t, adm, group, topic, ends)
	a.stop(t)
	c.stop(t)
	watch.check(t)
	own.check(t)

	seen := make(map[int32]map[int64]bool)
	for _, m := range members {
		for p, os := range m.seen {
			if seen[p] == nil {
				seen[p] = make(map[int64]bool)
			}
			for _, o := range os {
				seen[p][o] = true
			}
		}
	}
	t.Logf("consumed a=%d c=%d x=%d", a.count(), c.count(), x.count())
	coverage(t, seen, ends)
}

// startGroupMember starts a group member polling in a loop, recording
// every record it gets.
func startGroupMember(t *testing.T, addr, name string, opts ...kgo.Opt) *churnMember {
	t.Helper()
	m := &churnMember{name: name, dialer: new(cutDialer), done: make(chan struct{}), seen: make(map[int32][]int64)}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr), kgo.FetchMaxWait(200 * time.Millisecond), kgo.Dialer(m.dialer.dial)}, opts...)...)
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
	return m
}

// stableMixed reports nil once group is a Stable KIP-848 consumer group
// with the given numbers of members using the classic and the consumer
// protocol (ConsumerGroupDescribe v1 MemberType 0 and 1).
func stableMixed(t *testing.T, adm *kadm.Client, group string, classic, consumer int) error {
	gs, err := adm.DescribeConsumerGroups(testContext(t), group)
	if err != nil {
		return err
	}
	g := gs[group]
	if g.Err != nil {
		return g.Err
	}
	types := map[int8]int{}
	for _, m := range g.Members {
		types[m.MemberType]++
	}
	if g.State != "Stable" || types[0] != classic || types[1] != consumer {
		return fmt.Errorf("group %s is %s with member types %v, want Stable with %d classic and %d consumer", group, g.State, types, classic, consumer)
	}
	return nil
}
