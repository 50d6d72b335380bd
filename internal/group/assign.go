package group

import (
	"cmp"
	"maps"
	"slices"
)

// This file holds the server-side assignors of consumer groups, chosen by
// the members' ServerAssignor. An assignor maps each member id to its
// target partitions, given the topics each member subscribes to (existing
// topics only), the topics' metadata and the previous target. Every
// partition of a subscribed topic goes to exactly one member subscribed to
// it; output is deterministic for the same input.

const defaultAssignor = "uniform" // the first of Kafka's group.consumer.assignors

type assignor func(subs map[string][]string, meta map[string]TopicMeta, prev map[string]partSet) map[string]partSet

var assignors = map[string]assignor{
	"uniform": assignUniform,
	"range":   assignRange,
}

// assignUniform spreads partitions so that loads differ by at most one
// where the subscriptions allow it, and is sticky: a member keeps what it
// had in prev while that stays within balance, so a rebalance moves as few
// partitions as it can. Kafka's UniformAssignor has the same goals; its
// exact choices (and its rack awareness) are not reproduced.
func assignUniform(subs map[string][]string, meta map[string]TopicMeta, prev map[string]partSet) map[string]partSet {
	ids := slices.Sorted(maps.Keys(subs))
	out := make(map[string]partSet, len(ids))
	byTopic := make(map[string][]string) // topic -> subscribed members, sorted
	for _, id := range ids {
		out[id] = make(partSet)
		for _, t := range subs[id] {
			byTopic[t] = append(byTopic[t], id)
		}
	}
	names := make(map[[16]byte]string, len(byTopic))
	for t := range byTopic {
		names[meta[t].ID] = t
	}
	taken := make(partSet)
	// Keep the previous target where the member still subscribes.
	for _, id := range ids {
		for _, p := range prev[id].sorted() {
			t, ok := names[p.id]
			if ok && p.p < meta[t].Partitions && slices.Contains(byTopic[t], id) && !taken.has(p) {
				out[id][p] = struct{}{}
				taken[p] = struct{}{}
			}
		}
	}
	leastLoaded := func(members []string) string {
		best := ""
		for _, id := range members {
			if best == "" || len(out[id]) < len(out[best]) {
				best = id
			}
		}
		return best
	}
	for _, t := range slices.Sorted(maps.Keys(byTopic)) {
		for i := range meta[t].Partitions {
			p := tidp{meta[t].ID, i}
			if !taken.has(p) {
				out[leastLoaded(byTopic[t])][p] = struct{}{}
			}
		}
	}
	// Move partitions from the most to the least loaded members until no
	// move narrows the gap; each move lowers the sum of squared loads, so
	// this ends.
	for moved := true; moved; {
		moved = false
		byLoad := slices.Clone(ids)
		slices.SortStableFunc(byLoad, func(a, b string) int { return cmp.Compare(len(out[b]), len(out[a])) })
	hi:
		for _, hi := range byLoad {
			for _, p := range slices.Backward(out[hi].sorted()) {
				lo := leastLoaded(byTopic[names[p.id]])
				if len(out[lo]) < len(out[hi])-1 {
					delete(out[hi], p)
					out[lo][p] = struct{}{}
					moved = true
					break hi
				}
			}
		}
	}
	return out
}

// assignRange gives each member, topic by topic, a contiguous range of
// partitions: with n members subscribed to a topic of p partitions, sorted
// by member id, the first p%n get p/n+1 and the rest p/n. Members with the
// same subscriptions therefore get the same partition numbers of every
// topic (co-partitioning). Unlike Kafka's RangeAssignor it is not sticky.
func assignRange(subs map[string][]string, meta map[string]TopicMeta, _ map[string]partSet) map[string]partSet {
	ids := slices.Sorted(maps.Keys(subs))
	out := make(map[string]partSet, len(ids))
	byTopic := make(map[string][]string)
	for _, id := range ids {
		out[id] = make(partSet)
		for _, t := range subs[id] {
			byTopic[t] = append(byTopic[t], id)
		}
	}
	for t, members := range byTopic {
		n, parts := int32(len(members)), meta[t].Partitions
		next := int32(0)
		for i, id := range members {
			count := parts / n
			if int32(i) < parts%n {
				count++
			}
			for range count {
				out[id][tidp{meta[t].ID, next}] = struct{}{}
				next++
			}
		}
	}
	return out
}
