package group

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// restartable is a consumer coordinator over a memStore that can be
// restarted: closed, then made anew from what the store replays.
type restartable struct {
	t   *testing.T
	st  *memStore
	ft  *fakeTopics
	mod func(*Options)
	c   *Coordinator
}

// newRestartable has topics "t" (id 1, 4 partitions) and "u" (id 2, 2).
func newRestartable(t *testing.T, mod func(*Options)) *restartable {
	t.Helper()
	r := &restartable{t: t, st: newMemStore(), ft: &fakeTopics{}, mod: mod}
	r.ft.add("t", 1, 4)
	r.ft.add("u", 2, 2)
	r.start(Loaded{})
	return r
}

func (r *restartable) start(l Loaded) {
	opts := Options{
		Store:                  r.st,
		MinSessionTimeout:      time.Millisecond,
		MaxSessionTimeout:      10 * time.Minute,
		InitialRebalanceDelay:  -1,
		RetentionCheckInterval: time.Hour,
		Topics:                 r.ft.get,
		TopicName: func(id [16]byte) (string, bool) {
			for n, m := range r.ft.get() {
				if m.ID == id {
					return n, true
				}
			}
			return "", false
		},
	}
	if r.mod != nil {
		r.mod(&opts)
	}
	r.c = New(opts, l)
	r.t.Cleanup(r.c.Close)
}

// restart closes the coordinator and starts one from the store's state.
func (r *restartable) restart() {
	r.t.Helper()
	r.c.Close()
	r.start(r.st.loaded())
}

// describeAll is what ConsumerGroupDescribe and ListGroups say of group.
func describeAll(c *Coordinator, group string) (kmsg.ConsumerGroupDescribeResponseGroup, []kmsg.ListGroupsResponseGroup) {
	req := kmsg.NewPtrListGroupsRequest()
	req.Version = 5
	return describeConsumer(c, group), c.ListGroups(req).Groups
}

func TestConsumerGroupRestartKeepsMembers(t *testing.T) {
	r := newRestartable(t, nil)
	a, b, s := newCM("g", "a", "t"), newCM("g", "b", "t", "u"), newCM("g", "s", "u")
	s.instance = strp("static")
	b.regex = strp("u|v")
	rng := "range"
	b.assignor = &rng
	stableConsumers(t, r.c, a, b, s)
	before, beforeList := describeAll(r.c, "g")
	r.st.takeEvents()

	r.restart()
	after, afterList := describeAll(r.c, "g")
	if !reflect.DeepEqual(after, before) || !reflect.DeepEqual(afterList, beforeList) {
		t.Fatalf("after the restart\n%+v\n%+v\nbefore\n%+v\n%+v", after, afterList, before, beforeList)
	}
	// Each member goes on at its epoch with its partitions: no rejoin,
	// nothing to revoke, nothing to write.
	for _, m := range []*cm{a, b, s} {
		epoch, owned := m.epoch, m.owned
		resp := m.beat(t, r.c)
		if m.epoch != epoch || !maps.Equal(m.owned, owned) || resp.Assignment != nil {
			t.Fatalf("%s after the restart: epoch %d owns %v (assignment %v), was %d %v", m.id, m.epoch, m.owned, resp.Assignment, epoch, owned)
		}
	}
	if ev := r.st.takeEvents(); len(ev) != 0 {
		t.Fatalf("heartbeats that change nothing wrote %q", ev)
	}
	wantCode(t, "commit at the member's epoch", c2Commit(r.c, a), 0)

	// The regex subscription still follows new topics.
	r.ft.add("v", 3, 1)
	stableConsumers(t, r.c, a, b, s)
	if !b.owned.has(tidp{tid(3), 0}) {
		t.Fatalf("b's regex did not pick up v after the restart: %v", b.owned)
	}
	// The static member leaves for a while and comes back under a new
	// member id, across a restart, with its partitions.
	kept := s.owned
	s.leave(t, r.c, -2)
	r.restart()
	s2 := newCM("g", "s2", "u")
	s2.instance = strp("static")
	s2.beat(t, r.c)
	if !maps.Equal(s2.owned, kept) {
		t.Fatalf("static member rejoined with %v, had %v", s2.owned, kept)
	}
}

func c2Commit(c *Coordinator, m *cm) int16 {
	return c.OffsetCommit(commitReq(9, m.group, m.id, m.epoch, "t", 0, 1)).Topics[0].Partitions[0].ErrorCode
}

// TestConsumerGroupRestartMidReconciliation restarts while a member must
// revoke partitions: it still must, its epoch still lags, and the new
// member gets them only once it did.
func TestConsumerGroupRestartMidReconciliation(t *testing.T) {
	r := newRestartable(t, nil)
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	a.beat(t, r.c)
	b.beat(t, r.c)
	a.beat(t, r.c) // told to revoke two partitions
	if a.epoch != 1 || len(a.owned) != 2 {
		t.Fatalf("before the restart a is at %d with %v", a.epoch, a.owned)
	}
	r.restart()
	b.beat(t, r.c)
	noDoubleOwnership(t, a, b)
	if len(b.owned) != 0 {
		t.Fatalf("b got %v before a revoked", b.owned)
	}
	a.beat(t, r.c) // confirms the revocation
	b.beat(t, r.c)
	noDoubleOwnership(t, a, b)
	if a.epoch != 2 || b.epoch != 2 || len(a.owned) != 2 || len(b.owned) != 2 {
		t.Fatalf("after reconciling: a %d %v b %d %v", a.epoch, a.owned, b.epoch, b.owned)
	}
	// A heartbeat at the previous epoch, owning a subset, is still fine:
	// the previous epoch was saved too.
	r.restart()
	req := a.req()
	req.MemberEpoch = 1
	if resp := r.c.ConsumerGroupHeartbeat(req); resp.ErrorCode != 0 || resp.MemberEpoch != 2 {
		t.Fatalf("previous epoch after the restart: %s epoch %d", codeName(resp.ErrorCode), resp.MemberEpoch)
	}
}

// TestConsumerGroupRestartExpiresSilentMembers: restored members get a
// fresh session; one that does not heartbeat is removed and the group,
// left Empty, is saved so.
func TestConsumerGroupRestartExpiresSilentMembers(t *testing.T) {
	r := newRestartable(t, func(o *Options) { o.ConsumerSessionTimeout = 300 * time.Millisecond })
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	stableConsumers(t, r.c, a, b)
	r.restart()
	waitFor(t, "b to expire", func() error {
		a.beat(t, r.c)
		if len(a.owned) != 4 {
			return fmt.Errorf("a owns %v", a.owned)
		}
		return nil
	})
	wantCode(t, "expired member", r.c.ConsumerGroupHeartbeat(b.req()).ErrorCode, kerr.UnknownMemberID.Code)
	waitFor(t, "a to expire", func() error {
		if d := describeConsumer(r.c, "g"); d.State != "Empty" {
			return fmt.Errorf("state %s", d.State)
		}
		return nil
	})
	r.restart()
	if d := describeConsumer(r.c, "g"); d.ErrorCode != 0 || d.State != "Empty" || len(d.Members) != 0 {
		t.Fatalf("after the restart: %+v", d)
	}
	wantCode(t, "delete", deleteGroups(r.c, "g")[0], 0)
	r.restart()
	if d := describeConsumer(r.c, "g"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("deleted group came back: %+v", d)
	}
}

// TestConsumerGroupWrites checks what each change writes: one
// SaveConsumerGroup per heartbeat that changes something, none otherwise.
func TestConsumerGroupWrites(t *testing.T) {
	r := newRestartable(t, nil)
	a, b := newCM("g", "a", "t"), newCM("g", "b", "t")
	step := func(what string, f func(), want ...string) {
		t.Helper()
		f()
		if ev := r.st.takeEvents(); !slices.Equal(ev, want) {
			t.Fatalf("%s wrote %q, want %q", what, ev, want)
		}
	}
	step("a joins", func() { a.beat(t, r.c) },
		"save-consumer g epoch=1 assignment-epoch=1 topics=1 members=a targets=a assignments=a")
	step("a heartbeats", func() { a.beat(t, r.c) })
	step("b joins", func() { b.beat(t, r.c) },
		"save-consumer g epoch=2 assignment-epoch=2 members=b targets=a,b assignments=b")
	step("a is told to revoke", func() { a.beat(t, r.c) }, "save-consumer g assignments=a")
	step("a revoked", func() { a.beat(t, r.c) }, "save-consumer g assignments=a")
	step("b gets its partitions", func() { b.beat(t, r.c) }, "save-consumer g assignments=b")
	step("b leaves", func() { b.leave(t, r.c, -1) },
		"save-consumer g epoch=3 assignment-epoch=3 targets=a removed=b")
	step("a leaves", func() { a.leave(t, r.c, -1) },
		"save-consumer g epoch=4 assignment-epoch=4 topics=0 removed=a")
	step("delete", func() { wantCode(t, "delete", deleteGroups(r.c, "g")[0], 0) }, "delete-group g")
}

// TestConsumerGroupFailedWriteChangesNothing fails the store under each
// kind of change: the request gets the store's code and the group stays
// exactly as it was.
func TestConsumerGroupFailedWriteChangesNothing(t *testing.T) {
	r := newRestartable(t, func(o *Options) { o.ConsumerSessionTimeout = 500 * time.Millisecond })
	a := newCM("g", "a", "t")
	r.st.setFail(errDisk)
	wantCode(t, "join of a new group", r.c.ConsumerGroupHeartbeat(a.req()).ErrorCode, kerr.CoordinatorNotAvailable.Code)
	if d := describeConsumer(r.c, "g"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("a failed join left a group: %+v", d)
	}
	r.st.setFail(nil)
	a.beat(t, r.c)
	before := describeConsumer(r.c, "g")

	b := newCM("g", "b", "t")
	r.st.setFail(errDisk)
	for what, req := range map[string]*kmsg.ConsumerGroupHeartbeatRequest{
		"b joins": b.req(),
		"a changes topics": func() *kmsg.ConsumerGroupHeartbeatRequest {
			q := a.req()
			q.SubscribedTopicNames = []string{"t", "u"}
			return q
		}(),
		"a leaves": func() *kmsg.ConsumerGroupHeartbeatRequest { q := a.req(); q.MemberEpoch = -1; return q }(),
	} {
		wantCode(t, what, r.c.ConsumerGroupHeartbeat(req).ErrorCode, kerr.CoordinatorNotAvailable.Code)
		if d := describeConsumer(r.c, "g"); !reflect.DeepEqual(d, before) {
			t.Fatalf("after %s failed:\n%+v\nwas\n%+v", what, d, before)
		}
	}
	// A classic member's join fails the same way.
	j := newClassic("g", false)
	getMemberID(t, r.c, j.tm)
	wantCode(t, "classic join", recv(t, joinAsync(r.c, j.tm)).ErrorCode, kerr.CoordinatorNotAvailable.Code)
	// So does a removal by a timer, which is retried: a stops heartbeating
	// and stays until the store works again.
	time.Sleep(700 * time.Millisecond)
	if d := describeConsumer(r.c, "g"); !reflect.DeepEqual(d, before) {
		t.Fatalf("a was removed while its removal could not be saved: %+v", d)
	}
	r.st.setFail(nil)
	waitFor(t, "a's removal to be retried", func() error {
		if d := describeConsumer(r.c, "g"); d.State != "Empty" {
			return fmt.Errorf("state %s", d.State)
		}
		return nil
	})
	r.restart()
	if d := describeConsumer(r.c, "g"); d.State != "Empty" || d.Epoch != before.Epoch+1 {
		t.Fatalf("after the restart: %+v", d)
	}
}

// TestConsumerGroupRestartWithClassicMembers restarts an upgraded group:
// its classic members carry on with Heartbeat at their epoch, the
// consumer member with ConsumerGroupHeartbeat; when the consumer member
// leaves, the group downgrades as before the restart.
func TestConsumerGroupRestartWithClassicMembers(t *testing.T) {
	r := newRestartable(t, withDelay)
	a, b := newClassic("g", false), newClassic("g", false)
	stableClassic(t, r.c, map[*classicMember][]int32{a: {0, 1}, b: {2, 3}}, a, b)
	x := newCM("g", "x", "t")
	r.st.takeEvents()
	x.beat(t, r.c)
	// One write: the whole consumer group (which replaces the classic
	// group's record), with x's join.
	ids := []string{a.id, b.id, x.id}
	slices.Sort(ids)
	all := strings.Join(ids, ",")
	want := "save-consumer g epoch=2 assignment-epoch=2 topics=1 members=" + all + " targets=" + all + " assignments=" + all
	if ev := r.st.takeEvents(); !slices.Equal(ev, []string{want}) {
		t.Fatalf("the upgrade wrote %q, want %q", ev, want)
	}
	settle(t, r.c, []*classicMember{a, b}, x)
	before := describeConsumer(r.c, "g")
	r.restart()
	if d := describeConsumer(r.c, "g"); !reflect.DeepEqual(d, before) {
		t.Fatalf("after the restart\n%+v\nbefore\n%+v", d, before)
	}
	settle(t, r.c, []*classicMember{a, b}, x)
	for _, m := range []*classicMember{a, b} {
		if len(m.owned) == 0 {
			t.Fatalf("classic member %s lost its partitions", m.id)
		}
	}
	x.leave(t, r.c, -1)
	if d := describe(r.c, "g"); d.State != "PreparingRebalance" || len(d.Members) != 2 {
		t.Fatalf("after the downgrade: %+v", d)
	}
	r.restart()
	if d := describe(r.c, "g"); d.State != "Stable" || len(d.Members) != 2 {
		t.Fatalf("the downgraded group after a restart: %+v", d)
	}
	if d := describeConsumer(r.c, "g"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("still a consumer group after the restart: %+v", d)
	}
}
