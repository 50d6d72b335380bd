package grouplog

import (
	"encoding/binary"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/samsa-streaming/samsa/internal/group"
)

// consumerType is the record type (Kafka's key version) of a KIP-848
// consumer group's record; see the package doc for their layouts.
type consumerType int16

const (
	ctEpoch       consumerType = 3 // ConsumerGroupMetadata
	ctTopics      consumerType = 4 // ConsumerGroupPartitionMetadata
	ctMember      consumerType = 5 // ConsumerGroupMemberMetadata
	ctTargetEpoch consumerType = 6 // ConsumerGroupTargetAssignmentMetadata
	ctTarget      consumerType = 7 // ConsumerGroupTargetAssignmentMember
	ctAssignment  consumerType = 8 // ConsumerGroupCurrentMemberAssignment
)

// consumerValueVersion is the only version of every consumer-group value,
// in Kafka 4.0 and 4.1 (which adds tagged fields only).
const consumerValueVersion int16 = 0

func (t consumerType) known() bool { return t >= ctEpoch && t <= ctAssignment }

// perMember reports whether t's key names a member.
func (t consumerType) perMember() bool { return t == ctMember || t == ctTarget || t == ctAssignment }

var consumerTypeNames = map[consumerType]string{
	ctEpoch:       "ConsumerGroupMetadata",
	ctTopics:      "ConsumerGroupPartitionMetadata",
	ctMember:      "ConsumerGroupMemberMetadata",
	ctTargetEpoch: "ConsumerGroupTargetAssignmentMetadata",
	ctTarget:      "ConsumerGroupTargetAssignmentMember",
	ctAssignment:  "ConsumerGroupCurrentMemberAssignment",
}

// String is Kafka's name of the record type.
func (t consumerType) String() string {
	if name, ok := consumerTypeNames[t]; ok {
		return name
	}
	return "record type " + strconv.Itoa(int(t))
}

// consumerKey is a consumer-group record's key within its group.
type consumerKey struct {
	typ    consumerType
	member string // "" for the group's own records
}

// appendConsumerKey appends the key of k in group g: non-flexible, as
// every key is.
func appendConsumerKey(dst []byte, g string, k consumerKey) []byte {
	dst = appendInt16(dst, int16(k.typ))
	dst = appendString16(dst, g)
	if k.typ.perMember() {
		dst = appendString16(dst, k.member)
	}
	return dst
}

func appendString16(dst []byte, s string) []byte {
	return append(appendInt16(dst, int16(len(s))), s...)
}

// readConsumerKey decodes a key whose type is known.
func readConsumerKey(b []byte) (g string, k consumerKey, ok bool) {
	r := flexReader{b: b}
	k.typ = consumerType(r.int16())
	g = r.string16()
	if k.typ.perMember() {
		k.member = r.string16()
	}
	return g, k, !r.bad
}

// appendEpochValue appends a ConsumerGroupMetadataValue or a
// ConsumerGroupTargetAssignmentMetadataValue: one epoch.
func appendEpochValue(dst []byte, epoch int32) []byte {
	dst = appendInt16(dst, consumerValueVersion)
	return appendNoTags(appendInt32(dst, epoch))
}

func readEpochValue(r *flexReader) int32 {
	e := r.int32()
	r.skipTags() // 4.1's MetadataHash (tag 0), later ones
	return e
}

// appendTopicsValue appends a ConsumerGroupPartitionMetadataValue, topics
// by name. The per-partition racks are left empty, as Kafka 4.0 writes
// them when no rack is known.
func appendTopicsValue(dst []byte, topics map[string]group.TopicMeta) []byte {
	dst = appendInt16(dst, consumerValueVersion)
	dst = appendArrayLen(dst, len(topics))
	for _, name := range slices.Sorted(maps.Keys(topics)) {
		t := topics[name]
		dst = append(dst, t.ID[:]...)
		dst = appendCompactString(dst, name)
		dst = appendInt32(dst, t.Partitions)
		dst = appendArrayLen(dst, 0)
		dst = appendNoTags(dst)
	}
	return appendNoTags(dst)
}

func readTopicsValue(r *flexReader) map[string]group.TopicMeta {
	n := r.arrayLen(16 + 1 + 4 + 1 + 1)
	topics := make(map[string]group.TopicMeta, n)
	for range n {
		id := r.uuid()
		name := r.compactString()
		topics[name] = group.TopicMeta{ID: id, Partitions: r.int32()}
		for range r.arrayLen(4 + 1 + 1) { // racks: not used
			r.int32()
			for range r.arrayLen(1) {
				r.compactString()
			}
			r.skipTags()
		}
		r.skipTags()
	}
	r.skipTags()
	return topics
}

// appendMemberValue appends a ConsumerGroupMemberMetadataValue. A classic
// member's protocols are its tagged field 0 (ClassicMemberMetadata).
func appendMemberValue(dst []byte, m *group.ConsumerMember) []byte {
	dst = appendInt16(dst, consumerValueVersion)
	dst = appendCompactNullableString(dst, m.InstanceID)
	dst = appendCompactNullableString(dst, m.RackID)
	dst = appendCompactString(dst, m.ClientID)
	dst = appendCompactString(dst, m.ClientHost)
	dst = appendArrayLen(dst, len(m.Topics))
	for _, t := range m.Topics {
		dst = appendCompactString(dst, t)
	}
	dst = appendCompactNullableString(dst, m.Regex)
	dst = appendInt32(dst, millis(m.RebalanceTimeout))
	dst = appendCompactNullableString(dst, nullable(m.Assignor))
	if m.Classic == nil {
		return appendNoTags(dst)
	}
	classic := appendClassicMember(nil, m.Classic)
	dst = binary.AppendUvarint(dst, 1) // one tagged field
	dst = binary.AppendUvarint(dst, 0) // tag 0
	dst = binary.AppendUvarint(dst, uint64(len(classic)))
	return append(dst, classic...)
}

// appendClassicMember appends the tagged field's data: a nullable struct
// (a uvarint 1 for present, then the struct).
func appendClassicMember(dst []byte, c *group.ClassicMember) []byte {
	dst = binary.AppendUvarint(dst, 1)
	dst = appendInt32(dst, millis(c.SessionTimeout))
	dst = appendArrayLen(dst, len(c.Protocols))
	for _, p := range c.Protocols {
		dst = appendCompactString(dst, p.Name)
		dst = appendCompactBytes(dst, p.Metadata)
		dst = appendNoTags(dst)
	}
	return appendNoTags(dst)
}

func readMemberValue(r *flexReader, id string) group.ConsumerMember {
	m := group.ConsumerMember{MemberID: id}
	m.InstanceID = r.compactNullableString()
	m.RackID = r.compactNullableString()
	m.ClientID = r.compactString()
	m.ClientHost = r.compactString()
	if n := r.arrayLen(1); n > 0 {
		m.Topics = make([]string, n)
		for i := range m.Topics {
			m.Topics[i] = r.compactString()
		}
	}
	m.Regex = r.compactNullableString()
	m.RebalanceTimeout = time.Duration(r.int32()) * time.Millisecond
	m.Assignor = deref(r.compactNullableString())
	r.tags(func(tag int, f *flexReader) {
		if tag == 0 {
			m.Classic = readClassicMember(f)
		}
	})
	return m
}

func readClassicMember(r *flexReader) *group.ClassicMember {
	if r.uvarint() == 0 {
		return nil // null
	}
	c := &group.ClassicMember{SessionTimeout: time.Duration(r.int32()) * time.Millisecond}
	c.Protocols = make([]group.ClassicProtocol, r.arrayLen(1+1+1))
	for i := range c.Protocols {
		c.Protocols[i] = group.ClassicProtocol{Name: r.compactString(), Metadata: r.compactBytes()}
		r.skipTags()
	}
	r.skipTags()
	return c
}

// appendTargetValue appends a ConsumerGroupTargetAssignmentMemberValue.
func appendTargetValue(dst []byte, ps []group.TopicIDPartitions) []byte {
	dst = appendInt16(dst, consumerValueVersion)
	return appendNoTags(appendTopicPartitions(dst, ps))
}

func readTargetValue(r *flexReader) []group.TopicIDPartitions {
	ps := readTopicPartitions(r)
	r.skipTags()
	return ps
}

// appendAssignmentValue appends a ConsumerGroupCurrentMemberAssignmentValue.
func appendAssignmentValue(dst []byte, a *group.ConsumerAssignment) []byte {
	dst = appendInt16(dst, consumerValueVersion)
	dst = appendInt32(dst, a.Epoch)
	dst = appendInt32(dst, a.PreviousEpoch)
	dst = append(dst, byte(a.State))
	dst = appendTopicPartitions(dst, a.Assigned)
	dst = appendTopicPartitions(dst, a.Revoking)
	return appendNoTags(dst)
}

func readAssignmentValue(r *flexReader, id string) group.ConsumerAssignment {
	a := group.ConsumerAssignment{MemberID: id, Epoch: r.int32(), PreviousEpoch: r.int32(), State: r.int8()}
	a.Assigned = readTopicPartitions(r)
	a.Revoking = readTopicPartitions(r)
	r.skipTags()
	return a
}

// appendTopicPartitions appends an array of Kafka's TopicPartitions struct.
func appendTopicPartitions(dst []byte, ps []group.TopicIDPartitions) []byte {
	dst = appendArrayLen(dst, len(ps))
	for _, t := range ps {
		dst = append(dst, t.TopicID[:]...)
		dst = appendArrayLen(dst, len(t.Partitions))
		for _, p := range t.Partitions {
			dst = appendInt32(dst, p)
		}
		dst = appendNoTags(dst)
	}
	return dst
}

func readTopicPartitions(r *flexReader) []group.TopicIDPartitions {
	n := r.arrayLen(16 + 1 + 1)
	if n == 0 {
		return nil
	}
	ps := make([]group.TopicIDPartitions, n)
	for i := range ps {
		ps[i].TopicID = r.uuid()
		if k := r.arrayLen(4); k > 0 {
			ps[i].Partitions = make([]int32, k)
			for j := range ps[i].Partitions {
				ps[i].Partitions[j] = r.int32()
			}
		}
		r.skipTags() // later versions' AssignmentEpochs (tag 0)
	}
	return ps
}
