package clients

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestGroupStaticMembership: a static member (group.instance.id, KIP-345)
// that restarts within its session timeout gets its old partitions back
// and the group does not rebalance: the other member is not called back
// and keeps its generation.
func TestGroupStaticMembership(t *testing.T) {
	t.Parallel()
	const topic, group, parts = "static", "static-group", 4
	b, adm := startGroupBroker(t)
	createTopic(t, adm, topic, parts, nil)
	own := newOwnership()
	member := func(name string) *kgo.Client {
		opts := append(groupOpts(group, topic), kgo.InstanceID(name), kgo.Balancers(kgo.RangeBalancer()),
			kgo.SessionTimeout(20*time.Second), kgo.FetchMaxWait(200*time.Millisecond))
		return newClient(t, b.Addr(), append(opts, own.opts(name, topic)...)...)
	}
	// Start each member polling so it joins; the leader (first to join)
	// stays so, and the restarting member is the follower.
	pollBriefly := func(cl *kgo.Client) {
		ctx, cancel := contextWithTimeout(t, 50*time.Millisecond)
		defer cancel()
		cl.PollFetches(ctx)
	}
	a := member("a")
	waitFor(t, "a alone", func() error {
		pollBriefly(a)
		if err := stableWith(t, adm, group, 1); err != nil {
			return err
		}
		return own.balanced([]string{"a"}, parts)
	})
	bm := member("b")
	waitFor(t, "a and b", func() error {
		pollBriefly(a)
		pollBriefly(bm)
		if err := stableWith(t, adm, group, 2); err != nil {
			return err
		}
		return own.balanced([]string{"a", "b"}, parts)
	})
	before := own.owned()
	aCalls, bCalls := own.callbacks("a"), own.callbacks("b")
	_, aGen := a.GroupMetadata()
	_, bGen := bm.GroupMetadata()
	if aGen != bGen || aGen < 1 {
		t.Fatalf("generations a=%d b=%d", aGen, bGen)
	}

	// Close does not leave for a static member; its partitions stay
	// assigned to the instance id while the session lasts.
	bm.Close()
	own.drop("b", before["b"]) // Close revokes in the client only
	bm2 := member("b")
	waitFor(t, "b back", func() error {
		pollBriefly(a)
		pollBriefly(bm2)
		if own.callbacks("b") == bCalls {
			return fmt.Errorf("restarted b not assigned yet")
		}
		return stableWith(t, adm, group, 2)
	})
	if got := own.owned(); !slices.Equal(got["b"], before["b"]) || !slices.Equal(got["a"], before["a"]) {
		t.Errorf("after b restarted: ownership %v, want %v", got, before)
	}
	if n := own.callbacks("a"); n != aCalls {
		t.Errorf("a was assigned partitions %d more times: the group rebalanced", n-aCalls)
	}
	// a heartbeats for a while: a rebalance would reach it as
	// REBALANCE_IN_PROGRESS within a few heartbeat intervals.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		pollBriefly(a)
		pollBriefly(bm2)
	}
	if _, g := a.GroupMetadata(); g != aGen {
		t.Errorf("a's generation went from %d to %d: the group rebalanced", aGen, g)
	}
	if _, g := bm2.GroupMetadata(); g != aGen {
		t.Errorf("restarted b is in generation %d, want %d", g, aGen)
	}
	if n := own.callbacks("a"); n != aCalls {
		t.Errorf("a was assigned partitions %d more times: the group rebalanced", n-aCalls)
	}
	if err := stableWith(t, adm, group, 2); err != nil {
		t.Error(err)
	}
	g := describeGroup(t, adm, group)
	var instances []string
	for _, m := range g.Members {
		if m.InstanceID != nil {
			instances = append(instances, *m.InstanceID)
		}
	}
	slices.Sort(instances)
	if !slices.Equal(instances, []string{"a", "b"}) {
		t.Errorf("DescribeGroups instance ids %v, want [a b]", instances)
	}
	own.check(t)
}
