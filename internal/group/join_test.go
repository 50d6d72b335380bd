package group

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// withDelay gives stableGroup's concurrent joins time to land in one join
// phase.
func withDelay(o *Options) { o.InitialRebalanceDelay = 300 * time.Millisecond }

func TestJoinSyncFlow(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("%d members", n), func(t *testing.T) {
			c, st := newTestCoordinator(t, withDelay)
			var ms []*tm
			for i := range n {
				ms = append(ms, newTM("g", fmt.Sprintf("t%d", i)))
			}
			for _, m := range ms {
				getMemberID(t, c, m)
			}
			var chs []<-chan *kmsg.JoinGroupResponse
			for _, m := range ms {
				chs = append(chs, joinAsync(c, m))
			}
			var resps []*kmsg.JoinGroupResponse
			for i, ch := range chs {
				r := recv(t, ch)
				applyJoin(t, ms[i], r)
				resps = append(resps, r)
			}
			leaders := 0
			for i, r := range resps {
				if r.Generation != 1 || *r.Protocol != "cooperative-sticky" || *r.ProtocolType != "consumer" {
					t.Fatalf("member %d: generation %d protocol %v type %v", i, r.Generation, *r.Protocol, *r.ProtocolType)
				}
				if r.LeaderID == r.MemberID {
					leaders++
					if len(r.Members) != n {
						t.Fatalf("leader got %d members, want %d", len(r.Members), n)
					}
					for _, rm := range r.Members {
						if ts, ok := parseSubscription(rm.ProtocolMetadata); !ok || len(ts) != 1 {
							t.Fatalf("leader got metadata %x", rm.ProtocolMetadata)
						}
					}
				} else if len(r.Members) != 0 {
					t.Fatalf("follower got %d members", len(r.Members))
				}
			}
			if leaders != 1 {
				t.Fatalf("%d leaders", leaders)
			}
			if d := describe(c, "g"); d.State != "CompletingRebalance" {
				t.Fatalf("state %s after join", d.State)
			}

			// Followers park in SyncGroup until the leader brings the assignment.
			assign := make(map[string][]byte)
			var leader *tm
			var syncs []<-chan *kmsg.SyncGroupResponse
			for _, m := range ms {
				assign[m.id] = assignment(m.topics...)
				if m.id == m.leader {
					leader = m
				} else {
					syncs = append(syncs, syncAsync(c, m, map[string][]byte{m.id: []byte("ignored")}))
				}
			}
			waitFor(t, "followers parked", func() error {
				g, _ := c.lockGroup("g", false)
				defer g.mu.Unlock()
				if len(g.pendingSync) != 1 {
					return fmt.Errorf("pending sync %d", len(g.pendingSync))
				}
				return nil
			})
			st.takeEvents()
			lr := recv(t, syncAsync(c, leader, assign))
			if lr.ErrorCode != 0 || !slices.Equal(lr.MemberAssignment, assign[leader.id]) || *lr.Protocol != "cooperative-sticky" {
				t.Fatalf("leader sync: %+v", lr)
			}
			for _, ch := range syncs {
				r := recv(t, ch)
				if r.ErrorCode != 0 {
					t.Fatalf("follower sync: %s", codeName(r.ErrorCode))
				}
				found := false
				for id, a := range assign {
					found = found || (slices.Equal(a, r.MemberAssignment) && id != leader.id)
				}
				if !found {
					t.Fatalf("follower got assignment %x", r.MemberAssignment)
				}
			}
			if ev := st.takeEvents(); !slices.Equal(ev, []string{fmt.Sprintf("save g gen=1 members=%d", n)}) {
				t.Fatalf("store events %q", ev)
			}
			d := describe(c, "g")
			if d.State != "Stable" || d.Protocol != "cooperative-sticky" || d.ProtocolType != "consumer" || len(d.Members) != n {
				t.Fatalf("describe: %+v", d)
			}
			for _, dm := range d.Members {
				if dm.ClientID != "client-g" || dm.ClientHost != "/127.0.0.1" || len(dm.ProtocolMetadata) == 0 ||
					!slices.Equal(dm.MemberAssignment, assign[dm.MemberID]) {
					t.Fatalf("described member %+v", dm)
				}
			}
			for _, m := range ms {
				wantCode(t, "heartbeat", heartbeat(c, m), 0)
			}
			topics, ok := c.SubscribedTopics("g")
			if want := []string{"t0", "t1", "t2"}[:n]; !ok || !slices.Equal(topics, want) {
				t.Fatalf("SubscribedTopics = %v %v, want %v", topics, ok, want)
			}
		})
	}
}

func TestMemberIDRequired(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	m := newTM("g", "t")
	resp := c.JoinGroup(context.Background(), m.joinReq(), "cli", "/h")
	wantCode(t, "v9 join without member id", resp.ErrorCode, kerr.MemberIDRequired.Code)
	if len(resp.MemberID) < len("cli-")+36 || resp.MemberID[:4] != "cli-" {
		t.Fatalf("generated member id %q", resp.MemberID)
	}
	if d := describe(c, "g"); d.State != "Empty" || len(d.Members) != 0 {
		t.Fatalf("pending member is a member: %+v", d)
	}
	m.id = resp.MemberID
	applyJoin(t, m, recv(t, joinAsync(c, m)))
	if m.gen != 1 || m.leader != m.id {
		t.Fatalf("joined %+v", m)
	}

	// Before v4 the member is added at once.
	old := newTM("h", "t")
	old.version = 3
	r := recv(t, joinAsync(c, old))
	applyJoin(t, old, r)
	if old.id == "" || old.gen != 1 {
		t.Fatalf("v3 join: %+v", r)
	}
}

func TestJoinErrors(t *testing.T) {
	c, _ := newTestCoordinator(t, func(o *Options) {
		o.MinSessionTimeout, o.MaxSessionTimeout = time.Second, time.Minute
	})
	stableGroup(t, c, newTM("g", "t"))
	for _, tc := range []struct {
		name string
		mod  func(*kmsg.JoinGroupRequest)
		want int16
	}{
		{"empty group id", func(r *kmsg.JoinGroupRequest) { r.Group = "" }, kerr.InvalidGroupID.Code},
		{"session too short", func(r *kmsg.JoinGroupRequest) { r.SessionTimeoutMillis = 999 }, kerr.InvalidSessionTimeout.Code},
		{"session too long", func(r *kmsg.JoinGroupRequest) { r.SessionTimeoutMillis = 60_001 }, kerr.InvalidSessionTimeout.Code},
		{"empty protocols on a new group", func(r *kmsg.JoinGroupRequest) { r.Group = "new"; r.Protocols = nil }, kerr.InconsistentGroupProtocol.Code},
		{"empty protocol type on a new group", func(r *kmsg.JoinGroupRequest) { r.Group = "new"; r.ProtocolType = "" }, kerr.InconsistentGroupProtocol.Code},
		{"other protocol type", func(r *kmsg.JoinGroupRequest) { r.ProtocolType = "connect" }, kerr.InconsistentGroupProtocol.Code},
		{"no common protocol", func(r *kmsg.JoinGroupRequest) {
			r.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "roundrobin"}}
		}, kerr.InconsistentGroupProtocol.Code},
		{"empty protocols on a live group", func(r *kmsg.JoinGroupRequest) { r.Protocols = nil }, kerr.InconsistentGroupProtocol.Code},
		{"unknown member of a missing group", func(r *kmsg.JoinGroupRequest) { r.Group = "missing"; r.MemberID = "x" }, kerr.UnknownMemberID.Code},
		{"unknown member", func(r *kmsg.JoinGroupRequest) { r.MemberID = "x" }, kerr.UnknownMemberID.Code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTM("g", "t")
			m.session = 10_000
			req := m.joinReq()
			tc.mod(req)
			wantCode(t, "join", c.JoinGroup(context.Background(), req, "c", "h").ErrorCode, tc.want)
		})
	}
	for _, g := range []string{"new", "missing"} {
		if d := describe(c, g); d.ErrorCode != kerr.GroupIDNotFound.Code {
			t.Fatalf("rejected join left group %q behind: %+v", g, d)
		}
	}
	if d := describe(c, "g"); d.State != "Stable" || len(d.Members) != 1 {
		t.Fatalf("rejected joins changed the group: %+v", d)
	}
}

func TestRejoinDuringRebalance(t *testing.T) {
	c, _ := newTestCoordinator(t, withDelay)
	a, b := newTM("g", "t1"), newTM("g", "t2")
	stableGroup(t, c, a, b)
	follower, leader := a, b
	if a.id == a.leader {
		follower, leader = b, a
	}

	// A follower rejoining with unchanged metadata is answered at once.
	r := recv(t, joinAsync(c, follower))
	if r.ErrorCode != 0 || r.Generation != 1 || len(r.Members) != 0 {
		t.Fatalf("unchanged follower rejoin: %+v", r)
	}
	waitState(t, c, "g", "Stable")

	// Changed metadata starts a rebalance; the other member learns of it
	// from its heartbeat, may still commit, and rejoins.
	follower.topics = []string{"t2", "t3"}
	fch := joinAsync(c, follower)
	waitState(t, c, "g", "PreparingRebalance")
	wantCode(t, "heartbeat during rebalance", heartbeat(c, leader), kerr.RebalanceInProgress.Code)
	wantCode(t, "sync during rebalance", recv(t, syncAsync(c, leader, nil)).ErrorCode, kerr.RebalanceInProgress.Code)
	wantCode(t, "commit during rebalance", commit(c, leader, 9, "t1", 0, 5), 0)
	lch := joinAsync(c, leader)
	applyJoin(t, follower, recv(t, fch))
	applyJoin(t, leader, recv(t, lch))
	if follower.gen != 2 || leader.gen != 2 || leader.leader != leader.id {
		t.Fatalf("after rebalance: follower %+v leader %+v", follower, leader)
	}
	wantCode(t, "commit while completing", commit(c, leader, 9, "t1", 0, 6), kerr.RebalanceInProgress.Code)
	wantCode(t, "heartbeat while completing", heartbeat(c, follower), 0)
	old := *follower
	old.gen = 1
	wantCode(t, "heartbeat with old generation", heartbeat(c, &old), kerr.IllegalGeneration.Code)
	wantCode(t, "sync with old generation", recv(t, syncAsync(c, &old, nil)).ErrorCode, kerr.IllegalGeneration.Code)
}

func TestLeaderLeaves(t *testing.T) {
	c, st := newTestCoordinator(t, withDelay)
	a, b := newTM("g", "t1"), newTM("g", "t2")
	stableGroup(t, c, a, b)
	follower, leader := a, b
	if a.id == a.leader {
		follower, leader = b, a
	}
	st.takeEvents()
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Version = 5
	req.Group = "g"
	req.Members = []kmsg.LeaveGroupRequestMember{{MemberID: leader.id}, {MemberID: "nobody"}}
	resp := c.LeaveGroup(req)
	if resp.ErrorCode != 0 || len(resp.Members) != 2 || resp.Members[0].ErrorCode != 0 ||
		resp.Members[1].ErrorCode != kerr.UnknownMemberID.Code {
		t.Fatalf("leave: %+v", resp)
	}
	wantCode(t, "heartbeat after the leader left", heartbeat(c, follower), kerr.RebalanceInProgress.Code)
	applyJoin(t, follower, recv(t, joinAsync(c, follower)))
	if follower.gen != 2 || follower.leader != follower.id {
		t.Fatalf("follower did not take over: %+v", follower)
	}
	wantCode(t, "old leader heartbeat", heartbeat(c, leader), kerr.UnknownMemberID.Code)

	// The last member leaving (v0-v2 form) empties the group, which is saved.
	old := kmsg.NewPtrLeaveGroupRequest()
	old.Version = 1
	old.Group, old.MemberID = "g", follower.id
	wantCode(t, "v1 leave", c.LeaveGroup(old).ErrorCode, 0)
	if d := describe(c, "g"); d.State != "Empty" {
		t.Fatalf("state %s after the last member left", d.State)
	}
	if ev := st.takeEvents(); !slices.Contains(ev, "save g gen=3 members=0") {
		t.Fatalf("empty group not saved: %q", ev)
	}
	old.MemberID = "gone"
	wantCode(t, "v1 leave of an unknown member", c.LeaveGroup(old).ErrorCode, kerr.UnknownMemberID.Code)
	old.Group = "missing"
	wantCode(t, "v1 leave of a missing group", c.LeaveGroup(old).ErrorCode, kerr.UnknownMemberID.Code)
	old.Group = ""
	wantCode(t, "v1 leave of group \"\"", c.LeaveGroup(old).ErrorCode, kerr.InvalidGroupID.Code)
}

func TestSessionExpiry(t *testing.T) {
	c, st := newTestCoordinator(t, withDelay)
	a, b := newTM("g", "t1"), newTM("g", "t2")
	a.session, b.session = 300, 300
	stableGroup(t, c, a, b)
	st.takeEvents()
	// a heartbeats, b goes silent: b is removed and a told to rejoin.
	waitFor(t, "b to expire", func() error {
		switch code := heartbeat(c, a); code {
		case kerr.RebalanceInProgress.Code:
			return nil
		case 0:
			return fmt.Errorf("still stable")
		default:
			return fmt.Errorf("heartbeat: %s", codeName(code))
		}
	})
	applyJoin(t, a, recv(t, joinAsync(c, a)))
	if a.gen != 2 || a.leader != a.id {
		t.Fatalf("after expiry: %+v", a)
	}
	if d := describe(c, "g"); len(d.Members) != 1 || d.Members[0].MemberID != a.id {
		t.Fatalf("members after expiry: %+v", d.Members)
	}
	wantCode(t, "expired member heartbeat", heartbeat(c, b), kerr.UnknownMemberID.Code)

	// A member that goes silent after its JoinGroup expires too; with nobody
	// left the group becomes Empty.
	waitFor(t, "a to be removed", func() error {
		if d := describe(c, "g"); d.State != "Empty" {
			return fmt.Errorf("state %s", d.State)
		}
		return nil
	})
}

func TestStaticMembership(t *testing.T) {
	c, st := newTestCoordinator(t, withDelay)
	s, d := newTM("g", "t1"), newTM("g", "t2")
	s.instance = strp("instance-1")
	stableGroup(t, c, s, d)
	oldID, oldAssignment := s.id, assignment("t1")
	gen := s.gen
	st.takeEvents()

	// The static member restarts: it joins without a member id.
	restarted := *s
	restarted.id = ""
	r := recv(t, joinAsync(c, &restarted))
	if r.ErrorCode != 0 || r.MemberID == oldID || r.Generation != gen || len(r.Members) != 0 {
		t.Fatalf("static rejoin: %+v", r)
	}
	if r.MemberID[:len("instance-1-")] != "instance-1-" {
		t.Fatalf("static member id %q", r.MemberID)
	}
	if s.id == s.leader && r.LeaderID != oldID {
		t.Fatalf("a rejoining static leader must see the old leader id, got %q", r.LeaderID)
	}
	applyJoin(t, &restarted, r)
	restarted.gen = gen
	sr := recv(t, syncAsync(c, &restarted, nil))
	if sr.ErrorCode != 0 || !slices.Equal(sr.MemberAssignment, oldAssignment) {
		t.Fatalf("sync after static rejoin: code %s assignment %x", codeName(sr.ErrorCode), sr.MemberAssignment)
	}
	if desc := describe(c, "g"); desc.State != "Stable" || len(desc.Members) != 2 {
		t.Fatalf("group after static rejoin: %+v", desc)
	}
	if ev := st.takeEvents(); !slices.Equal(ev, []string{"save g gen=1 members=2"}) {
		t.Fatalf("store events %q", ev)
	}
	wantCode(t, "the other member is undisturbed", heartbeat(c, d), 0)

	// The old incarnation is fenced.
	wantCode(t, "old member id heartbeat", heartbeat(c, s), kerr.FencedInstanceID.Code)
	wantCode(t, "old member id commit", commit(c, s, 9, "t1", 0, 1), kerr.FencedInstanceID.Code)
	anon := *s
	anon.instance = nil
	wantCode(t, "old member id without instance", heartbeat(c, &anon), kerr.UnknownMemberID.Code)
	wantCode(t, "new member id heartbeat", heartbeat(c, &restarted), 0)

	// As in Kafka, other metadata alone does not rebalance a Stable group
	// (the protocol stays); a rejoin that changes the protocol does.
	again := restarted
	again.id, again.topics = "", []string{"t9"}
	r = recv(t, joinAsync(c, &again))
	if r.ErrorCode != 0 || r.Generation != gen {
		t.Fatalf("static rejoin with a new subscription: %+v", r)
	}
	again.id, again.names = "", []string{"range"}
	ch := joinAsync(c, &again)
	waitState(t, c, "g", "PreparingRebalance")
	dch := joinAsync(c, d)
	applyJoin(t, &again, recv(t, ch))
	applyJoin(t, d, recv(t, dch))
	if again.gen != gen+1 || d.gen != gen+1 {
		t.Fatalf("generations after a changed static rejoin: %d %d", again.gen, d.gen)
	}

	// An admin removes the static member by instance id.
	leave := kmsg.NewPtrLeaveGroupRequest()
	leave.Version = 5
	leave.Group = "g"
	leave.Members = []kmsg.LeaveGroupRequestMember{{InstanceID: strp("instance-1")}, {InstanceID: strp("instance-2")}}
	lr := c.LeaveGroup(leave)
	if lr.Members[0].ErrorCode != 0 || lr.Members[1].ErrorCode != kerr.UnknownMemberID.Code {
		t.Fatalf("leave by instance id: %+v", lr.Members)
	}
}

func TestHeartbeatErrors(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	m := newTM("g", "t")
	stableGroup(t, c, m)
	for _, tc := range []struct {
		name string
		mod  func(*tm)
		want int16
	}{
		{"ok", func(*tm) {}, 0},
		{"missing group", func(x *tm) { x.group = "missing" }, kerr.UnknownMemberID.Code},
		{"group \"\"", func(x *tm) { x.group = "" }, kerr.InvalidGroupID.Code},
		{"unknown member", func(x *tm) { x.id = "nobody" }, kerr.UnknownMemberID.Code},
		{"old generation", func(x *tm) { x.gen-- }, kerr.IllegalGeneration.Code},
		{"future generation", func(x *tm) { x.gen++ }, kerr.IllegalGeneration.Code},
		{"unknown instance", func(x *tm) { x.instance = strp("i") }, kerr.UnknownMemberID.Code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := *m
			tc.mod(&x)
			wantCode(t, "heartbeat", heartbeat(c, &x), tc.want)
		})
	}
	if d := describe(c, "missing"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatal("a heartbeat created a group")
	}
}

func TestSyncErrors(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	m := newTM("g", "t")
	stableGroup(t, c, m)
	for _, tc := range []struct {
		name string
		mod  func(*kmsg.SyncGroupRequest)
		want int16
	}{
		{"ok", func(*kmsg.SyncGroupRequest) {}, 0},
		{"group \"\"", func(r *kmsg.SyncGroupRequest) { r.Group = "" }, kerr.InvalidGroupID.Code},
		{"missing group", func(r *kmsg.SyncGroupRequest) { r.Group = "missing" }, kerr.UnknownMemberID.Code},
		{"unknown member", func(r *kmsg.SyncGroupRequest) { r.MemberID = "x" }, kerr.UnknownMemberID.Code},
		{"wrong generation", func(r *kmsg.SyncGroupRequest) { r.Generation = 7 }, kerr.IllegalGeneration.Code},
		{"wrong protocol type", func(r *kmsg.SyncGroupRequest) { r.ProtocolType = strp("connect") }, kerr.InconsistentGroupProtocol.Code},
		{"wrong protocol", func(r *kmsg.SyncGroupRequest) { r.Protocol = strp("range") }, kerr.InconsistentGroupProtocol.Code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := syncReq(m, nil)
			tc.mod(req)
			wantCode(t, "sync", c.SyncGroup(context.Background(), req).ErrorCode, tc.want)
		})
	}
}

func TestJoinAbandoned(t *testing.T) {
	c, _ := newTestCoordinator(t, func(o *Options) { o.InitialRebalanceDelay = time.Minute })
	m := newTM("g", "t")
	getMemberID(t, c, m)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *kmsg.JoinGroupResponse, 1)
	go func() { done <- c.JoinGroup(ctx, m.joinReq(), "c", "h") }()
	waitState(t, c, "g", "PreparingRebalance")
	cancel()
	wantCode(t, "abandoned join", recv(t, done).ErrorCode, kerr.CoordinatorNotAvailable.Code)
	// The only member is gone, so the join phase ends with nobody.
	waitState(t, c, "g", "Empty")
	if d := describe(c, "g"); len(d.Members) != 0 {
		t.Fatalf("abandoned member still there: %+v", d.Members)
	}
}

func TestCloseAnswersParkedJoins(t *testing.T) {
	c, _ := newTestCoordinator(t, func(o *Options) { o.InitialRebalanceDelay = time.Minute })
	m := newTM("g", "t")
	getMemberID(t, c, m)
	ch := joinAsync(c, m)
	waitState(t, c, "g", "PreparingRebalance")
	c.Close()
	wantCode(t, "parked join at close", recv(t, ch).ErrorCode, kerr.NotCoordinator.Code)
	wantCode(t, "heartbeat after close", heartbeat(c, m), kerr.NotCoordinator.Code)
	lr := c.ListGroups(kmsg.NewPtrListGroupsRequest())
	wantCode(t, "list after close", lr.ErrorCode, kerr.CoordinatorNotAvailable.Code)
}

func TestInitialDelayExtendsForLateJoiners(t *testing.T) {
	c, _ := newTestCoordinator(t, func(o *Options) { o.InitialRebalanceDelay = 200 * time.Millisecond })
	a, b := newTM("g", "t"), newTM("g", "t")
	getMemberID(t, c, a)
	getMemberID(t, c, b)
	ach := joinAsync(c, a)
	time.Sleep(120 * time.Millisecond) // inside the first delay
	bch := joinAsync(c, b)
	applyJoin(t, a, recv(t, ach))
	applyJoin(t, b, recv(t, bch))
	if a.gen != 1 || b.gen != 1 {
		t.Fatalf("late joiner missed the initial rebalance: generations %d %d", a.gen, b.gen)
	}
}

func TestUnusedMemberIDDoesNotStallRebalance(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	m := newTM("g", "t")
	stableGroup(t, c, m)
	// A client takes a member id and vanishes: the rebalance its arrival
	// would need waits for it only until its session timeout.
	ghost := newTM("g", "t")
	ghost.session = 200
	getMemberID(t, c, ghost)
	ch := joinAsync(c, m) // the leader rejoins: a rebalance
	applyJoin(t, m, recv(t, ch))
	if m.gen != 2 {
		t.Fatalf("generation %d", m.gen)
	}
	// The pending id is gone: using it now is an unknown member.
	ghost.version = 9
	wantCode(t, "late use of the pending id", c.JoinGroup(t.Context(), ghost.joinReq(), "c", "h").ErrorCode, kerr.UnknownMemberID.Code)
}

func TestSyncAbandoned(t *testing.T) {
	c, _ := newTestCoordinator(t, withDelay)
	a, b := newTM("g", "t"), newTM("g", "t")
	a.session, b.session = 300, 300
	getMemberID(t, c, a)
	getMemberID(t, c, b)
	ach, bch := joinAsync(c, a), joinAsync(c, b)
	applyJoin(t, a, recv(t, ach))
	applyJoin(t, b, recv(t, bch))
	follower := a
	if a.id == a.leader {
		follower = b
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *kmsg.SyncGroupResponse, 1)
	go func() { done <- c.SyncGroup(ctx, syncReq(follower, nil)) }()
	waitFor(t, "follower parked", func() error {
		g, _ := c.lockGroup("g", false)
		defer g.mu.Unlock()
		if g.byID[follower.id].sync == nil {
			return fmt.Errorf("not parked")
		}
		return nil
	})
	cancel()
	wantCode(t, "abandoned sync", recv(t, done).ErrorCode, kerr.CoordinatorNotAvailable.Code)
	// Its session runs again: with no heartbeat it is removed.
	waitFor(t, "follower removed", func() error {
		for _, dm := range describe(c, "g").Members {
			if dm.MemberID == follower.id {
				return fmt.Errorf("still a member")
			}
		}
		return nil
	})
}

func TestJoinV0UsesSessionAsRebalanceTimeout(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	m := newTM("g", "t")
	m.version = 0
	m.session = 12_345
	applyJoin(t, m, recv(t, joinAsync(c, m)))
	g, _ := c.lockGroup("g", false)
	defer g.mu.Unlock()
	if got := g.byID[m.id].rebalanceTimeout; got != 12345*time.Millisecond {
		t.Fatalf("rebalance timeout %v", got)
	}
}
