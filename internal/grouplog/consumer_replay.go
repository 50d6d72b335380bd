package grouplog

import (
	"encoding/binary"
	"maps"
	"slices"

	"github.com/samsa-streaming/samsa/internal/group"
)

// consumerState is a consumer group's records as replayed so far, by key.
type consumerState struct {
	hasEpoch    bool
	epoch       int32
	assignEpoch int32
	topics      map[string]group.TopicMeta
	members     map[string]group.ConsumerMember
	targets     map[string]group.ConsumerTarget
	assignments map[string]group.ConsumerAssignment
}

func newConsumerState() *consumerState {
	return &consumerState{
		members:     make(map[string]group.ConsumerMember),
		targets:     make(map[string]group.ConsumerTarget),
		assignments: make(map[string]group.ConsumerAssignment),
	}
}

// exists reports whether the records replayed make a group: Kafka creates
// one from its epoch record or a member's record; the other records alone
// are leftovers of a group being deleted.
func (s *consumerState) exists() bool {
	return s.hasEpoch || len(s.members) > 0 || len(s.assignments) > 0
}

// groupKind is the type of group whose records came last for a group id:
// when a log holds both (a foreign writer that did not tombstone the other
// type), the later wins, as in Kafka's replay, where the later record
// replaces the group.
type groupKind int8

const (
	kindClassic groupKind = iota + 1
	kindConsumer
)

// consumerRecord applies one record of a KIP-848 consumer group.
func (r *replay) consumerRecord(off int64, typ consumerType, key, value []byte) {
	g, k, ok := readConsumerKey(key)
	if !ok {
		r.skip(skip{"undecodable " + typ.String() + " keys", -1}, off, 1)
		return
	}
	if value == nil {
		r.consumerTombstone(g, k)
		return
	}
	// Live even if undecodable, so that deleting the group tombstones it.
	r.keys(g).consumer[k] = struct{}{}
	if len(value) < 2 {
		r.skip(skip{"undecodable " + typ.String() + " values", -1}, off, 1)
		return
	}
	if v := int16(binary.BigEndian.Uint16(value)); v != consumerValueVersion {
		r.skip(skip{typ.String() + " values of unknown version", v}, off, 1)
		return
	}
	if !r.applyConsumerValue(g, k, &flexReader{b: value[2:]}) {
		r.skip(skip{"undecodable " + typ.String() + " values", consumerValueVersion}, off, 1)
		return
	}
	r.kinds[g] = kindConsumer
}

// applyConsumerValue decodes a value of k and applies it if it decoded.
func (r *replay) applyConsumerValue(g string, k consumerKey, f *flexReader) bool {
	var apply func(s *consumerState)
	switch k.typ {
	case ctEpoch:
		e := readEpochValue(f)
		apply = func(s *consumerState) { s.hasEpoch, s.epoch = true, e }
	case ctTopics:
		t := readTopicsValue(f)
		apply = func(s *consumerState) { s.topics = t }
	case ctMember:
		m := readMemberValue(f, k.member)
		apply = func(s *consumerState) { s.members[k.member] = m }
	case ctTargetEpoch:
		e := readEpochValue(f)
		apply = func(s *consumerState) { s.assignEpoch = e }
	case ctTarget:
		t := group.ConsumerTarget{MemberID: k.member, Partitions: readTargetValue(f)}
		apply = func(s *consumerState) { s.targets[k.member] = t }
	case ctAssignment:
		a := readAssignmentValue(f, k.member)
		apply = func(s *consumerState) { s.assignments[k.member] = a }
	}
	if f.bad {
		return false
	}
	s := r.consumers[g]
	if s == nil {
		s = newConsumerState()
		r.consumers[g] = s
	}
	apply(s)
	return true
}

// consumerTombstone deletes the key k of group g.
func (r *replay) consumerTombstone(g string, k consumerKey) {
	if lk := r.live[g]; lk != nil {
		delete(lk.consumer, k)
		r.forgetIfEmpty(g, lk)
	}
	s := r.consumers[g]
	if s == nil {
		return
	}
	switch k.typ {
	case ctEpoch:
		s.hasEpoch, s.epoch = false, 0
	case ctTopics:
		s.topics = nil
	case ctMember:
		delete(s.members, k.member)
	case ctTargetEpoch:
		s.assignEpoch = 0
	case ctTarget:
		delete(s.targets, k.member)
	case ctAssignment:
		delete(s.assignments, k.member)
	}
	if !s.hasEpoch && s.topics == nil && len(s.members)+len(s.targets)+len(s.assignments) == 0 {
		delete(r.consumers, g)
	}
}

// loadedConsumers returns the consumer groups replayed, sorted by name;
// a group whose GroupMetadata came later is left out (see groupKind).
func (r *replay) loadedConsumers() []group.ConsumerGroupSnapshot {
	var out []group.ConsumerGroupSnapshot
	for _, g := range slices.Sorted(maps.Keys(r.consumers)) {
		s := r.consumers[g]
		if _, classic := r.groups[g]; !s.exists() || (classic && r.kinds[g] == kindClassic) {
			continue
		}
		out = append(out, group.ConsumerGroupSnapshot{
			Group:           g,
			Epoch:           s.epoch,
			AssignmentEpoch: s.assignEpoch,
			Topics:          s.topics,
			Members:         byMember(s.members),
			Targets:         byMember(s.targets),
			Assignments:     byMember(s.assignments),
		})
	}
	return out
}

// byMember is m's values sorted by member id.
func byMember[T any](m map[string]T) []T {
	if len(m) == 0 {
		return nil
	}
	out := make([]T, 0, len(m))
	for _, id := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[id])
	}
	return out
}
