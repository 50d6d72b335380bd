package cli

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// endTracker decides when consuming without --follow is over: when every
// partition this consumer reads has reached the end offset it had at the
// start. A direct consumer reads every planned partition; a group member
// only those assigned to it, known once the group has assigned them.
//
// Positions advance on control records too (they are kept for this), or
// a partition ending in a transaction marker would never be done.
type endTracker struct {
	mu       sync.Mutex
	follow   bool
	next     map[topicPartition]int64 // offset after the last record seen
	end      map[topicPartition]int64
	mine     map[topicPartition]bool
	known    bool   // whether mine is known yet
	whenDone func() // called once finished, to wake a blocked poll
}

func newEndTracker(plan []partitionPlan, follow, group bool, whenDone func()) *endTracker {
	t := &endTracker{
		follow: follow, whenDone: whenDone, known: !group,
		next: map[topicPartition]int64{}, end: map[topicPartition]int64{}, mine: map[topicPartition]bool{},
	}
	for _, p := range plan {
		tp := topicPartition{p.topic, p.partition}
		t.next[tp], t.end[tp] = p.from, p.end
		t.mine[tp] = !group
	}
	return t
}

// seen records that the consumer read offset in the partition.
func (t *endTracker) seen(topic string, partition int32, offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tp := topicPartition{topic, partition}
	t.next[tp] = max(t.next[tp], offset+1)
	t.checkLocked()
}

// pastEnd reports whether a record arrived after the command started, so
// a run without --follow prints exactly what was there at its start.
func (t *endTracker) pastEnd(topic string, partition int32, offset int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	end, ok := t.end[topicPartition{topic, partition}]
	return !t.follow && (!ok || offset >= end)
}

func (t *endTracker) assigned(m map[string][]int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for topic, ps := range m {
		for _, p := range ps {
			t.mine[topicPartition{topic, p}] = true
		}
	}
	t.known = true
	t.checkLocked()
}

func (t *endTracker) revoked(m map[string][]int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for topic, ps := range m {
		for _, p := range ps {
			delete(t.mine, topicPartition{topic, p})
		}
	}
	// Revoking everything is the first half of an eager rebalance: with
	// nothing assigned until the second half, "all read" would be wrong.
	if len(t.mineLocked()) == 0 {
		t.known = false
	}
}

func (t *endTracker) mineLocked() []topicPartition {
	var out []topicPartition
	for tp, mine := range t.mine {
		if mine {
			out = append(out, tp)
		}
	}
	return out
}

func (t *endTracker) finished() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.finishedLocked()
}

func (t *endTracker) finishedLocked() bool {
	if t.follow || !t.known {
		return false
	}
	for _, tp := range t.mineLocked() {
		if t.next[tp] < t.end[tp] {
			return false
		}
	}
	return true
}

// stalled reports whether there are partitions known to be ours and
// unread: a poll that brought nothing then means trouble.
func (t *endTracker) stalled() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.known && !t.follow && !t.finishedLocked()
}

// unread names the partitions not read to their end, for errors.
func (t *endTracker) unread() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var names []string
	for _, tp := range t.mineLocked() {
		if t.next[tp] < t.end[tp] {
			names = append(names, fmt.Sprintf("%s[%d]", tp.topic, tp.partition))
		}
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

func (t *endTracker) checkLocked() {
	if t.finishedLocked() {
		t.whenDone()
	}
}
