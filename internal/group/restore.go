package group

import (
	"bytes"
	"maps"
	"slices"
)

// restore rebuilds the groups the Store replayed. A group saved with members
// comes back Stable with them (Kafka's ClassicGroup.fromRecord), each with a
// fresh session timer: members that are still alive heartbeat (and are told
// to rejoin if anything changed), the others expire and the group
// rebalances. A member's only protocol is the group's chosen one, whose
// metadata is all a snapshot keeps.
func (c *Coordinator) restore(loaded Loaded) {
	for _, s := range loaded.Groups {
		g := newGroup(c, s.Group)
		g.protocolType = s.ProtocolType
		g.generation = s.Generation
		g.stateTime = s.StateTimestamp
		g.mu.Lock()
		if len(s.Members) > 0 {
			g.protocol = s.Protocol
			for _, ms := range s.Members {
				g.addMemberLocked(&member{
					id:               ms.MemberID,
					instanceID:       cloneStr(ms.InstanceID),
					clientID:         ms.ClientID,
					clientHost:       ms.ClientHost,
					rebalanceTimeout: ms.RebalanceTimeout,
					sessionTimeout:   ms.SessionTimeout,
					protocolType:     s.ProtocolType,
					protocols:        []protocol{{name: s.Protocol, metadata: bytes.Clone(ms.Subscription)}},
					assignment:       bytes.Clone(ms.Assignment),
				})
			}
			if g.byID[s.Leader] != nil {
				g.leader = s.Leader
			}
			g.state = stateStable
			for _, m := range g.members {
				g.armSessionLocked(m)
			}
		}
		g.subscribed = g.computeSubscribedLocked()
		g.mu.Unlock()
		c.groups[g.id] = g
	}
	for _, s := range loaded.ConsumerGroups {
		c.groups[s.Group] = c.restoreConsumer(s)
	}
	for id, offsets := range loaded.Offsets {
		g := c.groups[id]
		if g == nil {
			// Offsets without a snapshot: a simple group.
			g = newGroup(c, id)
			g.stateTime = 0
			c.groups[id] = g
		}
		for _, o := range offsets {
			o.Metadata = cloneStr(o.Metadata)
			g.offsets[o.TopicPartition] = o
		}
	}
	if len(c.groups) > 0 {
		c.lg.Info("restored groups", "groups", len(c.groups))
	}
}

// restoreConsumer rebuilds a consumer group from its records, as Kafka's
// replay does: the group and assignment epochs, the subscribed topics'
// metadata, and each member with its subscription (a classic member with
// its protocols), epochs, state, assigned and revoking partitions and
// target. Then, as Kafka does when a coordinator loads, every member gets
// a fresh session timer (and a member still revoking its rebalance
// timeout): one that heartbeats in time goes on at its epoch with its
// partitions, the others are removed.
func (c *Coordinator) restoreConsumer(s ConsumerGroupSnapshot) *group {
	g := newGroup(c, s.Group)
	g.protocolType = consumerType
	cg := newConsumerGroup(c.now().UnixMilli())
	cg.epoch, cg.assignEpoch, cg.meta = s.Epoch, s.AssignmentEpoch, maps.Clone(s.Topics)
	for _, r := range s.Members {
		cg.restoredMember(r.MemberID).setSubscription(r)
	}
	for _, r := range s.Assignments {
		cg.restoredMember(r.MemberID).setAssignment(r)
	}
	for _, r := range s.Targets {
		if cg.members[r.MemberID] != nil {
			cg.target[r.MemberID] = partSetOf(r.Partitions)
		}
	}
	for _, m := range cg.members {
		if m.instanceID != nil {
			cg.static[*m.instanceID] = m.id
		}
		if m.regex != nil && cg.regexes[*m.regex] == nil {
			cg.regexes[*m.regex], _ = compileRegex(*m.regex) // nil if foreign: matches nothing
		}
		cg.claim(m)
	}
	cg.assignor = cg.preferredAssignorLocked()
	g.cg = cg
	g.mu.Lock()
	for _, m := range cg.members {
		g.armConsumerSessionLocked(m)
		if m.state == mUnrevoked && m.classic == nil {
			g.armRevokeTimeoutLocked(m)
		}
	}
	g.mu.Unlock()
	return g
}

// restoredMember is member id, created (a member comes from its metadata
// record, its assignment record, or both).
func (cg *consumerGroup) restoredMember(id string) *cmember {
	m := cg.members[id]
	if m == nil {
		m = &cmember{id: id, assigned: make(partSet)}
		cg.members[id] = m
	}
	return m
}

func (m *cmember) setSubscription(r ConsumerMember) {
	m.instanceID, m.rackID = cloneStr(r.InstanceID), cloneStr(r.RackID)
	m.clientID, m.clientHost = r.ClientID, r.ClientHost
	m.topics, m.regex = slices.Clone(r.Topics), cloneStr(r.Regex)
	m.rebalanceTimeout, m.assignor = r.RebalanceTimeout, r.Assignor
	m.classic = nil
	if r.Classic != nil && len(r.Classic.Protocols) > 0 {
		m.classic = &classicProto{sessionTimeout: r.Classic.SessionTimeout}
		for _, p := range r.Classic.Protocols {
			m.classic.protocols = append(m.classic.protocols, protocol{name: p.Name, metadata: bytes.Clone(p.Metadata)})
		}
	}
}

func (m *cmember) setAssignment(r ConsumerAssignment) {
	m.epoch, m.prevEpoch = r.Epoch, r.PreviousEpoch
	m.assigned, m.revoking = partSetOf(r.Assigned), partSetOf(r.Revoking)
	m.state = mstate(r.State)
	if r.State < int8(mStable) || r.State > int8(mUnreleased) {
		// A state this version does not know (Kafka's UNKNOWN): the next
		// heartbeat reconciles from what is known.
		m.state = mStable
		if len(m.revoking) > 0 {
			m.state = mUnrevoked
		}
	}
}
