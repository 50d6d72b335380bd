package group

import (
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// state is a classic group's state, spelled on the wire as Kafka does.
type state int8

const (
	stateEmpty state = iota
	statePreparingRebalance
	stateCompletingRebalance
	stateStable
	stateDead
)

var stateNames = [...]string{"Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"}

func (s state) String() string { return stateNames[s] }

// classicType is the ListGroups (v5+) type of classic groups; consumer
// groups are consumerType (see consumer.go).
const classicType = "classic"

// consumerProtocolType is the protocol type of Kafka consumers, whose member
// metadata this package parses.
const consumerProtocolType = "consumer"

// group is one classic group. Everything below mu is guarded by it.
type group struct {
	c  *Coordinator
	id string

	mu sync.Mutex

	state, prevState state
	stateTime        int64 // unix ms of the last transition; 0 if unknown

	protocolType string // "" for a simple (offsets-only) group
	protocol     string // chosen protocol; "" unless CompletingRebalance or Stable
	generation   int32
	leader       string // member id; "" iff there are no members

	members      []*member          // in join order; the first is the leader fallback
	byID         map[string]*member //
	static       map[string]string  // group.instance.id -> member id
	pending      map[string]*timer  // KIP-394 member ids handed out, awaiting their join
	pendingSync  map[string]bool    // members of this generation that have not sent SyncGroup
	awaitingJoin int                // members parked in JoinGroup

	newMemberAdded bool  // a member joined during the initial delay: extend it
	joinTimer      timer // end of the join phase (rebalance timeout or initial delay)
	syncTimer      timer // deadline for SyncGroup from every member

	// subscribed is the union of the members' subscribed topics, computed at
	// each generation from the consumer protocol metadata; nil if unknown.
	subscribed map[string]bool

	offsets map[TopicPartition]Offset
	// txnOffsets are offsets of open transactions, by producer id (txn.go).
	txnOffsets map[int64]map[TopicPartition]Offset

	// cg is set while the group is a KIP-848 consumer group: the group type
	// is the seam between the two protocols. The classic fields then stay
	// as an Empty classic group has them (state Empty, no members), so the
	// classic APIs find no member, and offsets and timers are shared.
	cg *consumerGroup
	// txn is the change to cg being made, if any (consumer_txn.go).
	txn *consumerTxn
}

// typeLocked is the group's ListGroups type.
func (g *group) typeLocked() string {
	if g.cg != nil {
		return consumerType
	}
	return classicType
}

// stateNameLocked is the group's state as ListGroups shows it.
func (g *group) stateNameLocked() string {
	if g.cg != nil {
		return string(g.cg.stateLocked())
	}
	return g.state.String()
}

func newGroup(c *Coordinator, id string) *group {
	return &group{
		c:           c,
		id:          id,
		stateTime:   c.now().UnixMilli(),
		byID:        make(map[string]*member),
		static:      make(map[string]string),
		pending:     make(map[string]*timer),
		pendingSync: make(map[string]bool),
		offsets:     make(map[TopicPartition]Offset),
	}
}

func (g *group) transitionLocked(s state) {
	g.prevState, g.state = g.state, s
	g.stateTime = g.c.now().UnixMilli()
}

// canRebalanceLocked reports whether PreparingRebalance may be entered.
func (g *group) canRebalanceLocked() bool {
	return g.state == stateEmpty || g.state == stateCompletingRebalance || g.state == stateStable
}

// allJoinedLocked reports whether every member is parked in JoinGroup and no
// KIP-394 member id is still outstanding.
func (g *group) allJoinedLocked() bool {
	return g.awaitingJoin == len(g.members) && len(g.pending) == 0
}

// rebalanceTimeoutLocked is the longest rebalance timeout of the members.
func (g *group) rebalanceTimeoutLocked() time.Duration {
	var d time.Duration
	for _, m := range g.members {
		d = max(d, m.rebalanceTimeout)
	}
	return d
}

// validateMemberLocked is Kafka's member check for an existing member id:
// a static member must use its current member id (FENCED_INSTANCE_ID for a
// replaced one), a dynamic one must exist.
func (g *group) validateMemberLocked(memberID string, instanceID *string) int16 {
	if instanceID != nil {
		cur, ok := g.static[*instanceID]
		if !ok {
			return kerr.UnknownMemberID.Code
		}
		if cur != memberID {
			return kerr.FencedInstanceID.Code
		}
		return 0
	}
	if g.byID[memberID] == nil {
		return kerr.UnknownMemberID.Code
	}
	return 0
}

// supportsProtocolsLocked reports whether a member with this protocol type
// and these protocols may join: any non-empty type and list when Empty,
// else the group's type and at least one protocol every member supports.
func (g *group) supportsProtocolsLocked(protocolType string, protos []protocol) bool {
	if g.state == stateEmpty {
		return protocolType != "" && len(protos) > 0
	}
	if protocolType != g.protocolType {
		return false
	}
	for _, p := range protos {
		if supportedByAll(g.members, p.name) {
			return true
		}
	}
	return false
}

func supportedByAll(ms []*member, name string) bool {
	for _, m := range ms {
		if !m.supports(name) {
			return false
		}
	}
	return true
}

// selectProtocolLocked picks the protocol for the next generation.
func (g *group) selectProtocolLocked() string { return selectProtocol(g.members) }

// selectProtocol is Kafka's vote: every member votes for its most
// preferred protocol that all members support and the most votes win.
// Kafka breaks ties by hash order; here the earliest member's vote among
// the tied wins, so the choice is deterministic.
func selectProtocol(ms []*member) string {
	votes := make(map[string]int)
	var order []string
	for _, m := range ms {
		for _, p := range m.protocols {
			if supportedByAll(ms, p.name) {
				if votes[p.name] == 0 {
					order = append(order, p.name)
				}
				votes[p.name]++
				break
			}
		}
	}
	best := ""
	for _, name := range order {
		if best == "" || votes[name] > votes[best] {
			best = name
		}
	}
	return best
}

// addMemberLocked appends m; the first member sets the protocol type and
// becomes leader.
func (g *group) addMemberLocked(m *member) {
	if len(g.members) == 0 {
		g.protocolType = m.protocolType
	}
	if g.leader == "" {
		g.leader = m.id
	}
	g.members = append(g.members, m)
	g.byID[m.id] = m
	if m.instanceID != nil {
		g.static[*m.instanceID] = m.id
	}
}

// removeMemberLocked forgets m, answering any call it has parked with
// UNKNOWN_MEMBER_ID, and moves leadership to the first remaining member if
// m led.
func (g *group) removeMemberLocked(m *member) {
	if g.byID[m.id] != m {
		return
	}
	g.completeJoinLocked(m, joinError(kerr.UnknownMemberID.Code, ""))
	g.completeSyncLocked(m, syncError(kerr.UnknownMemberID.Code))
	m.hb.stop()
	delete(g.byID, m.id)
	for i, x := range g.members {
		if x == m {
			g.members = append(g.members[:i], g.members[i+1:]...)
			break
		}
	}
	if m.instanceID != nil && g.static[*m.instanceID] == m.id {
		delete(g.static, *m.instanceID)
	}
	delete(g.pendingSync, m.id)
	if g.leader == m.id {
		g.leader = ""
		if len(g.members) > 0 {
			g.leader = g.members[0].id
		}
	}
}

// setJoinWaiterLocked parks w as m's pending JoinGroup (nil unparks). A
// JoinGroup that replaces an earlier one still parked (a client retry)
// answers the earlier one with REBALANCE_IN_PROGRESS so its caller returns.
func (g *group) setJoinWaiterLocked(m *member, w *joinWaiter) {
	switch {
	case m.join == nil && w != nil:
		g.awaitingJoin++
	case m.join != nil && w == nil:
		g.awaitingJoin--
	case m.join != nil && w != nil:
		m.join.deliver(joinError(kerr.RebalanceInProgress.Code, m.id))
	}
	m.join = w
}

// completeJoinLocked answers m's parked JoinGroup, if any, with r.
func (g *group) completeJoinLocked(m *member, r joinResult) bool {
	if m.join == nil {
		return false
	}
	w := m.join
	g.setJoinWaiterLocked(m, nil)
	w.deliver(r)
	return true
}

// completeSyncLocked answers m's parked SyncGroup, if any, with r.
func (g *group) completeSyncLocked(m *member, r syncResult) bool {
	if m.sync == nil {
		return false
	}
	w := m.sync
	m.sync = nil
	w.deliver(r)
	return true
}

// shutdownLocked makes g Dead for Close: timers stop and parked calls get
// NOT_COORDINATOR.
func (g *group) shutdownLocked() {
	g.stopTimersLocked()
	for _, m := range g.members {
		g.completeJoinLocked(m, joinError(kerr.NotCoordinator.Code, m.id))
		g.completeSyncLocked(m, syncError(kerr.NotCoordinator.Code))
	}
	g.transitionLocked(stateDead)
}

// stopTimersLocked stops every timer of g and its members.
func (g *group) stopTimersLocked() {
	g.joinTimer.stop()
	g.syncTimer.stop()
	for _, m := range g.members {
		m.hb.stop()
	}
	for id, t := range g.pending {
		t.stop()
		delete(g.pending, id)
	}
	if g.cg != nil {
		for _, m := range g.cg.members {
			m.stopTimers()
		}
	}
}

// joinResponseMembersLocked is the member list the leader's JoinGroup
// response carries: every member's metadata for the chosen protocol.
func (g *group) joinResponseMembersLocked() []kmsg.JoinGroupResponseMember {
	out := make([]kmsg.JoinGroupResponseMember, 0, len(g.members))
	for _, m := range g.members {
		rm := kmsg.NewJoinGroupResponseMember()
		rm.MemberID = m.id
		rm.InstanceID = m.instanceID
		rm.ProtocolMetadata = m.metadata(g.protocol)
		out = append(out, rm)
	}
	return out
}

// snapshotLocked is g as persisted. assignment overrides the members'
// current assignments when not nil (the leader's SyncGroup is saved before
// it is applied).
func (g *group) snapshotLocked(assignment map[string][]byte) GroupSnapshot {
	s := GroupSnapshot{
		Group:          g.id,
		ProtocolType:   g.protocolType,
		Protocol:       g.protocol,
		Leader:         g.leader,
		Generation:     g.generation,
		StateTimestamp: g.stateTime,
	}
	s.Members = memberSnapshots(g.members, g.protocol, assignment)
	return s
}

// memberSnapshots is ms as persisted with protocol chosen; assignment, if
// not nil, overrides their assignments.
func memberSnapshots(ms []*member, protocol string, assignment map[string][]byte) []MemberSnapshot {
	if len(ms) == 0 {
		return nil
	}
	out := make([]MemberSnapshot, len(ms))
	for i, m := range ms {
		a := m.assignment
		if assignment != nil {
			a = assignment[m.id]
		}
		out[i] = MemberSnapshot{
			MemberID:         m.id,
			InstanceID:       m.instanceID,
			ClientID:         m.clientID,
			ClientHost:       m.clientHost,
			RebalanceTimeout: m.rebalanceTimeout,
			SessionTimeout:   m.sessionTimeout,
			Subscription:     m.metadata(protocol),
			Assignment:       a,
		}
	}
	return out
}
