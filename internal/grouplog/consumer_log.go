package grouplog

import (
	"cmp"
	"maps"
	"slices"

	"github.com/samsa-streaming/samsa/internal/group"
)

// SaveConsumerGroup writes the records of one change to a KIP-848
// consumer group in one batch, in Kafka's order: the tombstones of the
// members that left (current assignment, target, metadata, as Kafka
// deletes a member), then member metadata, topics metadata, group epoch,
// targets, assignment epoch and current assignments. If the group's
// GroupMetadata is live (it was a classic group), its tombstone comes
// first, as Kafka writes it when a classic group becomes a consumer group.
func (l *Log) SaveConsumerGroup(c group.ConsumerGroupChange) error {
	if err := checkConsumerChange(&c); err != nil {
		return err
	}
	l.mu.Lock()
	var w batchWriter
	k := l.mu.live[c.Group]
	if k != nil && k.meta {
		w.scratch = appendGroupKey(w.scratch[:0], c.Group)
		w.add(w.scratch, nil)
	}
	written := addConsumerChange(&w, &c)
	if w.n == 0 {
		l.mu.Unlock()
		return nil // nothing changed: a batch must hold a record
	}
	err := l.appendLocked(&w)
	if err == nil {
		k = l.keysLocked(c.Group)
		k.meta = false
		for _, ck := range written {
			k.consumer[ck] = struct{}{}
		}
		for _, id := range c.Removed {
			for _, t := range []consumerType{ctMember, ctTarget, ctAssignment} {
				delete(k.consumer, consumerKey{t, id})
			}
		}
		l.forgetIfEmptyLocked(c.Group, k)
	}
	l.mu.Unlock()
	return l.sync(err)
}

// addConsumerChange adds c's records to w and returns the keys it gave a
// value.
func addConsumerChange(w *batchWriter, c *group.ConsumerGroupChange) []consumerKey {
	var written []consumerKey
	put := func(k consumerKey, value func([]byte) []byte) {
		w.addConsumer(c.Group, k, value)
		written = append(written, k)
	}
	for _, id := range c.Removed {
		for _, t := range []consumerType{ctAssignment, ctTarget, ctMember} {
			w.addConsumer(c.Group, consumerKey{t, id}, nil)
		}
	}
	for i := range c.Members {
		m := &c.Members[i]
		put(consumerKey{ctMember, m.MemberID}, func(b []byte) []byte { return appendMemberValue(b, m) })
	}
	if c.TopicsChanged {
		put(consumerKey{typ: ctTopics}, func(b []byte) []byte { return appendTopicsValue(b, c.Topics) })
	}
	if c.Epoch != nil {
		put(consumerKey{typ: ctEpoch}, func(b []byte) []byte { return appendEpochValue(b, *c.Epoch) })
	}
	for i := range c.Targets {
		t := &c.Targets[i]
		put(consumerKey{ctTarget, t.MemberID}, func(b []byte) []byte { return appendTargetValue(b, t.Partitions) })
	}
	if c.AssignmentEpoch != nil {
		put(consumerKey{typ: ctTargetEpoch}, func(b []byte) []byte { return appendEpochValue(b, *c.AssignmentEpoch) })
	}
	for i := range c.Assignments {
		a := &c.Assignments[i]
		put(consumerKey{ctAssignment, a.MemberID}, func(b []byte) []byte { return appendAssignmentValue(b, a) })
	}
	return written
}

// addConsumer adds the record of k in group g; a nil value adds its
// tombstone.
func (w *batchWriter) addConsumer(g string, k consumerKey, value func([]byte) []byte) {
	w.scratch = appendConsumerKey(w.scratch[:0], g, k)
	if value == nil {
		w.add(w.scratch, nil)
		return
	}
	n := len(w.scratch)
	w.scratch = value(w.scratch)
	w.add(w.scratch[:n], w.scratch[n:])
}

// addConsumerTombstones adds a tombstone for each of keys, a group's live
// consumer-group keys, in the order Kafka deletes a group: each member's
// current assignment, target and metadata, then the group's assignment
// epoch, topics and epoch.
func addConsumerTombstones(w *batchWriter, g string, keys map[consumerKey]struct{}) {
	sorted := slices.SortedFunc(maps.Keys(keys), func(a, b consumerKey) int {
		return cmp.Or(
			cmp.Compare(boolInt(a.member == ""), boolInt(b.member == "")),
			cmp.Compare(a.member, b.member),
			cmp.Compare(b.typ, a.typ),
		)
	})
	for _, k := range sorted {
		w.addConsumer(g, k, nil)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkConsumerChange rejects strings Kafka's schemas cannot hold.
func checkConsumerChange(c *group.ConsumerGroupChange) error {
	strs := []string{c.Group}
	strs = append(strs, c.Removed...)
	for name := range c.Topics {
		strs = append(strs, name)
	}
	for i := range c.Members {
		strs = append(strs, memberStrings(&c.Members[i])...)
	}
	for _, t := range c.Targets {
		strs = append(strs, t.MemberID)
	}
	for _, a := range c.Assignments {
		strs = append(strs, a.MemberID)
	}
	for _, s := range strs {
		if err := checkLen("consumer group field", s); err != nil {
			return err
		}
	}
	return nil
}

func memberStrings(m *group.ConsumerMember) []string {
	out := []string{m.MemberID, deref(m.InstanceID), deref(m.RackID), m.ClientID, m.ClientHost, deref(m.Regex), m.Assignor}
	out = append(out, m.Topics...)
	if m.Classic != nil {
		for _, p := range m.Classic.Protocols {
			out = append(out, p.Name)
		}
	}
	return out
}
