package group

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// JoinGroup joins req's member to its group, blocking until the join phase
// of the rebalance completes or ctx ends. clientID and clientHost are what
// DescribeGroups shows for the member (Kafka shows the host as "/1.2.3.4").
//
// Behavior:
//   - group "" is INVALID_GROUP_ID; a session timeout outside the configured
//     range is INVALID_SESSION_TIMEOUT.
//   - A known member id of a group that does not exist is UNKNOWN_MEMBER_ID;
//     an empty member id creates the group.
//   - The protocol type must be the group's, and at least one protocol must
//     be supported by every member (INCONSISTENT_GROUP_PROTOCOL); into an
//     Empty group any non-empty type and protocol list may join.
//   - v4+: a dynamic member without a member id gets MEMBER_ID_REQUIRED and
//     a generated id, and must join again with it (KIP-394). Older versions
//     and static members are added at once.
//   - A static member (v5+ InstanceID) joining without a member id replaces
//     the member holding its instance id; the old id is fenced
//     (FENCED_INSTANCE_ID). In a Stable group, if the chosen protocol does
//     not change, there is no rebalance: the group is saved and the member
//     answered at once, as a follower, and gets its assignment from SyncGroup.
//   - A follower of a Stable group rejoining with unchanged metadata is
//     answered at once; the leader rejoining, or changed metadata, rebalances.
//   - A KIP-848 consumer group with members takes the member as a classic
//     member of it (classic.go: answered at once, no leader, generation =
//     member epoch; INCONSISTENT_GROUP_PROTOCOL if the migration policy is
//     disabled); an Empty one becomes a classic group.
//   - If ctx ends first, the member is treated as if it had not rejoined: a
//     dynamic or new member is removed; the answer is COORDINATOR_NOT_AVAILABLE.
//
// Version notes: v0 has no rebalance timeout (the session timeout is used);
// v4 MEMBER_ID_REQUIRED; v5 InstanceID; v7 ProtocolType in the response;
// v8 Reason; v9 SkipAssignment, always false here (see joinResult.response).
func (c *Coordinator) JoinGroup(ctx context.Context, req *kmsg.JoinGroupRequest, clientID, clientHost string) *kmsg.JoinGroupResponse {
	fail := func(code int16) *kmsg.JoinGroupResponse {
		return joinError(code, req.MemberID).response(req.Version)
	}
	if req.Group == "" {
		return fail(kerr.InvalidGroupID.Code)
	}
	session := millis(req.SessionTimeoutMillis)
	if session < c.opts.MinSessionTimeout || session > c.opts.MaxSessionTimeout {
		return fail(kerr.InvalidSessionTimeout.Code)
	}
	rebalance := millis(req.RebalanceTimeoutMillis)
	if req.Version == 0 || rebalance <= 0 {
		rebalance = session
	}
	j := &joinRequest{
		version:      req.Version,
		memberID:     req.MemberID,
		instanceID:   cloneStr(req.InstanceID),
		clientID:     clientID,
		clientHost:   clientHost,
		session:      session,
		rebalance:    rebalance,
		protocolType: req.ProtocolType,
		protos:       protocolsFrom(req.Protocols),
	}
	g, code := c.lockGroup(req.Group, req.MemberID == "")
	if code != 0 {
		return fail(code)
	}
	if g == nil {
		return fail(kerr.UnknownMemberID.Code)
	}
	r, w := g.joinLocked(j)
	if w == nil && r.code != 0 && r.code != kerr.MemberIDRequired.Code && g.neverUsedLocked() {
		// Do not leave behind the group a rejected first join created.
		g.transitionLocked(stateDead)
		c.unmapLocked(g)
	}
	g.mu.Unlock()
	if w != nil {
		r = g.waitJoin(ctx, w)
	}
	return r.response(req.Version)
}

// joinRequest is a validated JoinGroup, with the bytes it carries copied.
type joinRequest struct {
	version      int16
	memberID     string
	instanceID   *string
	clientID     string
	clientHost   string
	session      time.Duration
	rebalance    time.Duration
	protocolType string
	protos       []protocol
}

// joinLocked returns either an immediate result or a waiter to park on.
func (g *group) joinLocked(j *joinRequest) (joinResult, *joinWaiter) {
	if g.cg != nil {
		if len(g.cg.members) > 0 {
			return g.classicJoinConsumerLocked(j), nil
		}
		g.cg = nil // an Empty consumer group becomes classic, as in Kafka
	}
	if !g.supportsProtocolsLocked(j.protocolType, j.protos) {
		return joinError(kerr.InconsistentGroupProtocol.Code, j.memberID), nil
	}
	if j.memberID == "" {
		return g.joinNewLocked(j)
	}
	return g.joinExistingLocked(j)
}

func (g *group) joinNewLocked(j *joinRequest) (joinResult, *joinWaiter) {
	id := newMemberID(j.clientID, j.instanceID)
	if j.instanceID != nil {
		if old, ok := g.static[*j.instanceID]; ok {
			return g.replaceStaticLocked(g.byID[old], id, j)
		}
		return joinResult{}, g.addNewMemberLocked(id, j)
	}
	if j.version >= 4 {
		g.addPendingLocked(id, j.session)
		return joinError(kerr.MemberIDRequired.Code, id), nil
	}
	return joinResult{}, g.addNewMemberLocked(id, j)
}

func (g *group) joinExistingLocked(j *joinRequest) (joinResult, *joinWaiter) {
	if j.instanceID == nil && g.takePendingLocked(j.memberID) {
		return joinResult{}, g.addNewMemberLocked(j.memberID, j)
	}
	if code := g.validateMemberLocked(j.memberID, j.instanceID); code != 0 {
		return joinError(code, j.memberID), nil
	}
	m := g.byID[j.memberID]
	switch g.state {
	case statePreparingRebalance:
		return joinResult{}, g.updateMemberAndRebalanceLocked(m, j, "member "+m.id+" joins during rebalance")
	case stateCompletingRebalance:
		if m.matches(j.protos) {
			// It missed its JoinGroup response: answer with this generation.
			g.armSessionLocked(m)
			return g.currentJoinResultLocked(m.id, g.leader, m.id == g.leader), nil
		}
		return joinResult{}, g.updateMemberAndRebalanceLocked(m, j, "member "+m.id+" changed its metadata")
	case stateStable:
		if m.id == g.leader || !m.matches(j.protos) {
			// The leader rejoins to make the group reassign, for changes
			// (such as new partitions) that member metadata does not show.
			return joinResult{}, g.updateMemberAndRebalanceLocked(m, j, "leader or changed member "+m.id+" rejoins")
		}
		g.armSessionLocked(m)
		return g.currentJoinResultLocked(m.id, g.leader, false), nil
	}
	// An Empty group has no members, so validation failed above.
	return joinError(kerr.UnknownMemberID.Code, j.memberID), nil
}

// currentJoinResultLocked answers a JoinGroup with the current generation.
func (g *group) currentJoinResultLocked(memberID, leader string, withMembers bool) joinResult {
	r := joinResult{
		generation:   g.generation,
		protocolType: strPtr(g.protocolType),
		protocol:     strPtr(g.protocol),
		leader:       leader,
		memberID:     memberID,
	}
	if withMembers {
		r.members = g.joinResponseMembersLocked()
	}
	return r
}

// addNewMemberLocked adds a member parked in JoinGroup and rebalances. Until
// the join phase ends its timer is the new-member join timeout: a new member
// has no id to heartbeat with, and a client that went away must not stay.
func (g *group) addNewMemberLocked(id string, j *joinRequest) *joinWaiter {
	m := &member{
		id:               id,
		instanceID:       j.instanceID,
		clientID:         j.clientID,
		clientHost:       j.clientHost,
		rebalanceTimeout: j.rebalance,
		sessionTimeout:   j.session,
		protocolType:     j.protocolType,
		protocols:        j.protos,
		isNew:            true,
	}
	if g.state == statePreparingRebalance && g.prevState == stateEmpty {
		g.newMemberAdded = true
	}
	g.addMemberLocked(m)
	w := newJoinWaiter(m)
	g.setJoinWaiterLocked(m, w)
	g.armLocked(&m.hb, newMemberJoinTimeout, func() { g.expireSessionLocked(m) })
	g.maybePrepareRebalanceOrCompleteJoinLocked("adding new member " + id)
	return w
}

func (g *group) updateMemberAndRebalanceLocked(m *member, j *joinRequest, reason string) *joinWaiter {
	m.protocols = j.protos
	m.rebalanceTimeout = j.rebalance
	m.sessionTimeout = j.session
	w := newJoinWaiter(m)
	g.setJoinWaiterLocked(m, w)
	g.maybePrepareRebalanceOrCompleteJoinLocked(reason)
	return w
}

// replaceStaticLocked gives old's instance id to a new member id (KIP-345).
func (g *group) replaceStaticLocked(old *member, newID string, j *joinRequest) (joinResult, *joinWaiter) {
	currentLeader := g.leader
	m := g.replaceMemberIDLocked(old, newID)
	m.protocols, m.rebalanceTimeout, m.sessionTimeout = j.protos, j.rebalance, j.session
	g.armSessionLocked(m)

	switch g.state {
	case stateStable:
		if g.selectProtocolLocked() != g.protocol {
			break
		}
		if err := g.c.opts.Store.SaveGroup(g.snapshotLocked(nil)); err != nil {
			g.c.lg.Warn("failed to save group after static member rejoined; reverting",
				"group", g.id, "instance", *old.instanceID, "err", err)
			m.protocols, m.rebalanceTimeout, m.sessionTimeout = old.protocols, old.rebalanceTimeout, old.sessionTimeout
			g.armSessionLocked(g.replaceMemberIDLocked(m, old.id))
			r := g.currentJoinResultLocked("", currentLeader, false)
			r.code = storeCode(err)
			return r, nil
		}
		g.c.lg.Info("static member rejoined a stable group without rebalance", "group", g.id,
			"instance", *m.instanceID, "member", newID, "replaced", old.id)
		// The old leader id as leader makes a rejoining static leader act as
		// a follower: Kafka's answer before JoinGroup v9.
		return g.currentJoinResultLocked(newID, currentLeader, false), nil
	case stateCompletingRebalance:
		// The leader may already be assigning to the old member id: the new
		// one would get nothing, so rebalance.
		w := newJoinWaiter(m)
		g.setJoinWaiterLocked(m, w)
		g.prepareRebalanceLocked("static member " + newID + " replaced " + old.id + " during sync")
		return joinResult{}, w
	}
	w := newJoinWaiter(m)
	g.setJoinWaiterLocked(m, w)
	g.maybePrepareRebalanceOrCompleteJoinLocked("static member " + newID + " replaced " + old.id)
	return joinResult{}, w
}

// replaceMemberIDLocked moves old's place in the group to a member with id
// newID and old's settings, fencing calls parked under the old id.
func (g *group) replaceMemberIDLocked(old *member, newID string) *member {
	g.completeJoinLocked(old, joinError(kerr.FencedInstanceID.Code, old.id))
	g.completeSyncLocked(old, syncError(kerr.FencedInstanceID.Code))
	old.hb.stop()
	m := &member{
		id:               newID,
		instanceID:       old.instanceID,
		clientID:         old.clientID,
		clientHost:       old.clientHost,
		rebalanceTimeout: old.rebalanceTimeout,
		sessionTimeout:   old.sessionTimeout,
		protocolType:     old.protocolType,
		protocols:        old.protocols,
		assignment:       old.assignment,
	}
	for i, x := range g.members {
		if x == old {
			g.members[i] = m
		}
	}
	delete(g.byID, old.id)
	g.byID[newID] = m
	if g.leader == old.id {
		g.leader = newID
	}
	if g.pendingSync[old.id] {
		delete(g.pendingSync, old.id)
		g.pendingSync[newID] = true
	}
	if m.instanceID != nil {
		g.static[*m.instanceID] = newID
	}
	return m
}

// waitJoin parks on w until the join phase answers it or ctx ends.
func (g *group) waitJoin(ctx context.Context, w *joinWaiter) joinResult {
	select {
	case r := <-w.ch:
		return r
	case <-ctx.Done():
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case r := <-w.ch: // answered while we took the lock
		return r
	default:
	}
	m := w.m
	if m.join == w {
		g.setJoinWaiterLocked(m, nil)
		if g.byID[m.id] == m {
			if m.isNew || m.instanceID == nil {
				g.c.lg.Info("member abandoned its JoinGroup, removing it", "group", g.id, "member", m.id)
				g.removeMemberAndUpdateLocked(m, "member "+m.id+" abandoned its JoinGroup")
			} else {
				g.armSessionLocked(m) // a static member keeps its place until its session ends
			}
		}
	}
	return joinError(kerr.CoordinatorNotAvailable.Code, m.id)
}

func millis(ms int32) time.Duration { return time.Duration(ms) * time.Millisecond }

func cloneStr(s *string) *string {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}
