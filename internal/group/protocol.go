package group

import (
	"encoding/binary"
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// This file reads the consumer protocol ("consumer" protocol type) that
// Kafka consumers put in their JoinGroup metadata and SyncGroup assignment.
// The coordinator needs only the subscribed topics: for OffsetDelete
// (GROUP_SUBSCRIBED_TO_TOPIC), offset expiry of Stable groups, and the lag
// views. Topics always come from the members, never from configuration.

// parseSubscription returns the topics of a consumer protocol subscription.
// Like Kafka it reads every version as version 0, the prefix all later
// versions extend, so a newer client's metadata still parses.
func parseSubscription(metadata []byte) ([]string, bool) {
	if len(metadata) < 2 || int16(binary.BigEndian.Uint16(metadata)) < 0 {
		return nil, false
	}
	v0 := append([]byte{0, 0}, metadata[2:]...)
	var s kmsg.ConsumerMemberMetadata
	if err := s.ReadFrom(v0); err != nil {
		return nil, false
	}
	return s.Topics, true
}

// ParseAssignment returns the partitions of a consumer protocol assignment
// (what a member got from SyncGroup), for views of who consumes what.
func ParseAssignment(assignment []byte) ([]TopicPartition, bool) {
	if len(assignment) == 0 {
		return nil, true
	}
	var a kmsg.ConsumerMemberAssignment
	if err := a.ReadFrom(assignment); err != nil || a.Version < 0 {
		return nil, false
	}
	var out []TopicPartition
	for _, t := range a.Topics {
		for _, p := range t.Partitions {
			out = append(out, TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	return out, true
}

// computeSubscribedLocked is the union of the members' subscriptions, or nil
// when unknown: the protocol type is not "consumer", or some member's
// metadata does not parse. An Empty consumer group subscribes to nothing.
func (g *group) computeSubscribedLocked() map[string]bool {
	if g.protocolType != consumerProtocolType {
		return nil
	}
	topics := make(map[string]bool)
	if len(g.members) == 0 {
		return topics
	}
	if g.protocol == "" {
		return nil
	}
	for _, m := range g.members {
		ts, ok := parseSubscription(m.metadata(g.protocol))
		if !ok {
			g.c.lg.Warn("cannot parse consumer protocol metadata; subscribed topics unknown",
				"group", g.id, "member", m.id, "protocol", g.protocol)
			return nil
		}
		for _, t := range ts {
			topics[t] = true
		}
	}
	return topics
}

// subscribedToLocked reports whether the group's members consume topic.
// When that is unknown, a consumer group is assumed to (so its offsets are
// kept) and any other group not to, as Kafka decides.
func (g *group) subscribedToLocked(topic string) bool {
	if g.cg != nil {
		return g.cg.subscribedTopicsLocked()[topic]
	}
	if g.subscribed == nil {
		return g.protocolType == consumerProtocolType
	}
	return g.subscribed[topic]
}

// SubscribedTopics returns the topics the members of group subscribe to,
// sorted, as of the current generation; false if the group does not exist
// or its subscriptions are unknown (not a consumer group, or metadata that
// does not parse).
func (c *Coordinator) SubscribedTopics(group string) ([]string, bool) {
	g, code := c.lockGroup(group, false)
	if g == nil || code != 0 {
		return nil, false
	}
	defer g.mu.Unlock()
	subscribed := g.subscribed
	if g.cg != nil {
		subscribed = g.cg.subscribedTopicsLocked()
	}
	if subscribed == nil {
		return nil, false
	}
	out := make([]string, 0, len(subscribed))
	for t := range subscribed {
		out = append(out, t)
	}
	slices.Sort(out)
	return out, true
}

// readSubscription parses a consumer protocol subscription at its own
// version, as Kafka reads a classic member's metadata in a consumer group
// (for its owned partitions and rack too). kmsg reads the fields of the
// versions it knows and ignores what a later version appends.
func readSubscription(metadata []byte) (kmsg.ConsumerMemberMetadata, bool) {
	var s kmsg.ConsumerMemberMetadata
	if err := s.ReadFrom(metadata); err != nil || s.Version < 0 {
		return s, false
	}
	return s, true
}

// readAssignment parses a consumer protocol assignment; an empty one (a
// member that never synced) has no partitions.
func readAssignment(assignment []byte) (kmsg.ConsumerMemberAssignment, bool) {
	var a kmsg.ConsumerMemberAssignment
	if len(assignment) == 0 {
		return a, true
	}
	if err := a.ReadFrom(assignment); err != nil || a.Version < 0 {
		return a, false
	}
	return a, true
}

// protocolVersion is the consumer protocol version metadata starts with,
// which Kafka also uses for the assignment it sends back; 0 if unreadable.
func protocolVersion(metadata []byte) int16 {
	if len(metadata) < 2 {
		return 0
	}
	return max(int16(binary.BigEndian.Uint16(metadata)), 0)
}
