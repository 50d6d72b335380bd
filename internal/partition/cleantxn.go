package partition

import (
	"cmp"
	"slices"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// txnTracker follows transactions through one pass of the cleaner over
// the log, in offset order, as Kafka's CleanedTransactionMetadata does: it
// says which data batches belong to aborted transactions (the cleaner
// removes them) and which markers no data depends on any more (the
// cleaner removes those once their delete horizon has passed).
type txnTracker struct {
	pending   []abortedEntry             // aborted transactions not reached yet, by first offset
	aborted   map[int64]*abortedProgress // producer id -> its aborted transaction being passed
	committed map[int64]bool             // producers with transactional data since their last marker
}

type abortedProgress struct {
	sawData bool // a batch of it was met in this pass
}

// newTxnTracker starts a pass over [from, to) with the aborted transaction
// index entries overlapping that range (Kafka's
// collectAbortedTransactions: marker at or after from, first offset before
// to). Entries outside it would mark unrelated batches of the same producer.
func newTxnTracker(entries []abortedEntry, from, to int64) *txnTracker {
	t := &txnTracker{aborted: make(map[int64]*abortedProgress), committed: make(map[int64]bool)}
	for _, e := range entries {
		if e.LastOffset >= from && e.FirstOffset < to {
			t.pending = append(t.pending, e)
		}
	}
	slices.SortFunc(t.pending, func(a, b abortedEntry) int { return cmp.Compare(a.FirstOffset, b.FirstOffset) })
	return t
}

// reach starts the aborted transactions that begin at or before offset.
func (t *txnTracker) reach(offset int64) {
	for len(t.pending) > 0 && t.pending[0].FirstOffset <= offset {
		if t.aborted[t.pending[0].ProducerID] == nil {
			t.aborted[t.pending[0].ProducerID] = &abortedProgress{}
		}
		t.pending = t.pending[1:]
	}
}

// onData notes the data batch h and reports whether it was aborted.
func (t *txnTracker) onData(h batch.Header) bool {
	t.reach(h.LastOffset())
	if !h.IsTransactional() {
		return false
	}
	if a := t.aborted[h.ProducerID]; a != nil {
		a.sawData = true
		return true
	}
	t.committed[h.ProducerID] = true
	return false
}

// controlKind is what a control batch holds.
type controlKind int

const (
	controlEmpty   controlKind = iota // no record: a marker the cleaner emptied
	controlAbort                      // an abort marker
	controlCommit                     // a commit marker
	controlUnknown                    // a control record this broker does not know
)

// onMarker notes the control batch h and reports whether it may go: an
// abort or commit marker whose transaction has no data left in the log
// (the cleaner keeps a marker as long as the data it decides does), or an
// emptied one.
func (t *txnTracker) onMarker(h batch.Header, kind controlKind) bool {
	t.reach(h.LastOffset())
	switch kind {
	case controlEmpty:
		return true
	case controlAbort:
		a := t.aborted[h.ProducerID]
		delete(t.aborted, h.ProducerID)
		return a == nil || !a.sawData
	case controlCommit:
		saw := t.committed[h.ProducerID]
		delete(t.committed, h.ProducerID)
		return !saw
	}
	return false
}
