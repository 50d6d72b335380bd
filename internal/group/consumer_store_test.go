package group

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// applyConsumerChange applies c to s as a Store replaying c's records
// would: upserts by member id, tombstones remove a member's records.
func applyConsumerChange(s *ConsumerGroupSnapshot, c ConsumerGroupChange) {
	if c.Epoch != nil {
		s.Epoch = *c.Epoch
	}
	if c.AssignmentEpoch != nil {
		s.AssignmentEpoch = *c.AssignmentEpoch
	}
	if c.TopicsChanged {
		s.Topics = c.Topics
	}
	s.Members = upsert(s.Members, c.Members, func(m ConsumerMember) string { return m.MemberID })
	s.Targets = upsert(s.Targets, c.Targets, func(t ConsumerTarget) string { return t.MemberID })
	s.Assignments = upsert(s.Assignments, c.Assignments, func(a ConsumerAssignment) string { return a.MemberID })
	for _, id := range c.Removed {
		s.Members = slices.DeleteFunc(s.Members, func(m ConsumerMember) bool { return m.MemberID == id })
		s.Targets = slices.DeleteFunc(s.Targets, func(t ConsumerTarget) bool { return t.MemberID == id })
		s.Assignments = slices.DeleteFunc(s.Assignments, func(a ConsumerAssignment) bool { return a.MemberID == id })
	}
}

// upsert replaces or adds each of news in olds by id, keeping olds sorted.
func upsert[T any](olds, news []T, id func(T) string) []T {
	for _, n := range news {
		i, found := slices.BinarySearchFunc(olds, id(n), func(o T, key string) int { return cmp.Compare(id(o), key) })
		if found {
			olds[i] = n
		} else {
			olds = slices.Insert(olds, i, n)
		}
	}
	return olds
}

// consumerEvent is c as a memStore event: what it writes, briefly.
func consumerEvent(c ConsumerGroupChange) string {
	parts := []string{"save-consumer " + c.Group}
	if c.Epoch != nil {
		parts = append(parts, fmt.Sprintf("epoch=%d", *c.Epoch))
	}
	if c.AssignmentEpoch != nil {
		parts = append(parts, fmt.Sprintf("assignment-epoch=%d", *c.AssignmentEpoch))
	}
	if c.TopicsChanged {
		parts = append(parts, fmt.Sprintf("topics=%d", len(c.Topics)))
	}
	ids := func(name string, n int, id func(int) string) {
		if n == 0 {
			return
		}
		var out []string
		for i := range n {
			out = append(out, id(i))
		}
		parts = append(parts, name+"="+strings.Join(out, ","))
	}
	ids("members", len(c.Members), func(i int) string { return c.Members[i].MemberID })
	ids("targets", len(c.Targets), func(i int) string { return c.Targets[i].MemberID })
	ids("assignments", len(c.Assignments), func(i int) string { return c.Assignments[i].MemberID })
	ids("removed", len(c.Removed), func(i int) string { return c.Removed[i] })
	return strings.Join(parts, " ")
}
