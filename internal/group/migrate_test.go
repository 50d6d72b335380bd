package group

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// classicMember is a test client of the classic protocol in a group that
// may become a consumer group. It owns partitions of topic "t" (id 1) as a
// real client does: a cooperative member keeps what it has until a
// SyncGroup leaves it out, and reports what it owns when it rejoins; an
// eager member drops everything before it rejoins.
type classicMember struct {
	*tm
	eager bool
	owned map[int32]bool
	stale int // JoinGroups answered with an epoch behind the group's: revoking
}

func newClassic(group string, eager bool) *classicMember {
	m := &classicMember{tm: newTM(group, "t"), eager: eager, owned: make(map[int32]bool)}
	m.names = []string{"cooperative-sticky"}
	if eager {
		m.names = []string{"range"}
	}
	return m
}

// joinReq is tm's JoinGroup with the owned partitions in the metadata.
func (m *classicMember) joinReq() *kmsg.JoinGroupRequest {
	req := m.tm.joinReq()
	meta := kmsg.ConsumerMemberMetadata{Version: 1, Topics: m.topics}
	if len(m.owned) > 0 {
		owned := slices.Sorted(maps.Keys(m.owned))
		meta.OwnedPartitions = []kmsg.ConsumerMemberMetadataOwnedPartition{{Topic: "t", Partitions: owned}}
	}
	b := meta.AppendTo(nil)
	for i := range req.Protocols {
		req.Protocols[i].Metadata = b
	}
	return req
}

// rejoin is what a client does on REBALANCE_IN_PROGRESS in a consumer
// group: JoinGroup (answered at once), then SyncGroup.
func (m *classicMember) rejoin(t *testing.T, c *Coordinator) {
	t.Helper()
	if m.eager {
		clear(m.owned)
	}
	resp := c.JoinGroup(context.Background(), m.joinReq(), "client-"+m.group, "/127.0.0.1")
	if resp.ErrorCode == kerr.MemberIDRequired.Code {
		m.id = resp.MemberID
		resp = c.JoinGroup(context.Background(), m.joinReq(), "client-"+m.group, "/127.0.0.1")
	}
	applyJoin(t, m.tm, resp)
	if resp.LeaderID != "" || len(resp.Members) > 0 {
		t.Fatalf("join into a consumer group named leader %q with %d members", resp.LeaderID, len(resp.Members))
	}
	if d := describeConsumer(c, m.group); resp.Generation < d.Epoch {
		m.stale++
	}
	wantCode(t, "sync of "+m.id, m.sync(c), 0)
}

// sync sends SyncGroup and, if it succeeds, owns exactly what it got.
func (m *classicMember) sync(c *Coordinator) int16 {
	r := c.SyncGroup(context.Background(), syncReq(m.tm, nil))
	if r.ErrorCode != 0 {
		return r.ErrorCode
	}
	tps, ok := ParseAssignment(r.MemberAssignment)
	if !ok {
		panic("unparsable assignment")
	}
	clear(m.owned)
	for _, tp := range tps {
		m.owned[tp.Partition] = true
	}
	return 0
}

// classicParts assigns partitions of "t".
func classicParts(ps ...int32) []byte {
	a := kmsg.ConsumerMemberAssignment{Topics: []kmsg.ConsumerMemberAssignmentTopic{{Topic: "t", Partitions: ps}}}
	return a.AppendTo(nil)
}

// stableClassic makes ms a Stable classic group (generation 1) with the
// partitions of "t" in parts.
func stableClassic(t *testing.T, c *Coordinator, parts map[*classicMember][]int32, ms ...*classicMember) {
	t.Helper()
	byTM := make(map[*tm]*classicMember)
	tms := make([]*tm, len(ms))
	for i, m := range ms {
		byTM[m.tm], tms[i] = m, m.tm
	}
	stableGroupWith(t, c, func(x *tm) []byte { return classicParts(parts[byTM[x]]...) }, tms...)
	for _, m := range ms {
		for _, p := range parts[m] {
			m.owned[p] = true
		}
	}
}

// exclusive fails if two members own a partition, as the clients see it
// and as the coordinator records it (assigned or pending revocation).
func exclusive(t *testing.T, c *Coordinator, group string, classics []*classicMember, consumers ...*cm) {
	t.Helper()
	seen := make(map[tidp]string)
	own := func(p tidp, who string) {
		if o, ok := seen[p]; ok {
			t.Fatalf("partition %v owned by %s and %s", p, o, who)
		}
		seen[p] = who
	}
	for _, m := range classics {
		for p := range m.owned {
			own(tidp{tid(1), p}, m.id)
		}
	}
	for _, m := range consumers {
		for p := range m.owned {
			own(p, m.id)
		}
	}
	g, _ := c.lockGroup(group, false)
	defer g.mu.Unlock()
	if g.cg == nil {
		return
	}
	held := make(map[tidp]string)
	for _, m := range g.cg.members {
		for _, s := range []partSet{m.assigned, m.revoking} {
			for p := range s {
				if o, ok := held[p]; ok && o != m.id {
					t.Fatalf("coordinator gives %v to %s and %s", p, o, m.id)
				}
				held[p] = m.id
			}
		}
	}
}

// upgraded is a consumer group made from a Stable classic group of a and
// b (t/0-1 and t/2-3) by the KIP-848 member x joining.
func upgraded(t *testing.T, c *Coordinator, eager bool) (a, b *classicMember, x *cm) {
	t.Helper()
	a, b = newClassic("g", eager), newClassic("g", eager)
	stableClassic(t, c, map[*classicMember][]int32{a: {0, 1}, b: {2, 3}}, a, b)
	x = newCM("g", "x", "t")
	x.beat(t, c)
	return a, b, x
}

// settle runs the members' heartbeats, rejoining classic members told to,
// until the consumer group is Stable, checking ownership at every step.
func settle(t *testing.T, c *Coordinator, classics []*classicMember, consumers ...*cm) {
	t.Helper()
	for range 20 {
		quiet := true
		for _, m := range classics {
			switch code := heartbeat(c, m.tm); code {
			case kerr.RebalanceInProgress.Code:
				quiet = false
				m.rejoin(t, c)
			default:
				wantCode(t, "heartbeat of "+m.id, code, 0)
			}
			exclusive(t, c, "g", classics, consumers...)
		}
		for _, m := range consumers {
			m.beat(t, c)
			exclusive(t, c, "g", classics, consumers...)
		}
		if quiet && describeConsumer(c, "g").State == "Stable" {
			return
		}
	}
	t.Fatalf("group did not settle: %+v", describeConsumer(c, "g"))
}

func TestMigrationUpgradeRevokesBeforeReassigning(t *testing.T) {
	for _, eager := range []bool{false, true} {
		t.Run(fmt.Sprintf("eager=%v", eager), func(t *testing.T) {
			c, _ := newConsumerCoordinator(t, withDelay)
			a, b, x := upgraded(t, c, eager)

			d := describeConsumer(c, "g")
			if d.ErrorCode != 0 || d.Epoch != 2 || len(d.Members) != 3 {
				t.Fatalf("after upgrade: %+v", d)
			}
			for _, dm := range d.Members {
				switch dm.MemberID {
				case x.id:
					if dm.MemberType != 1 || dm.MemberEpoch != 2 {
						t.Fatalf("consumer member: %+v", dm)
					}
				default:
					if dm.MemberType != 0 || dm.MemberEpoch != 1 || len(dm.Assignment.TopicPartitions[0].Partitions) != 2 {
						t.Fatalf("classic member kept its partitions and generation: %+v", dm)
					}
				}
			}
			if len(x.owned) != 0 {
				t.Fatalf("new member got partitions the classic members still own: %v", x.owned)
			}
			classics := []*classicMember{a, b}
			exclusive(t, c, "g", classics, x)
			// The classic members, at generation 1, are told to rejoin. The
			// assignor moves one partition to x: a cooperative member giving
			// it up gets an assignment without it but stays at generation 1
			// until it rejoins without it; only then does x get it.
			for _, m := range classics {
				wantCode(t, "heartbeat after upgrade", heartbeat(c, m.tm), kerr.RebalanceInProgress.Code)
				m.rejoin(t, c)
				exclusive(t, c, "g", classics, x)
			}
			x.beat(t, c)
			exclusive(t, c, "g", classics, x)
			if revoking := a.stale + b.stale; eager != (revoking == 0) || eager != (len(x.owned) == 1) {
				t.Fatalf("%d members revoking, x owns %v", revoking, x.owned)
			}
			for _, m := range classics {
				if m.stale == 0 {
					continue
				}
				if len(m.owned) != 1 || m.gen != 1 {
					t.Fatalf("revoking member owns %v at generation %d", m.owned, m.gen)
				}
				wantCode(t, "heartbeat while revoking", heartbeat(c, m.tm), kerr.RebalanceInProgress.Code)
				m.rejoin(t, c)
				if m.gen != 2 || len(m.owned) != 1 {
					t.Fatalf("after revoking: owns %v at generation %d", m.owned, m.gen)
				}
				x.beat(t, c)
				exclusive(t, c, "g", classics, x)
			}

			settle(t, c, classics, x)
			if len(a.owned) == 0 || len(b.owned) == 0 || len(x.owned) != 1 || len(a.owned)+len(b.owned) != 3 {
				t.Fatalf("final: a %v b %v x %v", a.owned, b.owned, x.owned)
			}
		})
	}
}

func TestMigrationDowngradeWhenLastConsumerMemberLeaves(t *testing.T) {
	st := newMemStore()
	c, _ := newConsumerCoordinator(t, func(o *Options) { withDelay(o); o.Store = st })
	a, b, x := upgraded(t, c, false)
	settle(t, c, []*classicMember{a, b}, x)
	epoch := describeConsumer(c, "g").Epoch
	st.takeEvents()
	wantListed(t, c, "g:Stable:consumer:consumer")

	x.leave(t, c, -1)
	wantListed(t, c, "g:PreparingRebalance:consumer:classic")
	if d := describeConsumer(c, "g"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("still a consumer group: %+v", d)
	}
	want := fmt.Sprintf("save g gen=%d members=2", epoch)
	if ev := st.takeEvents(); !slices.Contains(ev, want) {
		t.Fatalf("store events %q, want %q", ev, want)
	}
	d := describe(c, "g")
	if d.State != "PreparingRebalance" || d.ProtocolType != "consumer" || len(d.Members) != 2 {
		t.Fatalf("after downgrade: %+v", d)
	}
	// Their next heartbeat makes them rejoin; the classic protocol then
	// elects a leader and completes a generation.
	for _, m := range []*classicMember{a, b} {
		wantCode(t, "heartbeat after downgrade", heartbeat(c, m.tm), kerr.RebalanceInProgress.Code)
	}
	ja, jb := joinAsync(c, a.tm), joinAsync(c, b.tm)
	applyJoin(t, a.tm, recv(t, ja))
	applyJoin(t, b.tm, recv(t, jb))
	if a.gen != epoch+1 || a.leader == "" {
		t.Fatalf("rejoined at generation %d leader %q, want %d", a.gen, a.leader, epoch+1)
	}
	leader, follower := a, b
	if b.id == b.leader {
		leader, follower = b, a
	}
	fs := syncAsync(c, follower.tm, nil)
	waitFor(t, "follower parked in SyncGroup", func() error {
		g, _ := c.lockGroup("g", false)
		defer g.mu.Unlock()
		if len(g.pendingSync) != 1 {
			return fmt.Errorf("%d pending", len(g.pendingSync))
		}
		return nil
	})
	plan := map[string][]byte{leader.id: classicParts(0, 1), follower.id: classicParts(2, 3)}
	wantCode(t, "leader sync", recv(t, syncAsync(c, leader.tm, plan)).ErrorCode, 0)
	wantCode(t, "follower sync", recv(t, fs).ErrorCode, 0)
	waitState(t, c, "g", "Stable")
}

func TestMigrationDowngradeOnSessionExpiry(t *testing.T) {
	c, _ := newConsumerCoordinator(t, func(o *Options) {
		withDelay(o)
		o.ConsumerSessionTimeout = 200 * time.Millisecond
	})
	upgraded(t, c, false)
	// x stops heartbeating: its session expires, the classic members stay.
	waitState(t, c, "g", "PreparingRebalance")
	if d := describe(c, "g"); len(d.Members) != 2 {
		t.Fatalf("members after downgrade: %+v", d.Members)
	}
}

func TestMigrationPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy    MigrationPolicy
		upgrade   bool // a KIP-848 join converts the classic group
		downgrade bool // its leaving converts it back
	}{
		{MigrationBidirectional, true, true},
		{MigrationUpgrade, true, false},
		{MigrationDowngrade, false, false},
		{MigrationDisabled, false, false},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			c, _ := newConsumerCoordinator(t, func(o *Options) { withDelay(o); o.MigrationPolicy = tc.policy })
			a, b := newClassic("g", false), newClassic("g", false)
			stableClassic(t, c, map[*classicMember][]int32{a: {0, 1}, b: {2, 3}}, a, b)
			x := newCM("g", "x", "t")
			resp := c.ConsumerGroupHeartbeat(x.req())
			if !tc.upgrade {
				wantCode(t, "join of a classic group", resp.ErrorCode, kerr.GroupIDNotFound.Code)
				return
			}
			wantCode(t, "join of a classic group", resp.ErrorCode, 0)
			x.id, x.epoch = *resp.MemberID, resp.MemberEpoch
			x.leave(t, c, -1)
			d := describeConsumer(c, "g")
			if got := d.ErrorCode == kerr.GroupIDNotFound.Code; got != tc.downgrade {
				t.Fatalf("downgraded %v, want %v: %+v", got, tc.downgrade, d)
			}
		})
	}
	t.Run("disabled refuses classic joins into a consumer group", func(t *testing.T) {
		c, _ := newConsumerCoordinator(t, func(o *Options) { o.MigrationPolicy = MigrationDisabled })
		newCM("g", "x", "t").beat(t, c)
		wantCode(t, "classic join", recv(t, joinAsync(c, newTM("g", "t"))).ErrorCode, kerr.InconsistentGroupProtocol.Code)
	})
	t.Run("not the consumer protocol", func(t *testing.T) {
		c, _ := newConsumerCoordinator(t, nil)
		m := newTM("g", "t")
		getMemberID(t, c, m)
		req := m.joinReq()
		req.ProtocolType = "connect"
		applyJoin(t, m, c.JoinGroup(context.Background(), req, "client", "/127.0.0.1"))
		wantCode(t, "join of a connect group", c.ConsumerGroupHeartbeat(newCM("g", "x", "t").req()).ErrorCode, kerr.GroupIDNotFound.Code)
	})
}

func TestMigrationClassicMemberErrors(t *testing.T) {
	c, _ := newConsumerCoordinator(t, withDelay)
	a, b, x := upgraded(t, c, false)
	settle(t, c, []*classicMember{a, b}, x)

	hb := func(mod func(r *kmsg.HeartbeatRequest)) int16 {
		req := kmsg.NewPtrHeartbeatRequest()
		req.Version, req.Group, req.MemberID, req.Generation = 4, "g", a.id, a.gen
		mod(req)
		return c.Heartbeat(req).ErrorCode
	}
	sync := func(mod func(r *kmsg.SyncGroupRequest)) int16 {
		req := syncReq(a.tm, nil)
		mod(req)
		return c.SyncGroup(context.Background(), req).ErrorCode
	}
	join := func(mod func(r *kmsg.JoinGroupRequest)) int16 {
		req := a.joinReq()
		mod(req)
		return c.JoinGroup(context.Background(), req, "client", "/127.0.0.1").ErrorCode
	}
	for _, tc := range []struct {
		name string
		call func() int16
		want int16
	}{
		{"heartbeat", func() int16 { return hb(func(*kmsg.HeartbeatRequest) {}) }, 0},
		{"heartbeat other generation", func() int16 { return hb(func(r *kmsg.HeartbeatRequest) { r.Generation-- }) }, kerr.IllegalGeneration.Code},
		{"heartbeat unknown member", func() int16 { return hb(func(r *kmsg.HeartbeatRequest) { r.MemberID = "nobody" }) }, kerr.UnknownMemberID.Code},
		{"heartbeat as the consumer member", func() int16 {
			return hb(func(r *kmsg.HeartbeatRequest) { r.MemberID, r.Generation = x.id, x.epoch })
		}, kerr.UnknownMemberID.Code},
		{"heartbeat unknown instance", func() int16 { return hb(func(r *kmsg.HeartbeatRequest) { r.InstanceID = strp("i") }) }, kerr.UnknownMemberID.Code},
		{"sync other generation", func() int16 { return sync(func(r *kmsg.SyncGroupRequest) { r.Generation++ }) }, kerr.IllegalGeneration.Code},
		{"sync other protocol", func() int16 { return sync(func(r *kmsg.SyncGroupRequest) { r.Protocol = strp("range") }) }, kerr.InconsistentGroupProtocol.Code},
		{"sync other protocol type", func() int16 { return sync(func(r *kmsg.SyncGroupRequest) { r.ProtocolType = strp("connect") }) }, kerr.InconsistentGroupProtocol.Code},
		{"sync unknown member", func() int16 { return sync(func(r *kmsg.SyncGroupRequest) { r.MemberID = "nobody" }) }, kerr.UnknownMemberID.Code},
		{"join other protocol type", func() int16 { return join(func(r *kmsg.JoinGroupRequest) { r.ProtocolType = "connect" }) }, kerr.InconsistentGroupProtocol.Code},
		{"join protocol the others lack", func() int16 {
			return join(func(r *kmsg.JoinGroupRequest) { r.MemberID = ""; r.Protocols[0].Name = "roundrobin" })
		}, kerr.InconsistentGroupProtocol.Code},
		{"join as the consumer member", func() int16 { return join(func(r *kmsg.JoinGroupRequest) { r.MemberID = x.id }) }, kerr.UnknownMemberID.Code},
		{"consumer heartbeat as a classic member", func() int16 {
			req := x.req()
			req.MemberID, req.MemberEpoch = a.id, a.gen
			return c.ConsumerGroupHeartbeat(req).ErrorCode
		}, kerr.UnknownMemberID.Code},
		{"commit v8 at its generation", func() int16 {
			return c.OffsetCommit(commitReq(8, "g", a.id, a.gen, "t", 0, 5)).Topics[0].Partitions[0].ErrorCode
		}, 0},
		{"commit at another generation", func() int16 {
			return c.OffsetCommit(commitReq(9, "g", a.id, a.gen-1, "t", 0, 5)).Topics[0].Partitions[0].ErrorCode
		}, kerr.IllegalGeneration.Code},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.name, tc.call(), tc.want) })
	}
}

func TestMigrationClassicMemberJoinsAndLeavesConsumerGroup(t *testing.T) {
	c, _ := newConsumerCoordinator(t, nil)
	x := newCM("g", "x", "t")
	x.beat(t, c)
	n := newClassic("g", false)
	n.rejoin(t, c) // KIP-394 round trip, then a new member of the consumer group
	if d := describeConsumer(c, "g"); d.Epoch != 2 || len(d.Members) != 2 {
		t.Fatalf("after classic join: %+v", d)
	}
	settle(t, c, []*classicMember{n}, x)
	if len(n.owned) != 2 || len(x.owned) != 2 {
		t.Fatalf("n %v x %v", n.owned, x.owned)
	}

	// LeaveGroup (v3+, batched) removes it; the consumer member takes all.
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Version, req.Group = 5, "g"
	req.Members = []kmsg.LeaveGroupRequestMember{{MemberID: n.id}, {MemberID: "nobody"}}
	resp := c.LeaveGroup(req)
	wantCode(t, "leave", resp.Members[0].ErrorCode, 0)
	wantCode(t, "leave unknown", resp.Members[1].ErrorCode, kerr.UnknownMemberID.Code)
	x.beat(t, c)
	if len(x.owned) != 4 || describeConsumer(c, "g").Epoch != 3 {
		t.Fatalf("after leave: x %v %+v", x.owned, describeConsumer(c, "g"))
	}

	// A classic member that does not sync within its rebalance timeout is
	// removed.
	s := newClassic("g", false)
	getMemberID(t, c, s.tm)
	jr := s.joinReq()
	jr.RebalanceTimeoutMillis = 100
	applyJoin(t, s.tm, c.JoinGroup(context.Background(), jr, "client", "/127.0.0.1"))
	waitFor(t, "the member that never synced to be removed", func() error {
		if n := len(describeConsumer(c, "g").Members); n != 1 {
			return fmt.Errorf("%d members", n)
		}
		return nil
	})
}

func TestMigrationStaticMemberSwitchesProtocol(t *testing.T) {
	c, _ := newConsumerCoordinator(t, withDelay)
	a, b := newClassic("g", false), newClassic("g", false)
	a.instance = strp("ia")
	stableClassic(t, c, map[*classicMember][]int32{a: {0, 1}, b: {2, 3}}, a, b)
	x := newCM("g", "x", "t")
	x.instance = strp("ix")
	x.beat(t, c) // upgrade

	// a restarts as a KIP-848 member: it takes over a's place at once.
	a2 := newCM("g", "a2", "t")
	a2.instance = strp("ia")
	a2.beat(t, c)
	d := describeConsumer(c, "g")
	if len(d.Members) != 3 || slices.ContainsFunc(d.Members, func(m kmsg.ConsumerGroupDescribeResponseGroupMember) bool { return m.MemberID == a.id }) {
		t.Fatalf("a was not replaced: %+v", d.Members)
	}
	wantCode(t, "old classic id", heartbeat(c, a.tm), kerr.FencedInstanceID.Code)

	// x and a2 restart as classic members: the second replaces the last
	// member using the consumer protocol, and the group downgrades.
	for i, inst := range []string{"ix", "ia"} {
		m := newClassic("g", false)
		m.instance = strp(inst)
		resp := c.JoinGroup(context.Background(), m.joinReq(), "client", "/127.0.0.1")
		wantCode(t, "static classic join", resp.ErrorCode, 0)
		consumer := describeConsumer(c, "g").ErrorCode == 0
		if consumer != (i == 0) {
			t.Fatalf("after %s rejoined as classic: consumer group %v", inst, consumer)
		}
	}
	if d := describe(c, "g"); d.State != "PreparingRebalance" || len(d.Members) != 3 {
		t.Fatalf("after downgrade: %+v", d)
	}
}

// wantListed checks ListGroups v5's only group: id:state:protocol type:type.
func wantListed(t *testing.T, c *Coordinator, want string) {
	t.Helper()
	req := kmsg.NewPtrListGroupsRequest()
	req.Version = 5
	gs := c.ListGroups(req).Groups
	if len(gs) != 1 {
		t.Fatalf("listed %d groups", len(gs))
	}
	g := gs[0]
	if got := g.Group + ":" + g.GroupState + ":" + g.ProtocolType + ":" + g.GroupType; got != want {
		t.Fatalf("listed %s, want %s", got, want)
	}
}

func TestMigrationUpgradeRefusesWhatItCannotConvert(t *testing.T) {
	withUserData := kmsg.ConsumerMemberAssignment{UserData: []byte("custom")}
	for _, tc := range []struct {
		name   string
		assign func(m *tm) []byte
		want   int16
	}{
		{"partition given twice", func(*tm) []byte { return classicParts(0) }, kerr.GroupIDNotFound.Code},
		{"unreadable assignment", func(*tm) []byte { return []byte{0} }, kerr.GroupIDNotFound.Code},
		{"custom assignor user data", func(*tm) []byte { return withUserData.AppendTo(nil) }, kerr.UnsupportedVersion.Code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newConsumerCoordinator(t, withDelay)
			a, b := newTM("g", "t"), newTM("g", "t")
			stableGroupWith(t, c, tc.assign, a, b)
			wantCode(t, "upgrade", c.ConsumerGroupHeartbeat(newCM("g", "x", "t").req()).ErrorCode, tc.want)
			if d := describe(c, "g"); d.State != "Stable" || len(d.Members) != 2 {
				t.Fatalf("classic group changed: %+v", d)
			}
			wantCode(t, "classic heartbeat", heartbeat(c, a), 0)
		})
	}
}

func TestMigrationStoreFailureKeepsTheGroupType(t *testing.T) {
	st := newMemStore()
	c, _ := newConsumerCoordinator(t, func(o *Options) { withDelay(o); o.Store = st })
	a, b := newClassic("g", false), newClassic("g", false)
	stableClassic(t, c, map[*classicMember][]int32{a: {0, 1}, b: {2, 3}}, a, b)
	x := newCM("g", "x", "t")

	st.setFail(errDisk)
	wantCode(t, "upgrade while the store fails", c.ConsumerGroupHeartbeat(x.req()).ErrorCode, kerr.CoordinatorNotAvailable.Code)
	if d := describe(c, "g"); d.State != "Stable" || len(d.Members) != 2 {
		t.Fatalf("classic group changed: %+v", d)
	}
	st.setFail(nil)
	x.beat(t, c)
	settle(t, c, []*classicMember{a, b}, x)

	// A leave that cannot be saved does not happen, nor does the
	// downgrade it would cause: x is still a member and can retry.
	st.setFail(errDisk)
	req := x.req()
	req.MemberEpoch = -1
	wantCode(t, "leave while the store fails", c.ConsumerGroupHeartbeat(req).ErrorCode, kerr.CoordinatorNotAvailable.Code)
	st.setFail(nil)
	if d := describeConsumer(c, "g"); d.ErrorCode != 0 || len(d.Members) != 3 {
		t.Fatalf("after failed leave: %+v", d)
	}
	x.beat(t, c)
	x.leave(t, c, -1)
	if d := describe(c, "g"); d.State != "PreparingRebalance" || len(d.Members) != 2 {
		t.Fatalf("after the leave was retried: %+v", d)
	}
}
