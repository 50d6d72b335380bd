package group

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestPersistenceMoments(t *testing.T) {
	c, st := newTestCoordinator(t, nil)
	m := newTM("g", "t")
	getMemberID(t, c, m)
	applyJoin(t, m, recv(t, joinAsync(c, m)))
	if ev := st.takeEvents(); len(ev) != 0 {
		t.Fatalf("join phase wrote %q; only a completed rebalance is saved", ev)
	}

	// A failing save of the leader's assignment fails the sync and
	// rebalances; nothing is applied.
	st.setFail(errDisk)
	r := recv(t, syncAsync(c, m, map[string][]byte{m.id: assignment("t")}))
	wantCode(t, "sync with a failing store", r.ErrorCode, kerr.CoordinatorNotAvailable.Code)
	st.setFail(nil)
	waitState(t, c, "g", "PreparingRebalance")
	applyJoin(t, m, recv(t, joinAsync(c, m)))
	r = recv(t, syncAsync(c, m, map[string][]byte{m.id: assignment("t")}))
	wantCode(t, "sync", r.ErrorCode, 0)
	wantCode(t, "commit", commit(c, m, 9, "t", 0, 7), 0)
	leave := kmsg.NewPtrLeaveGroupRequest()
	leave.Version = 3
	leave.Group = "g"
	leave.Members = []kmsg.LeaveGroupRequestMember{{MemberID: m.id}}
	c.LeaveGroup(leave)
	want := []string{"save g gen=2 members=1", "commit g t/0=7", "save g gen=3 members=0"}
	if ev := st.takeEvents(); !slices.Equal(ev, want) {
		t.Fatalf("store events %q, want %q", ev, want)
	}
	snap := st.loaded().Groups[0]
	if snap.ProtocolType != "consumer" || snap.Protocol != "" || snap.Leader != "" || snap.StateTimestamp == 0 {
		t.Fatalf("empty snapshot %+v", snap)
	}
}

func TestRestore(t *testing.T) {
	c, st := newTestCoordinator(t, nil)
	m := newTM("g", "t1", "t2")
	m.session = 500
	stableGroup(t, c, m)
	wantCode(t, "commit", commit(c, m, 9, "t1", 0, 10), 0)
	wantCode(t, "commit", commit(c, m, 9, "t2", 3, 20), 0)
	simpleCommit(c, "simple", "t", 1, 5)
	before := describe(c, "g")
	c.Close()

	c2 := New(Options{Store: st, MinSessionTimeout: time.Millisecond, RetentionCheckInterval: time.Hour}, st.loaded())
	t.Cleanup(c2.Close)
	after := describe(c2, "g")
	if after.State != "Stable" || after.Protocol != before.Protocol || len(after.Members) != 1 ||
		after.Members[0].MemberID != m.id || !slices.Equal(after.Members[0].MemberAssignment, before.Members[0].MemberAssignment) ||
		!slices.Equal(after.Members[0].ProtocolMetadata, before.Members[0].ProtocolMetadata) {
		t.Fatalf("restored group %+v, was %+v", after, before)
	}
	wantFetched(t, "restored offset", fetch(c2, "g", "t1", 0)[0], 10, 3, "md")
	wantFetched(t, "restored offset", fetch(c2, "g", "t2", 3)[0], 20, 3, "md")
	wantFetched(t, "restored simple group", fetch(c2, "simple", "t", 1)[0], 5, 3, "md")
	if topics, ok := c2.SubscribedTopics("g"); !ok || !slices.Equal(topics, []string{"t1", "t2"}) {
		t.Fatalf("restored subscriptions %v %v", topics, ok)
	}

	// The restored member carries on by heartbeating; once it stops, its
	// session expires, and the group empties and is saved so.
	wantCode(t, "heartbeat after restart", heartbeat(c2, m), 0)
	wantCode(t, "commit after restart", commit(c2, m, 9, "t1", 0, 11), 0)
	st.takeEvents()
	waitState(t, c2, "g", "Empty")
	if ev := st.takeEvents(); !slices.Equal(ev, []string{fmt.Sprintf("save g gen=%d members=0", m.gen+1)}) {
		t.Fatalf("store events %q", ev)
	}
	wantFetched(t, "offset survives the empty group", fetch(c2, "g", "t1", 0)[0], 11, 3, "md")
}

func TestOffsetExpiry(t *testing.T) {
	clk := &clock{}
	clk.ms.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	c, st := newTestCoordinator(t, func(o *Options) {
		o.Now = clk.now
		o.OffsetsRetention = time.Hour
	})
	// A simple group: offsets expire an hour after their commit.
	simpleCommit(c, "simple", "t", 0, 1)
	clk.advance(30 * time.Minute)
	simpleCommit(c, "simple", "t", 1, 1)

	// A consumer group that became Empty: an hour after that.
	m := newTM("empty", "t")
	stableGroup(t, c, m)
	commit(c, m, 9, "t", 0, 1)
	leave := kmsg.NewPtrLeaveGroupRequest()
	leave.Version = 3
	leave.Group = "empty"
	leave.Members = []kmsg.LeaveGroupRequestMember{{MemberID: m.id}}
	c.LeaveGroup(leave)

	// A Stable consumer group: only topics nobody subscribes to expire.
	s := newTM("stable", "sub")
	stableGroup(t, c, s)
	commit(c, s, 9, "sub", 0, 1)
	commit(c, s, 9, "old", 0, 1)
	st.takeEvents()

	clk.advance(31 * time.Minute) // 61m after the first commit, 31m after the rest
	c.expireOffsets()
	if ev := st.takeEvents(); !slices.Equal(ev, []string{"delete-offset simple t/0"}) {
		t.Fatalf("after 61m: %q", ev)
	}
	clk.advance(30 * time.Minute)
	c.expireOffsets()
	want := []string{
		"delete-offset empty t/0", "delete-group empty",
		"delete-offset simple t/1", "delete-group simple",
		"delete-offset stable old/0",
	}
	if ev := st.takeEvents(); !slices.Equal(ev, want) {
		t.Fatalf("after 91m: %q, want %q", ev, want)
	}
	for _, g := range []string{"empty", "simple"} {
		if d := describe(c, g); d.ErrorCode != kerr.GroupIDNotFound.Code {
			t.Fatalf("group %s survived with no offsets: %+v", g, d)
		}
	}
	wantFetched(t, "subscribed offset kept", fetch(c, "stable", "sub", 0)[0], 1, 3, "md")
}
