package clients

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa"
	"github.com/samsa-streaming/samsa/samsatest"
)

// Helpers shared by the consumer group tests (group_*_test.go).

// groupConfigs make rebalances fast: no initial delay for the first join,
// and session timeouts down to one second so a crashed member is expired
// within seconds.
func groupConfigs() []samsatest.Option {
	return []samsatest.Option{
		samsatest.Config("group.initial.rebalance.delay.ms", "0"),
		samsatest.Config("group.min.session.timeout.ms", "1000"),
	}
}

// startGroupBroker starts a broker configured by groupConfigs plus opts.
func startGroupBroker(t *testing.T, opts ...samsatest.Option) (*samsa.Broker, *kadm.Client) {
	t.Helper()
	return startBroker(t, append(groupConfigs(), opts...)...)
}

// groupOpts are the options every kgo group member in these tests uses:
// short timeouts so joins, expiries and commits happen in test time.
func groupOpts(group, topic string) []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.SessionTimeout(3 * time.Second),
		kgo.HeartbeatInterval(300 * time.Millisecond),
		kgo.RebalanceTimeout(5 * time.Second),
		kgo.AutoCommitInterval(100 * time.Millisecond),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}
}

// committedOffsets is OffsetFetch for group, as partition -> offset of
// topic (partitions with nothing committed are absent).
func committedOffsets(ctx context.Context, adm *kadm.Client, group, topic string) (map[int32]int64, error) {
	resp, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return nil, err
	}
	if err := resp.Error(); err != nil {
		return nil, err
	}
	out := make(map[int32]int64)
	for p, o := range resp[topic] {
		if o.Err != nil {
			return nil, fmt.Errorf("partition %d: %w", p, o.Err)
		}
		if o.At >= 0 {
			out[p] = o.At
		}
	}
	return out, nil
}

// endOffsets is ListOffsets(latest) for every partition of topic.
func endOffsets(t *testing.T, adm *kadm.Client, topic string) map[int32]int64 {
	t.Helper()
	ends, err := adm.ListEndOffsets(testContext(t), topic)
	if err != nil {
		t.Fatalf("ListEndOffsets: %v", err)
	}
	out := make(map[int32]int64)
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Fatalf("end offset of %s/%d: %v", o.Topic, o.Partition, o.Err)
		}
		out[o.Partition] = o.Offset
	})
	return out
}

// waitCommitted waits until group has committed every partition of topic
// up to its end offset.
func waitCommitted(t *testing.T, adm *kadm.Client, group, topic string, ends map[int32]int64) {
	t.Helper()
	waitFor(t, "commits up to the end offsets", func() error {
		got, err := committedOffsets(testContext(t), adm, group, topic)
		if err != nil {
			return err
		}
		for p, end := range ends {
			if got[p] != end {
				return fmt.Errorf("committed %v, want %v", got, ends)
			}
		}
		return nil
	})
}

// offsetWatch polls a group's committed offsets until stopped and records
// any that moved backwards.
type offsetWatch struct {
	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	last  map[int32]int64
	back  []string
	polls int
}

func watchOffsets(t *testing.T, adm *kadm.Client, group, topic string) *offsetWatch {
	t.Helper()
	w := &offsetWatch{stop: make(chan struct{}), done: make(chan struct{}), last: make(map[int32]int64)}
	ctx := testContext(t)
	go func() {
		defer close(w.done)
		for {
			select {
			case <-w.stop:
				return
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			got, err := committedOffsets(ctx, adm, group, topic)
			if err != nil {
				continue // the broker may be between states; the next poll will do
			}
			w.mu.Lock()
			w.polls++
			for p, o := range got {
				if prev, ok := w.last[p]; ok && o < prev {
					w.back = append(w.back, fmt.Sprintf("partition %d: committed offset went from %d to %d", p, prev, o))
				}
				w.last[p] = o
			}
			w.mu.Unlock()
		}
	}()
	return w
}

// check stops the watch and fails the test if an offset moved backwards.
func (w *offsetWatch) check(t *testing.T) {
	t.Helper()
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.polls == 0 {
		t.Error("offset watch never fetched the committed offsets")
	}
	for _, b := range w.back {
		t.Error(b)
	}
}

// ownership follows which member owns which partition, as the members'
// assignment callbacks report it, and records every moment a partition
// was owned by two live members.
type ownership struct {
	mu       sync.Mutex
	owners   map[int32]map[string]bool
	dead     map[string]bool
	overlaps []string
	assigned map[string]int // callbacks with partitions, per member
}

func newOwnership() *ownership {
	return &ownership{owners: make(map[int32]map[string]bool), dead: make(map[string]bool), assigned: make(map[string]int)}
}

// opts are the callbacks that report member's assignment changes.
func (o *ownership) opts(member, topic string) []kgo.Opt {
	return []kgo.Opt{
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			o.assign(member, m[topic])
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			o.drop(member, m[topic])
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			o.drop(member, m[topic])
		}),
	}
}

func (o *ownership) assign(member string, ps []int32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dead[member] || len(ps) == 0 {
		return
	}
	o.assigned[member]++
	for _, p := range ps {
		if o.owners[p] == nil {
			o.owners[p] = make(map[string]bool)
		}
		for other := range o.owners[p] {
			if other != member {
				o.overlaps = append(o.overlaps, fmt.Sprintf("partition %d assigned to %s while %s still owns it", p, member, other))
			}
		}
		o.owners[p][member] = true
	}
}

func (o *ownership) drop(member string, ps []int32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range ps {
		delete(o.owners[p], member)
	}
}

// kill ends member's ownerships: it left or crashed, and whatever its
// client reports later does not count.
func (o *ownership) kill(member string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dead[member] = true
	for _, m := range o.owners {
		delete(m, member)
	}
}

// owned returns each live member's partitions, sorted.
func (o *ownership) owned() map[string][]int32 {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string][]int32)
	for p, m := range o.owners {
		for member := range m {
			out[member] = append(out[member], p)
		}
	}
	for _, ps := range out {
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	}
	return out
}

// callbacks is how many non-empty assignments member has been given.
func (o *ownership) callbacks(member string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.assigned[member]
}

// balanced reports nil once exactly the members own all n partitions
// between them, each at least one.
func (o *ownership) balanced(members []string, n int) error {
	owned := o.owned()
	total := 0
	for _, m := range members {
		if len(owned[m]) == 0 {
			return fmt.Errorf("%s owns nothing; ownership %v", m, owned)
		}
		total += len(owned[m])
	}
	if total != n || len(owned) != len(members) {
		return fmt.Errorf("ownership %v, want %d partitions over %v", owned, n, members)
	}
	return nil
}

func (o *ownership) check(t *testing.T) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range o.overlaps {
		t.Error(s)
	}
}

// cutDialer dials normally until cut, which closes every connection it
// made and fails later dials: to the broker the client has crashed.
type cutDialer struct {
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

var errCut = errors.New("test: connections cut")

func (d *cutDialer) dial(ctx context.Context, network, host string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cut {
		return nil, errCut
	}
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, host)
	if err == nil {
		d.conns = append(d.conns, c)
	}
	return c, err
}

func (d *cutDialer) sever() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cut = true
	for _, c := range d.conns {
		c.Close()
	}
}

// describeGroup returns the group as DescribeGroups shows it.
func describeGroup(t *testing.T, adm *kadm.Client, group string) kadm.DescribedGroup {
	t.Helper()
	gs, err := adm.DescribeGroups(testContext(t), group)
	if err != nil {
		t.Fatalf("DescribeGroups: %v", err)
	}
	g, ok := gs[group]
	if !ok {
		t.Fatalf("DescribeGroups: no %q in %v", group, gs.Names())
	}
	if g.Err != nil {
		t.Fatalf("DescribeGroups %s: %v", group, g.Err)
	}
	return g
}

// stableWith reports nil once group is Stable with n members.
func stableWith(t *testing.T, adm *kadm.Client, group string, n int) error {
	gs, err := adm.DescribeGroups(testContext(t), group)
	if err != nil {
		return err
	}
	g := gs[group]
	if g.Err != nil {
		return g.Err
	}
	if g.State != "Stable" || len(g.Members) != n {
		var ids []string
		for _, m := range g.Members {
			ids = append(ids, m.MemberID)
		}
		return fmt.Errorf("group %s is %s with members [%s], want Stable with %d", group, g.State, strings.Join(ids, " "), n)
	}
	return nil
}

// coverage checks that seen holds every offset below ends.
func coverage(t *testing.T, seen map[int32]map[int64]bool, ends map[int32]int64) {
	t.Helper()
	for p, end := range ends {
		missing := 0
		first := int64(-1)
		for o := range end {
			if !seen[p][o] {
				if missing == 0 {
					first = o
				}
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("partition %d: %d of %d records never consumed (first missing offset %d)", p, missing, end, first)
		}
	}
}

// contextWithTimeout is a context under the test's that ends after d.
func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(testContext(t), d)
}
