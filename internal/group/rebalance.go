package group

import (
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// This file is the rebalance half of the state machine: entering
// PreparingRebalance, ending the join phase, and the timers that drive
// them. All functions run with g.mu held.

// maybePrepareRebalanceOrCompleteJoinLocked starts a rebalance if the state
// allows one, else tries to end the join phase in progress.
func (g *group) maybePrepareRebalanceOrCompleteJoinLocked(reason string) {
	if g.canRebalanceLocked() {
		g.prepareRebalanceLocked(reason)
		return
	}
	g.maybeCompleteJoinPhaseLocked()
}

// prepareRebalanceLocked enters PreparingRebalance. Members parked in
// SyncGroup are told REBALANCE_IN_PROGRESS. From Empty the join phase lasts
// at least the initial rebalance delay, extended while members keep joining
// (but not past the rebalance timeout); otherwise it ends when every member
// has rejoined or the rebalance timeout expires.
func (g *group) prepareRebalanceLocked(reason string) {
	if g.state == stateCompletingRebalance {
		g.resetAndPropagateAssignmentLocked(kerr.RebalanceInProgress.Code)
	}
	g.syncTimer.stop()
	clear(g.pendingSync)

	initial := g.state == stateEmpty
	if initial {
		delay := g.c.opts.InitialRebalanceDelay
		remaining := max(g.rebalanceTimeoutLocked()-delay, 0)
		g.armLocked(&g.joinTimer, delay, func() { g.tryCompleteInitialRebalanceLocked(delay, remaining) })
	}
	g.c.lg.Info("preparing to rebalance group", "group", g.id, "state", g.state.String(),
		"generation", g.generation, "reason", reason)
	g.transitionLocked(statePreparingRebalance)
	if !initial {
		g.maybeCompleteJoinElseScheduleLocked()
	}
}

func (g *group) maybeCompleteJoinElseScheduleLocked() {
	if g.allJoinedLocked() {
		g.completeJoinPhaseLocked()
		return
	}
	g.armLocked(&g.joinTimer, g.rebalanceTimeoutLocked(), g.completeJoinPhaseLocked)
}

// tryCompleteInitialRebalanceLocked ends the initial delay, or extends it
// by up to another delay if a member joined meanwhile and the rebalance
// timeout is not used up.
func (g *group) tryCompleteInitialRebalanceLocked(delay, remaining time.Duration) {
	if g.newMemberAdded && remaining != 0 {
		g.newMemberAdded = false
		next := min(g.c.opts.InitialRebalanceDelay, remaining)
		left := max(remaining-delay, 0)
		g.armLocked(&g.joinTimer, next, func() { g.tryCompleteInitialRebalanceLocked(next, left) })
		return
	}
	g.completeJoinPhaseLocked()
}

// maybeCompleteJoinPhaseLocked ends the join phase once every member has
// rejoined, except during the initial delay, which always runs out.
func (g *group) maybeCompleteJoinPhaseLocked() {
	if g.state == statePreparingRebalance && g.prevState != stateEmpty && g.allJoinedLocked() {
		g.completeJoinPhaseLocked()
	}
}

// completeJoinPhaseLocked ends the join phase: dynamic members that did not
// rejoin are removed, the generation is bumped, the protocol chosen, and
// every parked JoinGroup answered (the leader with all members' metadata).
// Static members that did not rejoin stay, with their last metadata; if no
// member at all rejoined the phase is extended by a rebalance timeout, until
// sessions expire the absent ones.
func (g *group) completeJoinPhaseLocked() {
	if g.state != statePreparingRebalance {
		return
	}
	g.joinTimer.stop()
	for _, m := range append([]*member(nil), g.members...) {
		if m.join == nil && m.instanceID == nil {
			g.removeMemberLocked(m)
		}
	}
	if !g.electJoinedLeaderLocked() && len(g.members) > 0 {
		g.c.lg.Warn("group could not complete rebalance because no members rejoined", "group", g.id)
		g.armLocked(&g.joinTimer, g.rebalanceTimeoutLocked(), g.completeJoinPhaseLocked)
		return
	}
	g.initNextGenerationLocked()
	if g.state == stateEmpty {
		g.c.lg.Info("group is now empty", "group", g.id, "generation", g.generation)
		if err := g.c.opts.Store.SaveGroup(g.snapshotLocked(nil)); err != nil {
			// As Kafka: with no members there is nobody to fail; if the broker
			// restarts first, the previous generation's members are restored
			// and expire.
			g.c.lg.Warn("failed to save empty group", "group", g.id, "err", err)
		}
		return
	}
	g.c.lg.Info("stabilized group", "group", g.id, "generation", g.generation,
		"members", len(g.members), "protocol", g.protocol)
	for _, m := range g.members {
		r := joinResult{
			generation:   g.generation,
			protocolType: strPtr(g.protocolType),
			protocol:     strPtr(g.protocol),
			leader:       g.leader,
			memberID:     m.id,
		}
		if m.id == g.leader {
			r.members = g.joinResponseMembersLocked()
		}
		g.completeJoinLocked(m, r)
		g.armSessionLocked(m)
		m.isNew = false
		g.pendingSync[m.id] = true
	}
	gen := g.generation
	g.armLocked(&g.syncTimer, g.rebalanceTimeoutLocked(), func() { g.expirePendingSyncLocked(gen) })
}

// electJoinedLeaderLocked keeps the leader if it rejoined, else makes the
// first member that rejoined the leader; false if none did.
func (g *group) electJoinedLeaderLocked() bool {
	if g.leader == "" {
		return false
	}
	if g.byID[g.leader].join != nil {
		return true
	}
	for _, m := range g.members {
		if m.join != nil {
			g.leader = m.id
			return true
		}
	}
	return false
}

func (g *group) initNextGenerationLocked() {
	g.generation++
	if len(g.members) > 0 {
		g.protocol = g.selectProtocolLocked()
		g.subscribed = g.computeSubscribedLocked()
		g.transitionLocked(stateCompletingRebalance)
	} else {
		g.protocol = ""
		g.subscribed = g.computeSubscribedLocked()
		g.transitionLocked(stateEmpty)
	}
	clear(g.pendingSync)
}

// expirePendingSyncLocked removes the members of generation gen that did
// not send SyncGroup within the rebalance timeout, and rebalances.
func (g *group) expirePendingSyncLocked(gen int32) {
	if gen != g.generation || len(g.pendingSync) == 0 {
		return
	}
	if g.state != stateCompletingRebalance && g.state != stateStable {
		return
	}
	var gone []string
	for _, m := range append([]*member(nil), g.members...) {
		if g.pendingSync[m.id] {
			gone = append(gone, m.id)
			g.removeMemberLocked(m)
		}
	}
	g.prepareRebalanceLocked("removing members who did not sync: " + strings.Join(gone, ", "))
}

// resetAndPropagateAssignmentLocked clears every assignment and answers the
// parked SyncGroups with code.
func (g *group) resetAndPropagateAssignmentLocked(code int16) {
	if g.state != stateCompletingRebalance {
		return
	}
	for _, m := range g.members {
		m.assignment = nil
	}
	g.propagateAssignmentLocked(code)
}

// propagateAssignmentLocked answers every parked SyncGroup with the
// member's assignment (or code) and restarts its session, which was not
// counting while it waited.
func (g *group) propagateAssignmentLocked(code int16) {
	for _, m := range g.members {
		r := syncResult{code: code, assignment: m.assignment}
		if code == 0 {
			r.protocolType = strPtr(g.protocolType)
			r.protocol = strPtr(g.protocol)
		}
		if g.completeSyncLocked(m, r) {
			g.armSessionLocked(m)
		}
	}
}

// armSessionLocked restarts m's session timeout.
func (g *group) armSessionLocked(m *member) {
	g.armLocked(&m.hb, m.sessionTimeout, func() { g.expireSessionLocked(m) })
}

// expireSessionLocked is m's session timer firing.
func (g *group) expireSessionLocked(m *member) {
	if g.byID[m.id] != m || m.hasSatisfiedHeartbeat() {
		return
	}
	g.c.lg.Info("member failed its session, removing it from the group", "group", g.id, "member", m.id)
	g.removeMemberAndUpdateLocked(m, "removing member "+m.id+" on heartbeat expiration")
}

// removeMemberAndUpdateLocked removes m and moves the group on: a Stable or
// CompletingRebalance group rebalances, a join phase may now be complete.
func (g *group) removeMemberAndUpdateLocked(m *member, reason string) {
	g.removeMemberLocked(m)
	g.afterRemovalLocked(reason)
}

func (g *group) afterRemovalLocked(reason string) {
	switch {
	case g.state == stateStable || g.state == stateCompletingRebalance:
		g.maybePrepareRebalanceOrCompleteJoinLocked(reason)
	case g.state == statePreparingRebalance && g.allJoinedLocked():
		g.completeJoinPhaseLocked()
	}
}

// addPendingLocked records a KIP-394 member id handed out with
// MEMBER_ID_REQUIRED; it is forgotten if not used within the session timeout.
func (g *group) addPendingLocked(id string, sessionTimeout time.Duration) {
	t := new(timer)
	g.pending[id] = t
	g.armLocked(t, sessionTimeout, func() {
		if g.pending[id] != t {
			return
		}
		delete(g.pending, id)
		if g.state == statePreparingRebalance && g.allJoinedLocked() {
			g.completeJoinPhaseLocked()
		}
	})
}

// takePendingLocked forgets a pending member id; false if unknown.
func (g *group) takePendingLocked(id string) bool {
	t, ok := g.pending[id]
	if ok {
		t.stop()
		delete(g.pending, id)
	}
	return ok
}
