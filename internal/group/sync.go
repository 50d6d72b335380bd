package group

import (
	"bytes"
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// SyncGroup completes a member's rebalance: the leader brings every
// member's assignment, followers wait for it. It blocks until the leader's
// assignment is saved or ctx ends.
//
// Behavior:
//   - group "" is INVALID_GROUP_ID; an unknown or Empty group, or an unknown
//     member, is UNKNOWN_MEMBER_ID; a replaced static member id is
//     FENCED_INSTANCE_ID; another generation is ILLEGAL_GENERATION; a
//     protocol type or name (v5+) other than the group's is
//     INCONSISTENT_GROUP_PROTOCOL.
//   - PreparingRebalance: REBALANCE_IN_PROGRESS (the member must rejoin).
//   - CompletingRebalance: the call parks. The leader's assignment (members
//     it leaves out get an empty one; assignments from followers are
//     ignored) is saved with Store.SaveGroup, then every parked member is
//     answered and the group is Stable. If saving fails, parked members get
//     the Store's error code and the group rebalances.
//   - Stable: the member's current assignment, at once.
//   - If ctx ends first, the call returns COORDINATOR_NOT_AVAILABLE; the
//     member must then heartbeat within its session timeout.
//   - A KIP-848 consumer group with members answers a classic member at
//     once with its assigned partitions (classic.go).
//
// Version notes: v3 InstanceID; v5 ProtocolType and Protocol in request and
// response.
func (c *Coordinator) SyncGroup(ctx context.Context, req *kmsg.SyncGroupRequest) *kmsg.SyncGroupResponse {
	fail := func(code int16) *kmsg.SyncGroupResponse { return syncError(code).response(req.Version) }
	if req.Group == "" {
		return fail(kerr.InvalidGroupID.Code)
	}
	g, code := c.lockGroup(req.Group, false)
	if code != 0 {
		return fail(code)
	}
	if g == nil {
		return fail(kerr.UnknownMemberID.Code)
	}
	r, w := g.syncLocked(req)
	g.mu.Unlock()
	if w != nil {
		r = g.waitSync(ctx, w)
	}
	return r.response(req.Version)
}

func (g *group) syncLocked(req *kmsg.SyncGroupRequest) (syncResult, *syncWaiter) {
	if g.cg != nil && len(g.cg.members) > 0 {
		return g.classicSyncConsumerLocked(req), nil
	}
	if code := g.validateSyncLocked(req); code != 0 {
		return syncError(code), nil
	}
	m := g.byID[req.MemberID]
	switch g.state {
	case statePreparingRebalance:
		return syncError(kerr.RebalanceInProgress.Code), nil
	case stateStable:
		delete(g.pendingSync, m.id)
		g.armSessionLocked(m)
		return syncResult{
			protocolType: strPtr(g.protocolType),
			protocol:     strPtr(g.protocol),
			assignment:   m.assignment,
		}, nil
	}
	// CompletingRebalance.
	w := newSyncWaiter(m)
	if m.sync != nil {
		m.sync.deliver(syncError(kerr.RebalanceInProgress.Code)) // a retry replaces the parked call
	}
	m.sync = w
	delete(g.pendingSync, m.id)
	if m.id == g.leader {
		g.applyLeaderAssignmentLocked(req)
	}
	return syncResult{}, w
}

// validateSyncLocked is Kafka's SyncGroup validation, in its order.
func (g *group) validateSyncLocked(req *kmsg.SyncGroupRequest) int16 {
	if g.state == stateEmpty {
		return kerr.UnknownMemberID.Code
	}
	if code := g.validateMemberLocked(req.MemberID, req.InstanceID); code != 0 {
		return code
	}
	if req.Generation != g.generation {
		return kerr.IllegalGeneration.Code
	}
	if inconsistent(req.ProtocolType, g.protocolType) || inconsistent(req.Protocol, g.protocol) {
		return kerr.InconsistentGroupProtocol.Code
	}
	return 0
}

// inconsistent reports a protocol field the client sent that differs from
// the group's (both must be set to compare).
func inconsistent(sent *string, have string) bool {
	return sent != nil && have != "" && *sent != have
}

// applyLeaderAssignmentLocked saves the leader's assignment and, once it is
// durable, makes the group Stable and answers every parked SyncGroup.
func (g *group) applyLeaderAssignmentLocked(req *kmsg.SyncGroupRequest) {
	assignment := make(map[string][]byte, len(g.members))
	for _, a := range req.GroupAssignment {
		if g.byID[a.MemberID] != nil {
			assignment[a.MemberID] = bytes.Clone(a.MemberAssignment)
		}
	}
	missing := 0
	for _, m := range g.members {
		if _, ok := assignment[m.id]; !ok {
			assignment[m.id] = []byte{}
			missing++
		}
	}
	if missing > 0 {
		g.c.lg.Warn("leader's assignment leaves members out; they get an empty one",
			"group", g.id, "generation", g.generation, "missing", missing)
	}
	if err := g.c.opts.Store.SaveGroup(g.snapshotLocked(assignment)); err != nil {
		g.c.lg.Warn("failed to save group assignment", "group", g.id, "generation", g.generation, "err", err)
		g.resetAndPropagateAssignmentLocked(storeCode(err))
		g.maybePrepareRebalanceOrCompleteJoinLocked("failed to save the assignment")
		return
	}
	for _, m := range g.members {
		m.assignment = assignment[m.id]
	}
	g.propagateAssignmentLocked(0)
	g.transitionLocked(stateStable)
}

// waitSync parks on w until the leader's assignment answers it or ctx ends.
func (g *group) waitSync(ctx context.Context, w *syncWaiter) syncResult {
	select {
	case r := <-w.ch:
		return r
	case <-ctx.Done():
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case r := <-w.ch:
		return r
	default:
	}
	if m := w.m; m.sync == w {
		m.sync = nil
		if g.byID[m.id] == m {
			g.armSessionLocked(m) // no longer waiting on us: heartbeats are due again
		}
	}
	return syncError(kerr.CoordinatorNotAvailable.Code)
}
