package group

import (
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ConsumerGroupHeartbeat is ConsumerGroupHeartbeatFrom without client id
// and host (ConsumerGroupDescribe then shows them empty).
func (c *Coordinator) ConsumerGroupHeartbeat(req *kmsg.ConsumerGroupHeartbeatRequest) *kmsg.ConsumerGroupHeartbeatResponse {
	return c.ConsumerGroupHeartbeatFrom(req, "", "")
}

// ConsumerGroupHeartbeatFrom joins, heartbeats or leaves a KIP-848
// consumer group; clientID and clientHost are what ConsumerGroupDescribe
// shows for the member.
//
// Behavior (Kafka 4.x GroupMetadataManager.consumerGroupHeartbeat):
//   - Malformed requests are INVALID_REQUEST with a message: empty group id,
//     empty member id (v1+; v0 only when not joining), empty instance or
//     rack id, a join (epoch 0) without rebalance timeout or subscription or
//     with owned partitions, epoch -2 without instance id, epoch < -2. An
//     unknown ServerAssignor is UNSUPPORTED_ASSIGNOR, a regex RE2 cannot
//     compile INVALID_REGULAR_EXPRESSION.
//   - Epoch 0 joins (v0 without member id: the broker makes one), creating
//     the group, or replacing an Empty classic group (its offsets stay). A
//     classic group with members is upgraded to a consumer group if the
//     migration policy allows it and its protocol type is "consumer"
//     (migrate.go); otherwise it is GROUP_ID_NOT_FOUND ("not a consumer
//     group"). A static member whose instance id is held by a member that
//     has not left with epoch -2 is UNRELEASED_INSTANCE_ID, unless that
//     member uses the classic protocol; one that left (or a classic one) is
//     replaced by the new member id, which keeps its partitions.
//   - A member id that belongs to a member using the classic protocol is
//     UNKNOWN_MEMBER_ID ("uses the classic protocol"): such a member speaks
//     JoinGroup/SyncGroup/Heartbeat only (classic.go).
//   - Epoch > 0: the member must exist (UNKNOWN_MEMBER_ID; FENCED_INSTANCE_ID
//     for a replaced static member) with that epoch, or the previous one
//     if the owned partitions it reports are a subset of its assignment
//     (FENCED_MEMBER_EPOCH otherwise). A group that does not exist, or is
//     a classic group, is GROUP_ID_NOT_FOUND, as in Kafka (also for epochs
//     -1 and -2). Consumer groups are persisted, so a member finds its
//     group after a restart; this answer only reaches members of a group
//     deleted or expired meanwhile, or of a data directory written by a
//     samsa that did not persist consumer groups. franz-go handles it: its
//     heartbeat loop reports it once (OnPartitionsLost, an ErrGroupSession
//     from PollFetches) and rejoins with the same member id at epoch 0; a
//     leave treats it as success. Other clients get Kafka's answer.
//   - Epoch -1 leaves (the partitions are reassigned); -2 is a static
//     member leaving that keeps its instance id and partitions until it
//     rejoins or its session times out. When the last member using the
//     consumer protocol leaves or is removed, the classic members left
//     downgrade the group to a classic one if the policy allows it.
//   - A join, a changed subscription or assignor, or a change in the
//     subscribed topics' metadata bumps the group epoch; the target
//     assignment is then recomputed by the assignor most members ask for
//     ("uniform" when none asks). The member then reconciles (see
//     reconcileLocked) and the response carries its epoch and, if it
//     changed or the request was full, its assignment.
//   - Every heartbeat renews the member's session (ConsumerSessionTimeout);
//     a member that does not revoke within its rebalance timeout is removed.
//   - What the heartbeat changed is saved with one Store.SaveConsumerGroup
//     call before the response (consumer_txn.go); if the write fails the
//     group is left as it was and the error is the Store's code.
//
// Version notes: v1 SubscribedTopicRegex, and the member id comes from the
// client.
func (c *Coordinator) ConsumerGroupHeartbeatFrom(req *kmsg.ConsumerGroupHeartbeatRequest, clientID, clientHost string) *kmsg.ConsumerGroupHeartbeatResponse {
	resp := kmsg.NewPtrConsumerGroupHeartbeatResponse()
	resp.Version = req.Version
	fail := func(code int16, msg string) *kmsg.ConsumerGroupHeartbeatResponse {
		resp.ErrorCode = code
		if msg != "" {
			resp.ErrorMessage = &msg
		}
		return resp
	}
	if code, msg := validateConsumerHeartbeat(req); code != 0 {
		return fail(code, msg)
	}
	h := &cgHeartbeat{req: req, memberID: req.MemberID, clientID: clientID, clientHost: clientHost}
	if h.memberID == "" {
		h.memberID = uuid.NewString()
	}
	g, code := c.lockGroup(req.Group, req.MemberEpoch == 0)
	if code != 0 {
		return fail(code, "")
	}
	if g == nil {
		return fail(kerr.GroupIDNotFound.Code, "Consumer group "+req.Group+" not found.")
	}
	defer g.mu.Unlock()
	g.beginConsumerChangeLocked()
	code, msg := g.consumerHeartbeatChangeLocked(h, resp)
	if code != 0 {
		g.abortConsumerChangeLocked()
	} else if err := g.commitConsumerChangeLocked(); err != nil {
		c.lg.Warn("failed to save consumer group; the heartbeat changed nothing",
			"group", g.id, "member", h.memberID, "err", err)
		code, msg = storeCode(err), ""
	}
	if code != 0 {
		resp.MemberEpoch, resp.Assignment = 0, nil
		g.dropIfNeverUsedLocked()
		return fail(code, msg)
	}
	return resp
}

// consumerHeartbeatChangeLocked makes g a consumer group if the heartbeat
// may (an Empty classic group, or an upgrade), then applies it.
func (g *group) consumerHeartbeatChangeLocked(h *cgHeartbeat, resp *kmsg.ConsumerGroupHeartbeatResponse) (int16, string) {
	req := h.req
	if g.cg == nil {
		switch {
		case g.isEmptyClassicLocked() && req.MemberEpoch == 0:
			g.toConsumerLocked()
		case req.MemberEpoch == 0 && g.canUpgradeLocked():
			if code, msg := g.upgradeLocked(); code != 0 {
				return code, msg
			}
		default:
			return kerr.GroupIDNotFound.Code, "Group " + g.id + " is not a consumer group."
		}
	}
	if req.MemberEpoch < 0 {
		return g.consumerLeaveLocked(h, resp)
	}
	return g.consumerHeartbeatLocked(h, resp)
}

// cgHeartbeat is a validated heartbeat and who sent it.
type cgHeartbeat struct {
	req                  *kmsg.ConsumerGroupHeartbeatRequest
	memberID             string
	clientID, clientHost string
}

func validateConsumerHeartbeat(req *kmsg.ConsumerGroupHeartbeatRequest) (int16, string) {
	invalid := func(msg string) (int16, string) { return kerr.InvalidRequest.Code, msg }
	switch {
	case req.Group == "":
		return invalid("GroupId can't be empty.")
	case req.MemberID == "" && (req.Version >= 1 || req.MemberEpoch != 0):
		return invalid("MemberId can't be empty.")
	case req.InstanceID != nil && *req.InstanceID == "":
		return invalid("InstanceId can't be empty.")
	case req.RackID != nil && *req.RackID == "":
		return invalid("RackId can't be empty.")
	case req.MemberEpoch < leaveStaticEpoch:
		return invalid("MemberEpoch is invalid.")
	case req.MemberEpoch == leaveStaticEpoch && req.InstanceID == nil:
		return invalid("InstanceId can't be null.")
	}
	if req.MemberEpoch == 0 {
		switch {
		case req.RebalanceTimeoutMillis == -1:
			return invalid("RebalanceTimeoutMs must be provided in first request.")
		case len(req.Topics) > 0:
			return invalid("TopicPartitions must be empty when (re-)joining.")
		case req.SubscribedTopicNames == nil && req.SubscribedTopicRegex == nil:
			return invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.")
		}
	}
	if a := req.ServerAssignor; a != nil && assignors[*a] == nil {
		return kerr.UnsupportedAssignor.Code, "ServerAssignor " + *a + " is not supported. Supported assignors: range, uniform."
	}
	if re := req.SubscribedTopicRegex; re != nil && *re != "" {
		if _, err := compileRegex(*re); err != nil {
			return kerr.InvalidRegularExpression.Code, "SubscribedTopicRegex " + *re + " is not a valid regular expression: " + err.Error()
		}
	}
	return 0, ""
}

// isEmptyClassicLocked reports whether g is a classic group without
// members, which a consumer group may replace.
func (g *group) isEmptyClassicLocked() bool {
	return g.cg == nil && g.state == stateEmpty && len(g.members) == 0 && len(g.pending) == 0
}

// toConsumerLocked makes an Empty classic group a consumer group; its
// offsets stay.
func (g *group) toConsumerLocked() {
	g.cg = newConsumerGroup(g.c.now().UnixMilli())
	g.protocolType = consumerType
	g.subscribed = nil
}

// dropIfNeverUsedLocked unmaps a group that a rejected join created: the
// rejection put it back as the new, empty classic group it was.
func (g *group) dropIfNeverUsedLocked() {
	if g.neverUsedLocked() {
		g.transitionLocked(stateDead)
		g.c.unmapLocked(g)
	}
}

func (g *group) consumerHeartbeatLocked(h *cgHeartbeat, resp *kmsg.ConsumerGroupHeartbeatResponse) (int16, string) {
	req, cg := h.req, g.cg
	var m *cmember
	changed := false
	var owned partSet
	if req.Topics != nil {
		owned = partsFrom(req.Topics)
	}
	if req.MemberEpoch == 0 {
		var code int16
		var msg string
		if m, changed, code, msg = g.consumerJoinLocked(h); code != 0 {
			return code, msg
		}
		owned = make(partSet) // a joining member owns nothing
	} else {
		if old := cg.members[h.memberID]; old != nil && old.classic != nil {
			return kerr.UnknownMemberID.Code, usesClassicMessage(old.id)
		}
		var code int16
		if m, code = cg.memberForEpochLocked(h.memberID, req.InstanceID, req.MemberEpoch, owned); code != 0 {
			return code, ""
		}
	}
	if g.updateSubscriptionLocked(m, h) {
		changed = true
	}
	g.armConsumerSessionLocked(m)
	g.consumerChangedLocked(changed)

	before := m.assigned
	wasRevoking := m.state == mUnrevoked
	cg.reconcileLocked(m, owned)
	switch {
	case m.state != mUnrevoked:
		g.stopLocked(&m.rt)
	case !wasRevoking:
		g.armRevokeTimeoutLocked(m)
	}

	resp.MemberID = &m.id
	resp.MemberEpoch = m.epoch
	resp.HeartbeatIntervalMillis = int32(g.c.opts.ConsumerHeartbeatInterval.Milliseconds())
	full := req.RebalanceTimeoutMillis != -1 && (req.SubscribedTopicNames != nil || req.SubscribedTopicRegex != nil) && req.Topics != nil
	if req.MemberEpoch == 0 || full || !maps.Equal(before, m.assigned) {
		a := kmsg.NewConsumerGroupHeartbeatResponseAssignment()
		a.Topics = assignmentTopics(m.assigned)
		resp.Assignment = &a
	}
	return 0, ""
}

// consumerJoinLocked finds or creates the member of a join (epoch 0);
// added reports a new member (which bumps the group epoch).
func (g *group) consumerJoinLocked(h *cgHeartbeat) (m *cmember, added bool, code int16, msg string) {
	cg, req := g.cg, h.req
	if req.InstanceID != nil {
		if oldID, ok := cg.static[*req.InstanceID]; ok {
			old := cg.members[oldID]
			if old.classic != nil {
				// Kafka replaces a classic static member at once: the
				// instance is moving to the consumer protocol.
				m := g.replaceStaticConsumerLocked(old, h.memberID)
				m.epoch, m.prevEpoch = 0, 0
				return m, false, 0, ""
			}
			if old.epoch != leaveStaticEpoch {
				return nil, false, kerr.UnreleasedInstanceID.Code, "Static member " + *req.InstanceID + " is not released yet."
			}
			return g.replaceStaticConsumerLocked(old, h.memberID), false, 0, ""
		}
	} else if m := cg.members[h.memberID]; m != nil {
		if m.classic != nil {
			return nil, false, kerr.UnknownMemberID.Code, usesClassicMessage(m.id)
		}
		return m, false, 0, "" // a member rejoining gets its current state back
	}
	m = &cmember{
		id:         h.memberID,
		instanceID: cloneStr(req.InstanceID),
		assigned:   make(partSet),
	}
	cg.members[m.id] = m
	if m.instanceID != nil {
		cg.static[*m.instanceID] = m.id
	}
	g.c.lg.Info("member joined consumer group", "group", g.id, "member", m.id)
	return m, true, 0, ""
}

// usesClassicMessage is the error message for a ConsumerGroupHeartbeat
// naming a member that uses the classic protocol.
func usesClassicMessage(id string) string {
	return "Member " + id + " uses the classic protocol."
}

// replaceStaticConsumerLocked hands a static member's place to a new member
// id, with the epoch and partitions it had: a member that left with epoch
// -2 rejoining, or an instance switching protocols (the callers then reset
// the epoch to 0, as Kafka does). The new member uses the consumer protocol
// until a classic JoinGroup makes it classic.
func (g *group) replaceStaticConsumerLocked(old *cmember, id string) *cmember {
	cg := g.cg
	cg.release(old)
	g.afterWriteLocked(old.stopTimers)
	delete(cg.members, old.id)
	m := &cmember{
		id:               id,
		instanceID:       old.instanceID,
		rackID:           old.rackID,
		epoch:            old.prevEpoch,
		prevEpoch:        old.prevEpoch,
		state:            old.state,
		rebalanceTimeout: old.rebalanceTimeout,
		topics:           old.topics,
		regex:            old.regex,
		assignor:         old.assignor,
		assigned:         old.assigned,
		revoking:         old.revoking,
	}
	cg.members[id] = m
	cg.static[*m.instanceID] = id
	if t, ok := cg.target[old.id]; ok {
		delete(cg.target, old.id)
		cg.target[id] = t
	}
	cg.claim(m)
	g.c.lg.Info("static member rejoined consumer group", "group", g.id, "member", id, "replaced", old.id)
	return m
}

// memberForEpochLocked is the member a heartbeat with epoch > 0 comes
// from, checked as Kafka's throwIfMemberEpochIsInvalid.
func (cg *consumerGroup) memberForEpochLocked(id string, instanceID *string, epoch int32, owned partSet) (*cmember, int16) {
	if instanceID != nil {
		if cur, ok := cg.static[*instanceID]; ok && cur != id {
			return nil, kerr.FencedInstanceID.Code
		}
	}
	m := cg.members[id]
	if m == nil {
		return nil, kerr.UnknownMemberID.Code
	}
	switch {
	case epoch > m.epoch:
		return nil, kerr.FencedMemberEpoch.Code
	case epoch < m.epoch:
		// The response that advanced the epoch may have been lost: the
		// previous epoch is fine if the member owns nothing it should not.
		if epoch != m.prevEpoch || owned == nil || !subset(owned, m.assigned) {
			return nil, kerr.FencedMemberEpoch.Code
		}
	}
	return m, 0
}

func subset(a, b partSet) bool {
	for p := range a {
		if !b.has(p) {
			return false
		}
	}
	return true
}

// updateSubscriptionLocked applies the fields a heartbeat sets (null
// means unchanged) and reports whether the subscription or assignor
// changed.
func (g *group) updateSubscriptionLocked(m *cmember, h *cgHeartbeat) bool {
	req, cg := h.req, g.cg
	if h.clientID != "" {
		m.clientID = h.clientID
	}
	if h.clientHost != "" {
		m.clientHost = h.clientHost
	}
	if req.RebalanceTimeoutMillis != -1 {
		m.rebalanceTimeout = time.Duration(req.RebalanceTimeoutMillis) * time.Millisecond
	}
	if req.RackID != nil {
		m.rackID = cloneStr(req.RackID)
	}
	changed := false
	if req.SubscribedTopicNames != nil {
		topics := slices.Compact(slices.Sorted(slices.Values(req.SubscribedTopicNames)))
		if !slices.Equal(topics, m.topics) {
			m.topics, changed = topics, true
		}
	}
	if req.SubscribedTopicRegex != nil {
		var re *string
		if *req.SubscribedTopicRegex != "" {
			re = cloneStr(req.SubscribedTopicRegex)
			if cg.regexes[*re] == nil {
				cg.regexes[*re], _ = compileRegex(*re) // validated already
			}
		}
		if (re == nil) != (m.regex == nil) || (re != nil && *re != *m.regex) {
			m.regex, changed = re, true
			cg.retainRegexesLocked()
		}
	}
	if req.ServerAssignor != nil && *req.ServerAssignor != m.assignor {
		m.assignor, changed = *req.ServerAssignor, true
	}
	return changed
}

// consumerChangedLocked refreshes the subscribed topics' metadata, bumps
// the group epoch if it or the membership changed (bump), and recomputes
// the target assignment when it lags the group epoch.
func (g *group) consumerChangedLocked(bump bool) {
	cg := g.cg
	if meta := cg.subscribedMetaLocked(g.c.opts.Topics()); !maps.Equal(meta, cg.meta) {
		cg.meta, bump = meta, true
	}
	if bump {
		cg.epoch++
	}
	if cg.epoch > cg.assignEpoch {
		cg.computeTargetLocked()
		g.c.lg.Info("computed consumer group target assignment", "group", g.id,
			"epoch", cg.epoch, "assignor", cg.assignor, "members", len(cg.members))
	}
}

func (g *group) armConsumerSessionLocked(m *cmember) {
	g.armRemovalLocked(&m.hb, m.sessionTimeout(g.c.opts.ConsumerSessionTimeout), m, "session timeout expired")
}

// armRevokeTimeoutLocked gives m, which must revoke partitions, its
// rebalance timeout to do so.
func (g *group) armRevokeTimeoutLocked(m *cmember) {
	g.armRemovalLocked(&m.rt, m.rebalanceTimeout, m, "member did not revoke its partitions within the rebalance timeout")
}

// removalRetryBackoff is how soon a timer retries a removal whose write
// failed (Kafka's coordinator retries failed timer operations so).
const removalRetryBackoff = 500 * time.Millisecond

// armRemovalLocked arms t to remove m for reason. The removal is a change
// like any other, written before it takes effect; if the write fails, m
// stays and the removal is retried after removalRetryBackoff.
func (g *group) armRemovalLocked(t *timer, d time.Duration, m *cmember, reason string) {
	g.armLocked(t, d, func() {
		if g.cg == nil || g.cg.members[m.id] != m {
			return
		}
		g.beginConsumerChangeLocked()
		g.removeConsumerMemberLocked(m, reason)
		if err := g.commitConsumerChangeLocked(); err != nil {
			g.c.lg.Warn("failed to save the removal of a consumer group member; retrying",
				"group", g.id, "member", m.id, "reason", reason, "err", err)
			g.armRemovalLocked(t, removalRetryBackoff, m, reason)
		}
	})
}

// removeConsumerMemberLocked removes m if it is still a member (Kafka's
// fencing): the group then downgrades or recomputes the assignment of the
// others (see fenceConsumerMembersLocked).
func (g *group) removeConsumerMemberLocked(m *cmember, reason string) {
	if g.cg == nil || g.cg.members[m.id] != m {
		return
	}
	g.fenceConsumerMembersLocked([]*cmember{m}, reason)
}

// dropConsumerMemberLocked forgets m; the caller bumps the group epoch.
func (g *group) dropConsumerMemberLocked(m *cmember, reason string) {
	cg := g.cg
	g.c.lg.Info("removing member from consumer group", "group", g.id, "member", m.id, "reason", reason)
	cg.release(m)
	g.afterWriteLocked(m.stopTimers)
	delete(cg.members, m.id)
	delete(cg.target, m.id)
	if m.instanceID != nil && cg.static[*m.instanceID] == m.id {
		delete(cg.static, *m.instanceID)
	}
	cg.retainRegexesLocked()
	if len(cg.members) == 0 {
		cg.stateTime = g.c.now().UnixMilli()
	}
}

// consumerLeaveLocked handles epochs -1 (leave) and -2 (static member
// leaving temporarily).
func (g *group) consumerLeaveLocked(h *cgHeartbeat, resp *kmsg.ConsumerGroupHeartbeatResponse) (int16, string) {
	req, cg := h.req, g.cg
	var m *cmember
	if req.InstanceID != nil {
		cur, ok := cg.static[*req.InstanceID]
		if !ok {
			return kerr.UnknownMemberID.Code, ""
		}
		if cur != h.memberID {
			return kerr.FencedInstanceID.Code, ""
		}
	}
	if m = cg.members[h.memberID]; m == nil {
		return kerr.UnknownMemberID.Code, ""
	}
	if m.classic != nil {
		return kerr.UnknownMemberID.Code, usesClassicMessage(m.id)
	}
	resp.MemberID = &m.id
	resp.MemberEpoch = req.MemberEpoch
	if req.MemberEpoch == leaveStaticEpoch {
		m.setEpoch(leaveStaticEpoch)
		g.stopLocked(&m.rt)
		g.armConsumerSessionLocked(m)
		g.c.lg.Info("static member left consumer group temporarily", "group", g.id, "member", m.id)
		return 0, ""
	}
	g.removeConsumerMemberLocked(m, "member left the group")
	return 0, ""
}

// consumerTopicName is the name of topic id in cg's metadata, else as
// Options.TopicName resolves it.
func (g *group) consumerTopicName(id [16]byte) string {
	for name, tm := range g.cg.meta {
		if tm.ID == id {
			return name
		}
	}
	name, _ := g.c.opts.TopicName(id)
	return name
}
