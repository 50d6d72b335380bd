package group

import (
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// This file is Kafka 4's online migration of a group with members between
// the two protocols (KIP-848, GroupMetadataManager's convertToConsumerGroup
// and convertToClassicGroup):
//
//	classic group, protocol type "consumer"
//	   │  a ConsumerGroupHeartbeat joins (policy upgrade or bidirectional)
//	   ▼
//	consumer group whose classic members keep their partitions and speak
//	JoinGroup/SyncGroup/Heartbeat (classic.go); the assignor moves
//	partitions to the new member as the classic members revoke them
//	   │  the last member using the consumer protocol leaves or is removed
//	   │  (policy downgrade or bidirectional)
//	   ▼
//	classic group, PreparingRebalance: the members rejoin and elect a leader
//
// Both conversions run under the group's lock and are saved before memory
// changes, each in one batch, as Kafka writes its records first: the
// upgrade with the consumer group's records (Store.SaveConsumerGroup, which
// tombstones the classic group's GroupMetadata), together with the join
// that caused it (consumer_txn.go); the downgrade with the classic group's
// (Store.SaveGroup, which tombstones the consumer group's records).

// MigrationPolicy is group.consumer.migration.policy.
type MigrationPolicy string

// The values of group.consumer.migration.policy. Empty groups always switch
// type, whatever the policy.
const (
	MigrationDisabled      MigrationPolicy = "disabled"
	MigrationUpgrade       MigrationPolicy = "upgrade"   // classic to consumer only
	MigrationDowngrade     MigrationPolicy = "downgrade" // consumer to classic only
	MigrationBidirectional MigrationPolicy = "bidirectional"
)

func (p MigrationPolicy) upgrades() bool {
	return p == MigrationUpgrade || p == MigrationBidirectional
}

func (p MigrationPolicy) downgrades() bool {
	return p == MigrationDowngrade || p == MigrationBidirectional
}

// canUpgradeLocked is Kafka's validateOnlineUpgrade for a classic group
// with members: the policy allows it and the members use the consumer
// protocol, whose metadata says what they subscribe to and own.
func (g *group) canUpgradeLocked() bool {
	switch {
	case !g.c.opts.MigrationPolicy.upgrades():
		g.c.lg.Info("cannot upgrade classic group: online upgrade is disabled", "group", g.id)
		return false
	case g.protocolType != consumerProtocolType:
		g.c.lg.Info("cannot upgrade classic group: it does not use the consumer protocol",
			"group", g.id, "protocol_type", g.protocolType)
		return false
	}
	return true
}

// upgradeLocked makes a classic group with members a consumer group (Kafka's
// convertToConsumerGroup): each member keeps its id, partitions and
// protocols and goes on with the classic protocol, at epoch = generation.
// Calls parked in JoinGroup or SyncGroup are answered REBALANCE_IN_PROGRESS
// so their members rejoin, now into the consumer group. It runs inside the
// heartbeat's change (consumer_txn.go): the classic side is cleared only
// once the whole consumer group is written, and stays as it was if the
// write fails.
func (g *group) upgradeLocked() (int16, string) {
	cg, code, msg := g.consumerFromClassicLocked()
	if code != 0 {
		g.c.lg.Warn("cannot upgrade classic group", "group", g.id, "reason", msg)
		return code, msg
	}
	g.c.lg.Info("upgrading classic group to consumer group", "group", g.id,
		"generation", g.generation, "members", len(g.members))
	g.afterWriteLocked(func() { g.clearClassicLocked(kerr.RebalanceInProgress.Code) })
	g.cg = cg
	for _, m := range cg.members {
		g.armConsumerSessionLocked(m)
	}
	return 0, ""
}

// consumerFromClassicLocked is Kafka's ConsumerGroup.fromClassicGroup: the
// last assignment of the classic group is both the members' current and
// target assignment, at epoch = generation. Partitions of topics that no
// longer exist are dropped.
func (g *group) consumerFromClassicLocked() (*consumerGroup, int16, string) {
	ids := make(map[string][16]byte)
	for name, tm := range g.c.opts.Topics() {
		ids[name] = tm.ID
	}
	cg := newConsumerGroup(g.c.now().UnixMilli())
	cg.epoch, cg.assignEpoch = g.generation, g.generation
	for _, cm := range g.members {
		m, code, msg := g.consumerMemberFromLocked(cm, ids)
		if code != 0 {
			return nil, code, msg
		}
		for p := range m.assigned {
			if _, taken := cg.owners[p]; taken {
				return nil, kerr.GroupIDNotFound.Code, g.malformedMessage() // the leader gave a partition twice
			}
			cg.owners[p] = m.id
		}
		cg.members[m.id] = m
		cg.target[m.id] = maps.Clone(m.assigned)
		if m.instanceID != nil {
			cg.static[*m.instanceID] = m.id
		}
	}
	return cg, 0, ""
}

// consumerMemberFromLocked is cm as a classic member of the consumer group
// g becomes, in the Stable state at epoch = generation.
func (g *group) consumerMemberFromLocked(cm *member, ids map[string][16]byte) (*cmember, int16, string) {
	sub, ok := readSubscription(cm.metadata(g.chosenOrFirstProtocol(cm)))
	if !ok {
		return nil, kerr.GroupIDNotFound.Code, g.malformedMessage()
	}
	a, ok := readAssignment(cm.assignment)
	if !ok {
		return nil, kerr.GroupIDNotFound.Code, g.malformedMessage()
	}
	if len(a.UserData) > 0 {
		return nil, kerr.UnsupportedVersion.Code, "userData from a custom assignor would be lost"
	}
	return &cmember{
		id:               cm.id,
		instanceID:       cm.instanceID,
		rackID:           cloneStr(sub.Rack),
		clientID:         cm.clientID,
		clientHost:       cm.clientHost,
		epoch:            g.generation,
		prevEpoch:        g.generation,
		rebalanceTimeout: cm.rebalanceTimeout,
		topics:           slices.Compact(slices.Sorted(slices.Values(sub.Topics))),
		assigned:         partsByName(a, ids),
		classic:          &classicProto{sessionTimeout: cm.sessionTimeout, protocols: cm.protocols},
	}, 0, ""
}

func (g *group) malformedMessage() string {
	return "Cannot upgrade the classic group " + g.id + " to consumer group because the embedded consumer protocol is malformed."
}

// chosenOrFirstProtocol is the protocol whose metadata describes m: the
// group's, or m's first if it does not support that one (the group has
// not chosen one yet, or m joined a rebalance that will choose another).
func (g *group) chosenOrFirstProtocol(m *member) string {
	if m.supports(g.protocol) || len(m.protocols) == 0 {
		return g.protocol
	}
	return m.protocols[0].name
}

// partsByName is a's partitions of topics in ids.
func partsByName(a kmsg.ConsumerMemberAssignment, ids map[string][16]byte) partSet {
	s := make(partSet)
	for _, t := range a.Topics {
		id, ok := ids[t.Topic]
		if !ok {
			continue
		}
		for _, p := range t.Partitions {
			s[tidp{id, p}] = struct{}{}
		}
	}
	return s
}

// clearClassicLocked empties the classic side of g, answering parked
// JoinGroup and SyncGroup calls with code. Timers of g.cg's members, if
// any, stop too: the caller arms them afterwards.
func (g *group) clearClassicLocked(code int16) {
	for _, m := range g.members {
		g.completeJoinLocked(m, joinError(code, m.id))
		g.completeSyncLocked(m, syncError(code))
	}
	g.stopTimersLocked()
	g.members = nil
	clear(g.byID)
	clear(g.static)
	clear(g.pendingSync)
	g.awaitingJoin = 0
	g.newMemberAdded = false
	g.leader, g.protocol = "", ""
	g.protocolType = consumerType
	g.subscribed = nil
	g.transitionLocked(stateEmpty)
}

// fenceConsumerMembersLocked removes ms from the consumer group (Kafka's
// consumerGroupFenceMembers): if only classic members remain, the group
// downgrades instead, else the group epoch is bumped once.
func (g *group) fenceConsumerMembersLocked(ms []*cmember, reason string) {
	if g.downgradeWithoutLocked(ms, reason) {
		return
	}
	for _, m := range ms {
		g.dropConsumerMemberLocked(m, reason)
	}
	g.consumerChangedLocked(true)
}

// downgradeWithoutLocked is Kafka's validateOnlineDowngradeWithFencedMembers
// then convertToClassicGroup: when members remain without gone, all using
// the classic protocol, and the policy allows it, g becomes a classic group
// of them. It reports whether it did; a failed save leaves g as it was.
func (g *group) downgradeWithoutLocked(gone []*cmember, reason string) bool {
	var stay []*cmember
	for _, m := range g.cg.sortedMembers() {
		if !slices.Contains(gone, m) {
			stay = append(stay, m)
		}
	}
	if len(stay) == 0 || slices.ContainsFunc(stay, func(m *cmember) bool { return m.classic == nil }) {
		return false
	}
	if !g.c.opts.MigrationPolicy.downgrades() {
		g.c.lg.Info("cannot downgrade consumer group: online downgrade is disabled", "group", g.id)
		return false
	}
	ms := make([]*member, len(stay))
	for i, m := range stay {
		ms[i] = g.classicMemberFromLocked(m)
	}
	protocol := selectProtocol(ms)
	for _, m := range ms {
		m.assignment = g.encodeAssignmentLocked(g.cg.members[m.id].assigned, protocolVersion(m.metadata(protocol)))
	}
	snap := GroupSnapshot{
		Group:          g.id,
		ProtocolType:   consumerProtocolType,
		Protocol:       protocol,
		Leader:         ms[0].id,
		Generation:     g.cg.epoch,
		StateTimestamp: g.c.now().UnixMilli(),
		Members:        memberSnapshots(ms, protocol, nil),
	}
	if err := g.c.opts.Store.SaveGroup(snap); err != nil {
		g.c.lg.Warn("failed to save consumer group downgraded to classic group; it stays a consumer group",
			"group", g.id, "err", err)
		return false
	}
	g.becomeClassicLocked(ms, protocol, reason)
	return true
}

// classicMemberFromLocked is a classic member of a consumer group as a
// member of the classic group it downgrades to (ClassicGroup.fromConsumerGroup).
func (g *group) classicMemberFromLocked(m *cmember) *member {
	return &member{
		id:               m.id,
		instanceID:       m.instanceID,
		clientID:         m.clientID,
		clientHost:       m.clientHost,
		rebalanceTimeout: m.rebalanceTimeout,
		sessionTimeout:   m.classic.sessionTimeout,
		protocolType:     consumerProtocolType,
		protocols:        m.classic.protocols,
	}
}

// becomeClassicLocked replaces the consumer group by a Stable classic
// group of ms at generation = group epoch, then rebalances so that the
// members rejoin and elect a leader. Kafka gives each member its target
// assignment; here it keeps its current one (without partitions pending
// revocation or not yet released), so no partition is ever owned twice.
func (g *group) becomeClassicLocked(ms []*member, protocol, reason string) {
	gen := g.cg.epoch
	g.c.lg.Info("downgrading consumer group to classic group", "group", g.id,
		"generation", gen, "members", len(ms), "reason", reason)
	g.stopTimersLocked()
	g.cg = nil
	g.protocolType = consumerProtocolType
	g.generation = gen
	for _, m := range ms {
		g.addMemberLocked(m)
		g.armSessionLocked(m)
	}
	g.protocol = protocol
	g.subscribed = g.computeSubscribedLocked()
	g.transitionLocked(stateStable)
	g.prepareRebalanceLocked("downgrade from consumer to classic group: " + reason)
}
