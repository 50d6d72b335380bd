package partition

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// This file is the partition leader's side of Kafka transactions: which
// producers have a transaction open here (it began with their first
// transactional batch and ends with the marker the coordinator writes), the
// last stable offset they hold back, and the markers themselves.

// Marker is a transaction marker for one producer.
type Marker struct {
	ProducerID       int64
	ProducerEpoch    int16
	Commit           bool // false: abort
	CoordinatorEpoch int32
}

// AppendMarker writes m as a control batch and ends the producer's ongoing
// transaction in this partition; it returns the marker's offset.
//
// As Kafka's appendEndTxnMarker: a marker older than the producer's epoch
// is INVALID_PRODUCER_EPOCH and one from an older coordinator epoch
// TRANSACTION_COORDINATOR_FENCED, and nothing is written; otherwise the
// producer takes the marker's epochs. A marker for a producer with no
// ongoing transaction here is written all the same. An abort is recorded in
// the aborted transaction index that read_committed fetches consult.
func (p *Partition) AppendMarker(m Marker, now time.Time) (int64, error) {
	ts := now.UnixMilli()
	b := batch.EndTxnMarker(m.ProducerID, m.ProducerEpoch, m.Commit, m.CoordinatorEpoch, ts)
	if p.cfg.Load().LogAppendTime {
		batch.SetLogAppendTime(b, ts)
	}
	p.appendMu.Lock()
	if err := p.producers.checkMarker(m); err != nil {
		p.appendMu.Unlock()
		return -1, err
	}
	offset, err := p.appendLocked(b)
	if err == nil {
		p.completeTxnLocked(m, offset, ts)
		p.updateLastStableLocked()
	}
	p.appendMu.Unlock()
	if err != nil {
		return -1, err
	}
	p.waiters.wakeAll()
	return offset, nil
}

// checkMarker applies Kafka's epoch rules for markers (TV0/1: an equal
// producer epoch is accepted, since the marker may carry the epoch of the
// transaction's own batches).
func (ps producers) checkMarker(m Marker) error {
	e := ps[m.ProducerID]
	switch {
	case e == nil:
		return nil
	case m.ProducerEpoch < e.Epoch:
		return fmt.Errorf("partition: marker for producer %d has epoch %d, older than the current epoch %d: %w",
			m.ProducerID, m.ProducerEpoch, e.Epoch, kerr.InvalidProducerEpoch)
	case m.CoordinatorEpoch < e.CoordinatorEpoch:
		return fmt.Errorf("partition: marker for producer %d has coordinator epoch %d, older than %d: %w",
			m.ProducerID, m.CoordinatorEpoch, e.CoordinatorEpoch, kerr.TransactionCoordinatorFenced)
	}
	return nil
}

// endTxn applies the marker m, written at time ts, to its producer's entry
// (creating it, as Kafka does) and returns the first offset of the
// transaction it ended, -1 if there was none.
func (ps producers) endTxn(m Marker, ts int64) (first int64) {
	e := ps[m.ProducerID]
	if e == nil {
		e = newProducerEntry(m.ProducerEpoch)
		ps[m.ProducerID] = e
	}
	first = e.TxnFirstOffset
	e.setEpoch(m.ProducerEpoch)
	e.CoordinatorEpoch, e.TxnFirstOffset, e.LastTimestamp = m.CoordinatorEpoch, -1, ts
	return first
}

// completeTxnLocked ends the transaction the marker m at offset closes, on
// append and on replay alike. An abort goes to the aborted transaction
// index with the last stable offset right after it (Kafka's
// ProducerStateManager.lastStableOffset(completedTxn)): the first offset of
// the oldest transaction still open, or the offset after the marker.
func (p *Partition) completeTxnLocked(m Marker, offset, ts int64) {
	first := p.producers.endTxn(m, ts)
	if first < 0 {
		return
	}
	p.ongoing.remove(first)
	if m.Commit {
		return
	}
	lso := offset + 1
	if f, ok := p.ongoing.first(); ok {
		lso = f
	}
	p.index.add(abortedEntry{ProducerID: m.ProducerID, FirstOffset: first, LastOffset: offset, LastStableOffset: lso})
}

// updateLastStableLocked recomputes the last stable offset after an append
// or retention: the first offset of the oldest open transaction, or the
// high watermark if none is open, never below the log start offset (Kafka's
// maybeIncrementFirstUnstableOffset). It only moves forward: a transaction
// begins at the high watermark of the time.
func (p *Partition) updateLastStableLocked() {
	lso := p.hwm.Load()
	if first, ok := p.ongoing.first(); ok {
		lso = min(lso, first)
	}
	p.lso.Store(max(lso, p.log.StartOffset()))
}

// LastStableOffset is the offset read_committed consumers can read up to
// (exclusive): no transaction open at or below it is undecided.
func (p *Partition) LastStableOffset() int64 { return p.lso.Load() }

// openTxn is one ongoing transaction.
type openTxn struct {
	ProducerID  int64
	FirstOffset int64
}

// ongoingTxns lists the partition's open transactions by first offset.
// Transactions begin at the log end, so a new one always goes last and the
// oldest is first; a producer has at most one. The partition's appendMu
// guards it.
type ongoingTxns []openTxn

func ongoingOf(ps producers) ongoingTxns {
	var txns ongoingTxns
	for id, e := range ps {
		if e.inTxn() {
			txns = append(txns, openTxn{ProducerID: id, FirstOffset: e.TxnFirstOffset})
		}
	}
	slices.SortFunc(txns, func(a, b openTxn) int { return cmp.Compare(a.FirstOffset, b.FirstOffset) })
	return txns
}

func (t *ongoingTxns) add(producerID, first int64) {
	*t = append(*t, openTxn{ProducerID: producerID, FirstOffset: first})
}

func (t *ongoingTxns) remove(first int64) {
	i, ok := slices.BinarySearchFunc(*t, first, func(x openTxn, f int64) int { return cmp.Compare(x.FirstOffset, f) })
	if ok {
		*t = slices.Delete(*t, i, i+1)
	}
}

func (t ongoingTxns) first() (int64, bool) {
	if len(t) == 0 {
		return -1, false
	}
	return t[0].FirstOffset, true
}
