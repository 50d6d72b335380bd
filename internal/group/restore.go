package group

import "bytes"

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
