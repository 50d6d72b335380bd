package group

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fakeTopics is a changeable Options.Topics.
type fakeTopics struct {
	mu sync.Mutex
	m  map[string]TopicMeta
}

func (f *fakeTopics) get() map[string]TopicMeta {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.m)
}

func (f *fakeTopics) add(name string, id byte, parts int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = make(map[string]TopicMeta)
	}
	f.m[name] = TopicMeta{ID: tid(id), Partitions: parts}
}

func tid(n byte) [16]byte { return [16]byte{15: n} }

// newConsumerCoordinator has topic "t" (id 1, 4 partitions) and "u" (id 2,
// 2 partitions).
func newConsumerCoordinator(t *testing.T, mod func(*Options)) (*Coordinator, *fakeTopics) {
	t.Helper()
	ft := &fakeTopics{}
	ft.add("t", 1, 4)
	ft.add("u", 2, 2)
	c, _ := newTestCoordinator(t, func(o *Options) {
		o.Topics = ft.get
		o.TopicName = func(id [16]byte) (string, bool) {
			for n, m := range ft.get() {
				if m.ID == id {
					return n, true
				}
			}
			return "", false
		}
		if mod != nil {
			mod(o)
		}
	})
	return c, ft
}

// cm is a test KIP-848 client: what it owns is what the coordinator last
// assigned it, dropped the moment a response revokes it.
type cm struct {
	group, id string
	instance  *string
	epoch     int32
	owned     partSet
	topics    []string
	regex     *string
	assignor  *string
}

func newCM(group, id string, topics ...string) *cm {
	return &cm{group: group, id: id, topics: topics, owned: make(partSet)}
}

func (m *cm) req() *kmsg.ConsumerGroupHeartbeatRequest {
	req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	req.Version = 1
	req.Group, req.MemberID, req.MemberEpoch, req.InstanceID = m.group, m.id, m.epoch, m.instance
	if m.epoch == 0 {
		req.RebalanceTimeoutMillis = 60000
		req.SubscribedTopicNames = m.topics
		if req.SubscribedTopicNames == nil && m.regex == nil {
			req.SubscribedTopicNames = []string{}
		}
		req.SubscribedTopicRegex = m.regex
		req.ServerAssignor = m.assignor
	}
	req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
	for _, p := range m.owned.sorted() {
		if n := len(req.Topics); n == 0 || req.Topics[n-1].TopicID != p.id {
			req.Topics = append(req.Topics, kmsg.ConsumerGroupHeartbeatRequestTopic{TopicID: p.id})
		}
		t := &req.Topics[len(req.Topics)-1]
		t.Partitions = append(t.Partitions, p.p)
	}
	return req
}

// beat heartbeats as m and applies the response; it fails on an error.
func (m *cm) beat(t *testing.T, c *Coordinator) *kmsg.ConsumerGroupHeartbeatResponse {
	t.Helper()
	resp := c.ConsumerGroupHeartbeatFrom(m.req(), "client-"+m.id, "/127.0.0.1")
	if resp.ErrorCode != 0 {
		t.Fatalf("heartbeat of %s: %s %v", m.id, codeName(resp.ErrorCode), resp.ErrorMessage)
	}
	if resp.MemberID != nil {
		m.id = *resp.MemberID
	}
	m.epoch = resp.MemberEpoch
	if resp.Assignment != nil {
		m.owned = make(partSet)
		for _, at := range resp.Assignment.Topics {
			for _, p := range at.Partitions {
				m.owned[tidp{at.TopicID, p}] = struct{}{}
			}
		}
	}
	return resp
}

func (m *cm) leave(t *testing.T, c *Coordinator, epoch int32) {
	t.Helper()
	m.epoch = epoch
	resp := c.ConsumerGroupHeartbeat(m.req())
	wantCode(t, "leave", resp.ErrorCode, 0)
	if resp.MemberEpoch != epoch {
		t.Fatalf("leave answered epoch %d", resp.MemberEpoch)
	}
}

// noDoubleOwnership checks that no partition is owned by two members.
func noDoubleOwnership(t *testing.T, ms ...*cm) {
	t.Helper()
	seen := make(map[tidp]string)
	for _, m := range ms {
		for p := range m.owned {
			if o, ok := seen[p]; ok {
				t.Fatalf("partition %v owned by %s and %s", p, o, m.id)
			}
			seen[p] = m.id
		}
	}
}

func parts(id byte, ps ...int32) partSet {
	s := make(partSet)
	for _, p := range ps {
		s[tidp{tid(id), p}] = struct{}{}
	}
	return s
}

func describeConsumer(c *Coordinator, group string) kmsg.ConsumerGroupDescribeResponseGroup {
	req := kmsg.NewPtrConsumerGroupDescribeRequest()
	req.Version = 1
	req.Groups = []string{group}
	return c.ConsumerGroupDescribe(req).Groups[0]
}

func TestConsumerGroupRevokeBeforeReassign(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	resp := a.beat(t, c)
	if a.epoch != 1 || !maps.Equal(a.owned, parts(1, 0, 1, 2, 3)) {
		t.Fatalf("first member: epoch %d owns %v", a.epoch, a.owned)
	}
	if resp.HeartbeatIntervalMillis != 5000 {
		t.Fatalf("heartbeat interval %d", resp.HeartbeatIntervalMillis)
	}
	if d := describeConsumer(c, "g"); d.State != "Stable" || d.Epoch != 1 {
		t.Fatalf("after one member: %s epoch %d", d.State, d.Epoch)
	}

	b.beat(t, c) // group epoch 2; b's partitions are still a's
	if b.epoch != 2 || len(b.owned) != 0 {
		t.Fatalf("second member before revocation: epoch %d owns %v", b.epoch, b.owned)
	}
	noDoubleOwnership(t, a, b)
	if d := describeConsumer(c, "g"); d.State != "Reconciling" || d.Epoch != 2 || d.AssignmentEpoch != 2 {
		t.Fatalf("while reconciling: %s epoch %d/%d", d.State, d.Epoch, d.AssignmentEpoch)
	}
	a.beat(t, c) // told to revoke two partitions, keeps epoch 1
	if a.epoch != 1 || len(a.owned) != 2 {
		t.Fatalf("revoking member: epoch %d owns %v", a.epoch, a.owned)
	}
	noDoubleOwnership(t, a, b)
	// b heartbeats before a has confirmed: nothing yet, whatever it asks.
	b.beat(t, c)
	if len(b.owned) != 0 {
		t.Fatalf("partitions given before their owner revoked them: %v", b.owned)
	}
	a.beat(t, c) // confirms: owned partitions no longer include the revoked ones
	if a.epoch != 2 {
		t.Fatalf("epoch after revocation %d", a.epoch)
	}
	b.beat(t, c)
	noDoubleOwnership(t, a, b)
	if len(b.owned) != 2 || len(a.owned)+len(b.owned) != 4 {
		t.Fatalf("final: a %v b %v", a.owned, b.owned)
	}
	if d := describeConsumer(c, "g"); d.State != "Stable" {
		t.Fatalf("final state %s", d.State)
	}
}

func TestConsumerGroupChurnNeverDoubleOwns(t *testing.T) {
	c, ft := newConsumerCoordinator(t, nil)
	ft.add("big", 3, 12)
	var ms []*cm
	for i := range 5 {
		ms = append(ms, newCM("g", fmt.Sprintf("m%d", i), "big", "t"))
		// After each join, everyone heartbeats a few rounds, in turn.
		for range 4 {
			for _, m := range ms {
				m.beat(t, c)
				noDoubleOwnership(t, ms...)
			}
		}
	}
	total := 0
	for _, m := range ms {
		total += len(m.owned)
		if len(m.owned) < 3 || len(m.owned) > 4 {
			t.Fatalf("unbalanced: %s owns %d", m.id, len(m.owned))
		}
	}
	if total != 16 {
		t.Fatalf("%d partitions owned, want 16", total)
	}
}

func TestAssignors(t *testing.T) {
	meta := map[string]TopicMeta{"t": {tid(1), 7}, "u": {tid(2), 3}}
	for _, tc := range []struct {
		name string
		fn   assignor
		subs map[string][]string
		prev map[string]partSet
		want map[string]partSet
	}{
		{"uniform one member", assignUniform, map[string][]string{"a": {"u"}}, nil,
			map[string]partSet{"a": parts(2, 0, 1, 2)}},
		{"uniform three members", assignUniform, map[string][]string{"a": {"t"}, "b": {"t"}, "c": {"t"}}, nil,
			map[string]partSet{"a": parts(1, 0, 3, 6), "b": parts(1, 1, 4), "c": parts(1, 2, 5)}},
		{"uniform is sticky", assignUniform, map[string][]string{"a": {"u"}, "b": {"u"}},
			map[string]partSet{"a": parts(2, 0, 1, 2)},
			map[string]partSet{"a": parts(2, 0, 1), "b": parts(2, 2)}},
		{"uniform heterogeneous", assignUniform, map[string][]string{"a": {"u"}, "b": {"t", "u"}}, nil,
			map[string]partSet{"a": parts(2, 0, 1, 2), "b": parts(1, 0, 1, 2, 3, 4, 5, 6)}},
		{"range co-partitions", assignRange, map[string][]string{"a": {"t", "u"}, "b": {"t", "u"}}, nil,
			map[string]partSet{
				"a": union(parts(1, 0, 1, 2, 3), parts(2, 0, 1)),
				"b": union(parts(1, 4, 5, 6), parts(2, 2)),
			}},
		{"range three members", assignRange, map[string][]string{"a": {"t"}, "b": {"t"}, "c": {"t"}}, nil,
			map[string]partSet{"a": parts(1, 0, 1, 2), "b": parts(1, 3, 4), "c": parts(1, 5, 6)}},
		{"no subscribed topics", assignRange, map[string][]string{"a": nil}, nil,
			map[string]partSet{"a": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.fn(tc.subs, meta, tc.prev)
			if !maps.EqualFunc(got, tc.want, func(a, b partSet) bool { return maps.Equal(a, b) }) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func union(a, b partSet) partSet {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func TestConsumerGroupRangeAssignorChosen(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	a, b := newCM("g", "a", "t", "u"), newCM("g", "b", "t", "u")
	r := "range"
	a.assignor, b.assignor = &r, &r
	for range 3 {
		a.beat(t, c)
		b.beat(t, c)
	}
	noDoubleOwnership(t, a, b)
	if !maps.Equal(a.owned, union(parts(1, 0, 1), parts(2, 0))) || !maps.Equal(b.owned, union(parts(1, 2, 3), parts(2, 1))) {
		t.Fatalf("range: a %v b %v", a.owned, b.owned)
	}
	if d := describeConsumer(c, "g"); d.AssignorName != "range" {
		t.Fatalf("assignor %q", d.AssignorName)
	}
}

// stableConsumers heartbeats ms until the group is Stable.
func stableConsumers(t *testing.T, c *Coordinator, ms ...*cm) {
	t.Helper()
	for range 10 {
		for _, m := range ms {
			m.beat(t, c)
			noDoubleOwnership(t, ms...)
		}
		if describeConsumer(c, ms[0].group).State == "Stable" {
			return
		}
	}
	t.Fatal("group did not become Stable")
}

func TestConsumerGroupLeaveReassigns(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	stableConsumers(t, c, a, b)
	b.leave(t, c, -1)
	a.beat(t, c)
	if !maps.Equal(a.owned, parts(1, 0, 1, 2, 3)) {
		t.Fatalf("after leave a owns %v", a.owned)
	}
	if d := describeConsumer(c, "g"); len(d.Members) != 1 || d.Epoch != 3 {
		t.Fatalf("after leave: %d members epoch %d", len(d.Members), d.Epoch)
	}
	// A member that left is unknown.
	b.epoch = 2
	wantCode(t, "heartbeat after leave", c.ConsumerGroupHeartbeat(b.req()).ErrorCode, kerr.UnknownMemberID.Code)
}

func TestConsumerGroupSessionExpiry(t *testing.T) {
	c, _ := newConsumerCoordinator(t, func(o *Options) { o.ConsumerSessionTimeout = 150 * time.Millisecond })
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	stableConsumers(t, c, a, b)
	waitFor(t, "b's session to expire", func() error {
		a.beat(t, c)
		if len(a.owned) != 4 {
			return fmt.Errorf("a owns %d", len(a.owned))
		}
		return nil
	})
	wantCode(t, "expired member", c.ConsumerGroupHeartbeat(b.req()).ErrorCode, kerr.UnknownMemberID.Code)
}

func TestConsumerGroupHeartbeatErrors(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	a := newCM("g", "a", "t")
	a.beat(t, c)
	stableGroup(t, c, newTM("classic", "t"))
	simpleCommit(c, "simple", "t", 0, 1)

	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name string
		mod  func(r *kmsg.ConsumerGroupHeartbeatRequest)
		want int16
	}{
		{"fenced: epoch ahead", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.MemberEpoch = 5 }, kerr.FencedMemberEpoch.Code},
		{"unknown member", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.MemberID = "nobody" }, kerr.UnknownMemberID.Code},
		{"missing group", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.Group = "missing" }, kerr.GroupIDNotFound.Code},
		{"missing group leave", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.Group, r.MemberEpoch = "missing", -1 }, kerr.GroupIDNotFound.Code},
		{"simple group", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.Group = "simple" }, kerr.GroupIDNotFound.Code},
		{"classic group with members", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.Group = "classic" }, kerr.GroupIDNotFound.Code},
		{"empty group id", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.Group = "" }, kerr.InvalidRequest.Code},
		{"empty member id v1", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.MemberID = "" }, kerr.InvalidRequest.Code},
		{"join without rebalance timeout", func(r *kmsg.ConsumerGroupHeartbeatRequest) {
			r.MemberID, r.MemberEpoch, r.SubscribedTopicNames = "new", 0, []string{"t"}
		}, kerr.InvalidRequest.Code},
		{"join without subscription", func(r *kmsg.ConsumerGroupHeartbeatRequest) {
			r.MemberID, r.MemberEpoch, r.RebalanceTimeoutMillis = "new", 0, 1000
		}, kerr.InvalidRequest.Code},
		{"join owning partitions", func(r *kmsg.ConsumerGroupHeartbeatRequest) {
			r.MemberID, r.MemberEpoch, r.RebalanceTimeoutMillis, r.SubscribedTopicNames = "new", 0, 1000, []string{"t"}
			r.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{{TopicID: tid(1), Partitions: []int32{0}}}
		}, kerr.InvalidRequest.Code},
		{"static leave without instance id", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.MemberEpoch = -2 }, kerr.InvalidRequest.Code},
		{"unsupported assignor", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.ServerAssignor = str("sticky") }, kerr.UnsupportedAssignor.Code},
		{"bad regex", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.SubscribedTopicRegex = str("(") }, kerr.InvalidRegularExpression.Code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := a.req()
			req.RebalanceTimeoutMillis = -1
			tc.mod(req)
			wantCode(t, tc.name, c.ConsumerGroupHeartbeat(req).ErrorCode, tc.want)
		})
	}
	if d := describeConsumer(c, "missing"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatal("a failed heartbeat created a group")
	}

	// v0: the broker makes the member id.
	v0 := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	v0.Group, v0.MemberEpoch, v0.RebalanceTimeoutMillis, v0.SubscribedTopicNames = "g0", 0, 1000, []string{"t"}
	resp := c.ConsumerGroupHeartbeat(v0)
	if resp.ErrorCode != 0 || resp.MemberID == nil || *resp.MemberID == "" || resp.MemberEpoch != 1 {
		t.Fatalf("v0 join: %+v", resp)
	}

	// An empty (simple) classic group becomes a consumer group on join and
	// keeps its offsets.
	s := newCM("simple", "s", "t")
	s.beat(t, c)
	if d := describeConsumer(c, "simple"); d.ErrorCode != 0 || len(d.Members) != 1 {
		t.Fatalf("converted group: %+v", d)
	}
	wantFetched(t, "offsets kept", fetch(c, "simple", "t", 0)[0], 1, 3, "md")
	// A classic member joins it as a classic member (migrate_test.go).
	j := newTM("simple", "t")
	wantCode(t, "classic join", recv(t, joinAsync(c, j)).ErrorCode, kerr.MemberIDRequired.Code)
}

func TestConsumerGroupPreviousEpoch(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	stableConsumers(t, c, a, b)
	// a's last response (epoch 2) was lost: it still says 1, owning a
	// subset of its assignment.
	req := a.req()
	req.MemberEpoch = 1
	resp := c.ConsumerGroupHeartbeat(req)
	if resp.ErrorCode != 0 || resp.MemberEpoch != 2 {
		t.Fatalf("previous epoch: %s epoch %d", codeName(resp.ErrorCode), resp.MemberEpoch)
	}
	req.Topics = nil // not a full request: no proof of what it owns
	wantCode(t, "previous epoch without owned", c.ConsumerGroupHeartbeat(req).ErrorCode, kerr.FencedMemberEpoch.Code)
	req = a.req()
	req.MemberEpoch = 3
	wantCode(t, "future epoch", c.ConsumerGroupHeartbeat(req).ErrorCode, kerr.FencedMemberEpoch.Code)
	// Rejoining with epoch 0 (after being fenced) returns its state.
	a.epoch, a.owned = 0, make(partSet)
	a.beat(t, c)
	if a.epoch != 2 || len(a.owned) != 2 {
		t.Fatalf("rejoin: epoch %d owns %v", a.epoch, a.owned)
	}
}

func TestConsumerGroupStaticMember(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	a.instance = strp("ia")
	stableConsumers(t, c, a, b)
	kept, epoch := a.owned, a.epoch

	// Another process with the same instance id while a is active.
	a2 := newCM("g", "a2", "t")
	a2.instance = strp("ia")
	wantCode(t, "unreleased", c.ConsumerGroupHeartbeat(a2.req()).ErrorCode, kerr.UnreleasedInstanceID.Code)

	a.leave(t, c, -2)
	b.beat(t, c)
	noDoubleOwnership(t, a2, b)
	if len(b.owned) != 2 {
		t.Fatalf("b got a static member's partitions while it was away: %v", b.owned)
	}
	a2.beat(t, c)
	if a2.epoch != epoch || !maps.Equal(a2.owned, kept) {
		t.Fatalf("static rejoin: epoch %d owns %v; want %d %v", a2.epoch, a2.owned, epoch, kept)
	}
	if d := describeConsumer(c, "g"); d.Epoch != 2 || len(d.Members) != 2 {
		t.Fatalf("static rejoin bumped the epoch or kept the old member: %+v", d)
	}
	// The old member id is fenced.
	a.epoch = epoch
	wantCode(t, "old static member id", c.ConsumerGroupHeartbeat(a.req()).ErrorCode, kerr.FencedInstanceID.Code)
}

func TestConsumerGroupRegexPicksUpNewTopic(t *testing.T) {
	c, ft := newConsumerCoordinator(t, nil)
	a := newCM("g", "a")
	a.regex = strp("t.*")
	a.beat(t, c)
	if !maps.Equal(a.owned, parts(1, 0, 1, 2, 3)) {
		t.Fatalf("regex t.*: owns %v", a.owned)
	}
	a.beat(t, c)
	if a.epoch != 1 {
		t.Fatalf("epoch moved without change: %d", a.epoch)
	}
	ft.add("t2", 9, 2)
	ft.add("xt", 8, 2) // not a full match
	a.beat(t, c)
	if a.epoch != 2 || !maps.Equal(a.owned, union(parts(1, 0, 1, 2, 3), parts(9, 0, 1))) {
		t.Fatalf("after t2 was created: epoch %d owns %v", a.epoch, a.owned)
	}
	d := describeConsumer(c, "g")
	if d.Members[0].SubscribedTopicRegex == nil || *d.Members[0].SubscribedTopicRegex != "t.*" {
		t.Fatalf("describe regex: %+v", d.Members[0])
	}
	// More partitions bump the epoch too.
	ft.add("t2", 9, 3)
	a.beat(t, c)
	if a.epoch != 3 || len(a.owned) != 7 {
		t.Fatalf("after t2 grew: epoch %d owns %d", a.epoch, len(a.owned))
	}
}

func TestConsumerGroupOffsets(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	stableConsumers(t, c, a, b)
	commitAs := func(version int16, member string, epoch int32) int16 {
		return c.OffsetCommit(commitReq(version, "g", member, epoch, "t", 0, 10)).Topics[0].Partitions[0].ErrorCode
	}
	for _, tc := range []struct {
		name    string
		version int16
		member  string
		epoch   int32
		want    int16
	}{
		{"current epoch", 9, a.id, a.epoch, 0},
		{"stale epoch", 9, a.id, a.epoch - 1, kerr.StaleMemberEpoch.Code},
		{"newer epoch", 9, a.id, a.epoch + 1, kerr.StaleMemberEpoch.Code},
		{"unknown member", 9, "nobody", a.epoch, kerr.UnknownMemberID.Code},
		{"admin into a group with members", 9, "", -1, kerr.UnknownMemberID.Code},
		{"old version", 8, a.id, a.epoch, kerr.UnsupportedVersion.Code},
	} {
		t.Run("commit "+tc.name, func(t *testing.T) {
			wantCode(t, tc.name, commitAs(tc.version, tc.member, tc.epoch), tc.want)
		})
	}
	fetchAs := func(member *string, epoch int32) kmsg.OffsetFetchResponseGroup {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Version = 9
		req.Groups = []kmsg.OffsetFetchRequestGroup{{Group: "g", MemberID: member, MemberEpoch: epoch,
			Topics: []kmsg.OffsetFetchRequestGroupTopic{{Topic: "t", Partitions: []int32{0}}}}}
		return c.OffsetFetch(req).Groups[0]
	}
	for _, tc := range []struct {
		name   string
		member *string
		epoch  int32
		want   int16
	}{
		{"member", &a.id, a.epoch, 0},
		{"admin", nil, -1, 0},
		{"stale", &a.id, a.epoch - 1, kerr.StaleMemberEpoch.Code},
		{"unknown", strp("nobody"), 1, kerr.UnknownMemberID.Code},
	} {
		t.Run("fetch "+tc.name, func(t *testing.T) {
			g := fetchAs(tc.member, tc.epoch)
			wantCode(t, tc.name, g.ErrorCode, tc.want)
			if tc.want == 0 {
				wantFetched(t, tc.name, g.Topics[0].Partitions[0], 10, 3, "md")
			}
		})
	}
	// Once empty, commits without membership succeed and the group can
	// be deleted.
	wantCode(t, "delete non-empty", deleteGroups(c, "g")[0], kerr.NonEmptyGroup.Code)
	a.leave(t, c, -1)
	b.leave(t, c, -1)
	wantCode(t, "admin commit into empty group", commitAs(9, "", -1), 0)
	if d := describeConsumer(c, "g"); d.State != "Empty" {
		t.Fatalf("state %s", d.State)
	}
	wantCode(t, "delete empty", deleteGroups(c, "g")[0], 0)
	if d := describeConsumer(c, "g"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatal("deleted group still described")
	}
}

func TestConsumerGroupListAndDescribe(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	stableGroup(t, c, newTM("classic", "t"))
	a := newCM("cg", "a", "t", "u")
	a.beat(t, c)
	list := func(states, types []string) []string {
		req := kmsg.NewPtrListGroupsRequest()
		req.Version, req.StatesFilter, req.TypesFilter = 5, states, types
		var out []string
		for _, g := range c.ListGroups(req).Groups {
			out = append(out, g.Group+":"+g.GroupState+":"+g.ProtocolType+":"+g.GroupType)
		}
		return out
	}
	for _, tc := range []struct {
		name          string
		states, types []string
		want          []string
	}{
		{"all", nil, nil, []string{"cg:Stable:consumer:consumer", "classic:Stable:consumer:classic"}},
		{"consumer type", nil, []string{"Consumer"}, []string{"cg:Stable:consumer:consumer"}},
		{"classic type", nil, []string{"classic"}, []string{"classic:Stable:consumer:classic"}},
		{"reconciling", []string{"reconciling"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := list(tc.states, tc.types); !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}

	d := describeConsumer(c, "cg")
	if d.ErrorCode != 0 || d.State != "Stable" || d.Epoch != 1 || d.AssignmentEpoch != 1 || d.AssignorName != "uniform" || len(d.Members) != 1 {
		t.Fatalf("describe: %+v", d)
	}
	m := d.Members[0]
	if m.MemberID != "a" || m.MemberEpoch != 1 || m.ClientID != "client-a" || m.ClientHost != "/127.0.0.1" ||
		!slices.Equal(m.SubscribedTopics, []string{"t", "u"}) || m.MemberType != 1 {
		t.Fatalf("member: %+v", m)
	}
	for _, a := range []kmsg.Assignment{m.Assignment, m.TargetAssignment} {
		if len(a.TopicPartitions) != 2 || a.TopicPartitions[0].Topic != "t" || a.TopicPartitions[0].TopicID != tid(1) ||
			len(a.TopicPartitions[0].Partitions) != 4 || a.TopicPartitions[1].Topic != "u" {
			t.Fatalf("assignment: %+v", a)
		}
	}
	if d := describeConsumer(c, "classic"); d.ErrorCode != kerr.GroupIDNotFound.Code || *d.ErrorMessage != "Group classic is not a consumer group." {
		t.Fatalf("classic via ConsumerGroupDescribe: %+v", d)
	}
	// DescribeGroups answers a consumer group as Kafka 4 does.
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{"cg"}
	for _, tc := range []struct {
		version int16
		code    int16
	}{{5, 0}, {6, kerr.GroupIDNotFound.Code}} {
		req.Version = tc.version
		g := c.DescribeGroups(req).Groups[0]
		if g.State != "Dead" || g.ErrorCode != tc.code || len(g.Members) != 0 {
			t.Fatalf("DescribeGroups v%d of a consumer group: %+v", tc.version, g)
		}
	}
	// OffsetDelete protects subscribed topics.
	od := kmsg.NewPtrOffsetDeleteRequest()
	od.Group = "cg"
	od.Topics = []kmsg.OffsetDeleteRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 0}}}}
	if r := c.OffsetDelete(od); r.ErrorCode != 0 || r.Topics[0].Partitions[0].ErrorCode != kerr.GroupSubscribedToTopic.Code {
		t.Fatalf("offset delete: %+v", r)
	}
}
