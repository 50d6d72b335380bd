package txn

import (
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Describe returns the state of each id, or TRANSACTIONAL_ID_NOT_FOUND.
func (c *Coordinator) Describe(id string) (Snapshot, error) {
	t := c.lookup(id)
	if t == nil || t.pid < 0 {
		if t != nil {
			t.mu.Unlock()
		}
		return Snapshot{}, kerr.TransactionalIDNotFound
	}
	defer t.mu.Unlock()
	return t.snapshotLocked(), nil
}

// ListFilter selects transactions for List; empty filters match all.
type ListFilter struct {
	States      []State
	ProducerIDs []int64
	// MinDurationMs keeps transactions running at least this long (-1: all).
	MinDurationMs int64
}

// List returns the transactional ids matching f, by id.
func (c *Coordinator) List(f ListFilter) []Snapshot {
	now := c.nowMs()
	var out []Snapshot
	for _, t := range c.all() {
		t.mu.Lock()
		s := t.snapshotLocked()
		ok := !t.removed && t.pid >= 0
		t.mu.Unlock()
		if ok && f.matches(s, now) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Snapshot) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (f ListFilter) matches(s Snapshot, now int64) bool {
	if len(f.States) > 0 && !slices.Contains(f.States, s.State) {
		return false
	}
	if len(f.ProducerIDs) > 0 && !slices.Contains(f.ProducerIDs, s.ProducerID) {
		return false
	}
	// As in Kafka, the duration of a transaction that has not started
	// counts from -1, so such ids always pass.
	return f.MinDurationMs < 0 || now-s.Start >= f.MinDurationMs
}
