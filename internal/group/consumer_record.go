package group

import (
	"bytes"
	"maps"
	"slices"
)

// This file converts a consumer group to the records Store persists
// (store_consumer.go) and finds what a change altered.

// consumerChangeLocked is what changed in g.cg since t began, as records;
// ok is false if nothing did. A group that was not a consumer group when
// t began is written whole.
func (g *group) consumerChangeLocked(t *consumerTxn) (c ConsumerGroupChange, ok bool) {
	cg, s, whole := g.cg, &t.saved, t.cg == nil
	c.Group = g.id
	if epoch := cg.epoch; whole || epoch != s.epoch {
		c.Epoch = &epoch
	}
	if epoch := cg.assignEpoch; whole || epoch != s.assignEpoch {
		c.AssignmentEpoch = &epoch
	}
	if !maps.Equal(cg.meta, s.meta) {
		c.Topics, c.TopicsChanged = cg.meta, true
	}
	for _, m := range cg.sortedMembers() {
		old, existed := s.values[m.id]
		if !existed || !sameSubscription(&old, m) {
			c.Members = append(c.Members, m.memberRecord())
		}
		if !existed || !sameAssignment(&old, m) {
			c.Assignments = append(c.Assignments, m.assignmentRecord())
		}
		if target := cg.target[m.id]; !maps.Equal(s.target[m.id], target) {
			c.Targets = append(c.Targets, ConsumerTarget{MemberID: m.id, Partitions: topicPartitionsOf(target)})
		}
	}
	for id := range s.members {
		if cg.members[id] == nil {
			c.Removed = append(c.Removed, id)
		}
	}
	slices.Sort(c.Removed)
	ok = c.Epoch != nil || c.AssignmentEpoch != nil || c.TopicsChanged ||
		len(c.Members)+len(c.Assignments)+len(c.Targets)+len(c.Removed) > 0
	return c, ok
}

// sameSubscription reports whether a and b have the same
// ConsumerGroupMemberMetadata.
func sameSubscription(a, b *cmember) bool {
	return sameStr(a.instanceID, b.instanceID) && sameStr(a.rackID, b.rackID) &&
		a.clientID == b.clientID && a.clientHost == b.clientHost &&
		slices.Equal(a.topics, b.topics) && sameStr(a.regex, b.regex) &&
		a.rebalanceTimeout == b.rebalanceTimeout && a.assignor == b.assignor &&
		sameClassic(a.classic, b.classic)
}

// sameAssignment reports whether a and b have the same
// ConsumerGroupCurrentMemberAssignment.
func sameAssignment(a, b *cmember) bool {
	return a.epoch == b.epoch && a.prevEpoch == b.prevEpoch && a.state == b.state &&
		maps.Equal(a.assigned, b.assigned) && maps.Equal(a.revoking, b.revoking)
}

func sameStr(a, b *string) bool {
	return a == b || (a != nil && b != nil && *a == *b)
}

func sameClassic(a, b *classicProto) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.sessionTimeout == b.sessionTimeout && slices.EqualFunc(a.protocols, b.protocols, func(x, y protocol) bool {
		return x.name == y.name && bytes.Equal(x.metadata, y.metadata)
	})
}

func (m *cmember) memberRecord() ConsumerMember {
	r := ConsumerMember{
		MemberID:         m.id,
		InstanceID:       m.instanceID,
		RackID:           m.rackID,
		ClientID:         m.clientID,
		ClientHost:       m.clientHost,
		Topics:           m.topics,
		Regex:            m.regex,
		RebalanceTimeout: m.rebalanceTimeout,
		Assignor:         m.assignor,
	}
	if c := m.classic; c != nil {
		r.Classic = &ClassicMember{SessionTimeout: c.sessionTimeout, Protocols: make([]ClassicProtocol, len(c.protocols))}
		for i, p := range c.protocols {
			r.Classic.Protocols[i] = ClassicProtocol{Name: p.name, Metadata: p.metadata}
		}
	}
	return r
}

func (m *cmember) assignmentRecord() ConsumerAssignment {
	return ConsumerAssignment{
		MemberID:      m.id,
		Epoch:         m.epoch,
		PreviousEpoch: m.prevEpoch,
		State:         int8(m.state),
		Assigned:      topicPartitionsOf(m.assigned),
		Revoking:      topicPartitionsOf(m.revoking),
	}
}

// topicPartitionsOf is s by topic, sorted.
func topicPartitionsOf(s partSet) []TopicIDPartitions {
	var out []TopicIDPartitions
	for _, p := range s.sorted() {
		if n := len(out); n == 0 || out[n-1].TopicID != p.id {
			out = append(out, TopicIDPartitions{TopicID: p.id})
		}
		t := &out[len(out)-1]
		t.Partitions = append(t.Partitions, p.p)
	}
	return out
}

// partSetOf is the set of ts's partitions.
func partSetOf(ts []TopicIDPartitions) partSet {
	s := make(partSet)
	for _, t := range ts {
		for _, p := range t.Partitions {
			s[tidp{t.TopicID, p}] = struct{}{}
		}
	}
	return s
}
