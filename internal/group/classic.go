package group

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// This file serves the classic protocol to the members of a consumer group
// that use it, during an online migration (Kafka's
// GroupMetadataManager.classicGroup{Join,Sync,Heartbeat,Leave}ToConsumerGroup).
// The server-side assignor decides; there is no leader, and each call is
// answered at once:
//
//	JoinGroup  joins or updates the subscription (a change bumps the group
//	           epoch), then reconciles with the owned partitions the
//	           metadata reports; generation = member epoch
//	SyncGroup  the member's assigned partitions, as a consumer protocol
//	           assignment (never those pending revocation)
//	Heartbeat  REBALANCE_IN_PROGRESS while the member must rejoin: its epoch
//	           lags the group's, it must revoke partitions, or partitions it
//	           waits for were released
//
// A cooperative member revokes what SyncGroup no longer gives it and
// rejoins; that JoinGroup, reporting it no longer owns them, advances its
// epoch and frees them for their new owner. An eager member revokes
// everything before it rejoins. Instead of a rebalance timeout a classic
// member has a join deadline (after it was told to rejoin) and a sync
// deadline (after its JoinGroup), both its rebalance timeout.

// classicProto is what a classic member brought in its last JoinGroup
// (Kafka's ClassicMemberMetadata); its deadlines are cmember.cjoin and
// cmember.csync.
type classicProto struct {
	sessionTimeout time.Duration
	protocols      []protocol // in the member's order of preference; never empty
}

// protocolName is the protocol the member is told it uses: its first, as
// Kafka answers (the assignment is the server's whatever the name).
func (c *classicProto) protocolName() string { return c.protocols[0].name }

// assignmentVersion is the consumer protocol version of the member's
// assignments: that of its metadata, as Kafka encodes them.
func (c *classicProto) assignmentVersion() int16 { return protocolVersion(c.protocols[0].metadata) }

func (c *classicProto) supports(name string) bool {
	return slices.ContainsFunc(c.protocols, func(p protocol) bool { return p.name == name })
}

// classicJoinConsumerLocked is a JoinGroup into a consumer group with
// members; it never parks. What it changed is saved before the answer; if
// the write fails, nothing changed and the answer is the Store's code.
func (g *group) classicJoinConsumerLocked(j *joinRequest) joinResult {
	g.beginConsumerChangeLocked()
	r := g.classicJoinConsumerChangeLocked(j)
	if r.code != 0 {
		g.abortConsumerChangeLocked()
		return r
	}
	if err := g.commitConsumerChangeLocked(); err != nil {
		g.c.lg.Warn("failed to save consumer group; the classic member's join changed nothing",
			"group", g.id, "member", r.memberID, "err", err)
		return joinError(storeCode(err), j.memberID)
	}
	return r
}

func (g *group) classicJoinConsumerChangeLocked(j *joinRequest) joinResult {
	cg := g.cg
	fail := func(code int16) joinResult { return joinError(code, j.memberID) }
	if g.c.opts.MigrationPolicy == MigrationDisabled {
		// As Kafka since KAFKA-20640: with migration disabled a group
		// never mixes the protocols, as in the other direction.
		return fail(kerr.InconsistentGroupProtocol.Code)
	}
	if j.protocolType != consumerProtocolType || !cg.supportsClassicLocked(j.memberID, j.protos) {
		return fail(kerr.InconsistentGroupProtocol.Code)
	}
	id, unknown := j.memberID, j.memberID == ""
	if unknown {
		id = uuid.NewString() // Kafka's consumer groups use bare UUIDs
		if j.instanceID == nil && j.version >= 4 {
			return joinError(kerr.MemberIDRequired.Code, id)
		}
	}
	// Kafka reads the first protocol's metadata: all carry the same
	// subscription.
	sub, ok := readSubscription(j.protos[0].metadata)
	if !ok {
		return fail(kerr.UnknownServerError.Code)
	}
	m, added, replacedConsumer, code := g.classicMemberForJoinLocked(id, unknown, j)
	if code != 0 {
		return fail(code)
	}
	changed := g.updateClassicMemberLocked(m, j, sub)
	g.consumerChangedLocked(added || changed)
	cg.reconcileLocked(m, g.ownedPartitions(sub))
	r := joinResult{
		generation:   m.epoch,
		protocolType: strPtr(consumerProtocolType),
		protocol:     strPtr(m.classic.protocolName()),
		memberID:     m.id,
	}
	if replacedConsumer && g.downgradeWithoutLocked(nil, "static member "+m.id+" took over from the last member using the consumer protocol") {
		return r // the classic group's rebalance gives it its assignment
	}
	g.stopLocked(&m.cjoin)
	g.armConsumerSessionLocked(m)
	g.armRemovalLocked(&m.csync, m.rebalanceTimeout, m, "the classic member did not sync within the rebalance timeout")
	return r
}

// supportsClassicLocked is Kafka's supportsClassicProtocols: some protocol
// of protos is supported by every other classic member.
func (cg *consumerGroup) supportsClassicLocked(self string, protos []protocol) bool {
	for _, p := range protos {
		all := true
		for _, m := range cg.members {
			if m.id != self && m.classic != nil && !m.classic.supports(p.name) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// classicMemberForJoinLocked finds or creates the member of a classic
// JoinGroup. A static member joining without a member id replaces the
// member holding its instance id, whatever its protocol, with epoch 0 and
// its partitions; replacedConsumer reports that that member used the
// consumer protocol. A dynamic member id the group does not know becomes a
// new member (Kafka keeps no KIP-394 pending ids for consumer groups).
func (g *group) classicMemberForJoinLocked(id string, unknown bool, j *joinRequest) (m *cmember, added, replacedConsumer bool, code int16) {
	cg := g.cg
	if j.instanceID == nil {
		if m = cg.members[id]; m == nil {
			return g.addClassicMemberLocked(id, nil), true, false, 0
		}
		if m.classic == nil {
			return nil, false, false, kerr.UnknownMemberID.Code
		}
		return m, false, false, 0
	}
	cur, held := cg.static[*j.instanceID]
	switch {
	case unknown && !held:
		return g.addClassicMemberLocked(id, j.instanceID), true, false, 0
	case unknown:
		old := cg.members[cur]
		m = g.replaceStaticConsumerLocked(old, id)
		m.epoch, m.prevEpoch = 0, 0
		return m, false, old.classic == nil, 0
	case !held:
		return nil, false, false, kerr.UnknownMemberID.Code
	case cur != id:
		return nil, false, false, kerr.FencedInstanceID.Code
	}
	if m = cg.members[id]; m.classic == nil {
		return nil, false, false, kerr.UnknownMemberID.Code
	}
	return m, false, false, 0
}

func (g *group) addClassicMemberLocked(id string, instanceID *string) *cmember {
	m := &cmember{id: id, instanceID: cloneStr(instanceID), assigned: make(partSet)}
	g.cg.members[id] = m
	if m.instanceID != nil {
		g.cg.static[*m.instanceID] = id
	}
	g.c.lg.Info("member joined consumer group using the classic protocol", "group", g.id, "member", id)
	return m
}

// updateClassicMemberLocked applies a JoinGroup to m and reports whether
// its subscription changed. Classic members subscribe by topic names and
// leave the assignor to the group.
func (g *group) updateClassicMemberLocked(m *cmember, j *joinRequest, sub kmsg.ConsumerMemberMetadata) bool {
	m.classic = &classicProto{sessionTimeout: j.session, protocols: j.protos}
	m.clientID, m.clientHost = j.clientID, j.clientHost
	m.rebalanceTimeout = j.rebalance
	if sub.Rack != nil {
		m.rackID = cloneStr(sub.Rack)
	}
	changed := false
	if topics := slices.Compact(slices.Sorted(slices.Values(sub.Topics))); !slices.Equal(topics, m.topics) {
		m.topics, changed = topics, true
	}
	if m.regex != nil {
		m.regex, changed = nil, true
		g.cg.retainRegexesLocked()
	}
	return changed
}

// ownedPartitions is what a subscription reports the member owns, by topic
// id; partitions of unknown topics are left out. Version 0 reports nothing,
// which is read as owning nothing, as Kafka does.
func (g *group) ownedPartitions(sub kmsg.ConsumerMemberMetadata) partSet {
	owned := make(partSet)
	if len(sub.OwnedPartitions) == 0 {
		return owned
	}
	topics := g.c.opts.Topics()
	for _, t := range sub.OwnedPartitions {
		if tm, ok := topics[t.Topic]; ok {
			for _, p := range t.Partitions {
				owned[tidp{tm.ID, p}] = struct{}{}
			}
		}
	}
	return owned
}

// classicSyncConsumerLocked is a SyncGroup in a consumer group with
// members. The member must use the classic protocol, at its epoch as
// generation, with its protocol; a member whose epoch lags the group's
// must rejoin first, unless it is still revoking.
func (g *group) classicSyncConsumerLocked(req *kmsg.SyncGroupRequest) syncResult {
	cg := g.cg
	m, code := cg.classicMemberLocked(req.MemberID, req.InstanceID)
	switch {
	case code != 0:
		return syncError(code)
	case req.Generation != m.epoch:
		return syncError(kerr.IllegalGeneration.Code)
	case inconsistent(req.ProtocolType, consumerProtocolType) || inconsistent(req.Protocol, m.classic.protocolName()):
		return syncError(kerr.InconsistentGroupProtocol.Code)
	case cg.epoch > m.epoch && m.state != mUnrevoked:
		g.askClassicRejoinLocked(m)
		return syncError(kerr.RebalanceInProgress.Code)
	}
	g.stopLocked(&m.csync)
	g.armConsumerSessionLocked(m)
	return syncResult{
		protocolType: cloneStr(req.ProtocolType),
		protocol:     cloneStr(req.Protocol),
		assignment:   g.encodeAssignmentLocked(m.assigned, m.classic.assignmentVersion()),
	}
}

// classicHeartbeatConsumerLocked is a Heartbeat in a consumer group.
func (g *group) classicHeartbeatConsumerLocked(req *kmsg.HeartbeatRequest) int16 {
	m, code := g.cg.classicMemberLocked(req.MemberID, req.InstanceID)
	if code != 0 {
		return code
	}
	if req.Generation != m.epoch {
		return kerr.IllegalGeneration.Code
	}
	g.armConsumerSessionLocked(m)
	if g.cg.mustRejoinLocked(m) {
		g.askClassicRejoinLocked(m)
		return kerr.RebalanceInProgress.Code
	}
	return 0
}

// mustRejoinLocked is Kafka's condition for telling a classic member to
// rejoin: its epoch lags the group's, it must revoke partitions, or it
// waits for partitions that are all free now.
func (cg *consumerGroup) mustRejoinLocked(m *cmember) bool {
	return m.epoch < cg.epoch || m.state == mUnrevoked ||
		(m.state == mUnreleased && !cg.waitingOnUnreleasedLocked(m))
}

// waitingOnUnreleasedLocked reports whether a partition of m's target is
// still held by another member.
func (cg *consumerGroup) waitingOnUnreleasedLocked(m *cmember) bool {
	for p := range cg.target[m.id] {
		if o, ok := cg.owners[p]; ok && o != m.id {
			return true
		}
	}
	return false
}

// askClassicRejoinLocked starts m's join deadline unless it runs already:
// a member told to rejoin that does not is removed.
func (g *group) askClassicRejoinLocked(m *cmember) {
	if m.cjoin.t != nil {
		return
	}
	g.armRemovalLocked(&m.cjoin, m.rebalanceTimeout, m, "the classic member did not rejoin within the rebalance timeout")
}

// classicMemberLocked is the member a SyncGroup or Heartbeat names (Kafka's
// validateConsumerGroupMember and throwIfMemberDoesNotUseClassicProtocol):
// by instance id for a static member (FENCED_INSTANCE_ID if it is held by
// another member id), else by member id; UNKNOWN_MEMBER_ID if there is none
// or it uses the consumer protocol.
func (cg *consumerGroup) classicMemberLocked(id string, instanceID *string) (*cmember, int16) {
	if instanceID != nil {
		cur, ok := cg.static[*instanceID]
		if !ok {
			return nil, kerr.UnknownMemberID.Code
		}
		if cur != id {
			return nil, kerr.FencedInstanceID.Code
		}
	}
	m := cg.members[id]
	if m == nil || m.classic == nil {
		return nil, kerr.UnknownMemberID.Code
	}
	return m, 0
}

// classicLeaveConsumerLocked is a LeaveGroup in a consumer group, which as
// in Kafka may name members of either protocol (an admin removing static
// members names them by instance id, without member id). The members
// leave together: one epoch bump, or a downgrade if only classic members
// remain. It returns a code per member, or the Store's code for the whole
// request if the change could not be saved (then nobody left).
func (g *group) classicLeaveConsumerLocked(leaving []kmsg.LeaveGroupRequestMember) ([]int16, int16) {
	g.beginConsumerChangeLocked()
	codes := g.classicLeaveConsumerChangeLocked(leaving)
	if err := g.commitConsumerChangeLocked(); err != nil {
		g.c.lg.Warn("failed to save consumer group; LeaveGroup changed nothing", "group", g.id, "err", err)
		return nil, storeCode(err)
	}
	return codes, 0
}

func (g *group) classicLeaveConsumerChangeLocked(leaving []kmsg.LeaveGroupRequestMember) []int16 {
	codes := make([]int16, len(leaving))
	var gone []*cmember
	for i, lm := range leaving {
		m, code := g.cg.leavingMemberLocked(lm)
		if code != 0 {
			codes[i] = code
			continue
		}
		reason := "not provided"
		if lm.Reason != nil {
			reason = *lm.Reason
		}
		g.c.lg.Info("member left the consumer group with LeaveGroup", "group", g.id, "member", m.id, "reason", reason)
		if !slices.Contains(gone, m) {
			gone = append(gone, m)
		}
	}
	if len(gone) > 0 {
		g.fenceConsumerMembersLocked(gone, "members left the group with LeaveGroup")
	}
	return codes
}

func (cg *consumerGroup) leavingMemberLocked(lm kmsg.LeaveGroupRequestMember) (*cmember, int16) {
	if lm.InstanceID == nil {
		if m := cg.members[lm.MemberID]; m != nil {
			return m, 0
		}
		return nil, kerr.UnknownMemberID.Code
	}
	cur, ok := cg.static[*lm.InstanceID]
	switch {
	case !ok:
		return nil, kerr.UnknownMemberID.Code
	case lm.MemberID != "" && lm.MemberID != cur:
		return nil, kerr.FencedInstanceID.Code
	}
	return cg.members[cur], 0
}

// encodeAssignmentLocked is s as a consumer protocol assignment at version,
// topics by name (those without a name any more are left out, as Kafka
// leaves out topics missing from its metadata image).
func (g *group) encodeAssignmentLocked(s partSet, version int16) []byte {
	a := kmsg.NewConsumerMemberAssignment()
	a.Version = version
	for _, t := range assignmentTopics(s) {
		if name := g.consumerTopicName(t.TopicID); name != "" {
			a.Topics = append(a.Topics, kmsg.ConsumerMemberAssignmentTopic{Topic: name, Partitions: t.Partitions})
		}
	}
	return a.AppendTo(nil)
}
