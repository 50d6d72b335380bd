package txn

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
)

// EndTxn commits or aborts the producer's ongoing transaction (Kafka's
// handleEndTransaction); v2 selects transaction protocol v2 (EndTxn v5+,
// see endTxnV2Locked). It returns the producer id and epoch the producer
// continues with. The decision is persisted
// (PrepareCommit or PrepareAbort), then the markers are written to every
// partition of the transaction and the transaction completes. If the
// markers cannot be written now, the decision stands and the background
// loop completes it; the call still succeeds, as in Kafka, where markers
// are always written after the answer.
//
// Errors: an unknown id or another producer id INVALID_PRODUCER_ID_MAPPING;
// another epoch PRODUCER_FENCED; no transaction (Empty), or a retry asking
// for the other outcome than the one completed, INVALID_TXN_STATE; a retry
// of the same outcome while its markers are pending
// CONCURRENT_TRANSACTIONS; a retry after completion succeeds.
func (c *Coordinator) EndTxn(id string, pid int64, epoch int16, commit, v2 bool) (int64, int16, error) {
	t := c.lookup(id)
	if t == nil {
		return -1, -1, kerr.InvalidProducerIDMapping
	}
	defer t.mu.Unlock()
	if v2 {
		return c.endTxnV2Locked(t, pid, epoch, commit)
	}
	err := c.endTxnV1Locked(t, pid, epoch, commit)
	return t.pid, t.epoch, err
}

func (c *Coordinator) endTxnV1Locked(t *txn, pid int64, epoch int16, commit bool) error {
	if err := checkProducerLocked(t, pid, epoch); err != nil {
		return err
	}
	prepare, complete := PrepareAbort, CompleteAbort
	if commit {
		prepare, complete = PrepareCommit, CompleteCommit
	}
	switch t.state {
	case Ongoing:
	case complete:
		return nil
	case prepare:
		if err := c.completeLocked(t); err != nil {
			return kerr.ConcurrentTransactions
		}
		return nil
	case PrepareEpochFence:
		return errFenced
	default:
		return kerr.InvalidTxnState
	}
	prev := t.snapshotLocked()
	t.state, t.lastUpdate = prepare, c.nowMs()
	if err := c.saveLocked(t, prev); err != nil {
		return err
	}
	if err := c.completeLocked(t); err != nil {
		c.lg.Warn("transaction decided; its markers will be retried", "transactional_id", t.id, "state", t.state, "err", err)
	}
	return nil
}

// completeLocked writes the markers of a decided transaction and persists
// its completion. On failure t stays decided.
func (c *Coordinator) completeLocked(t *txn) error {
	commit := t.state == PrepareCommit
	parts := slices.SortedFunc(func(yield func(TopicPartition) bool) {
		for tp := range t.partitions {
			if !yield(tp) {
				return
			}
		}
	}, compareTP)
	if err := c.opts.Markers.WriteMarkers(t.pid, t.epoch, commit, parts); err != nil {
		return err
	}
	prev := t.snapshotLocked()
	t.state = CompleteAbort
	if commit {
		t.state = CompleteCommit
	}
	t.start, t.lastUpdate = -1, c.nowMs()
	clear(t.partitions)
	c.rollOverLocked(t)
	if err := c.saveLocked(t, prev); err != nil {
		return err
	}
	c.lg.Debug("transaction completed", "transactional_id", t.id, "producer_id", t.pid, "epoch", t.epoch,
		"state", t.state, "partitions", len(parts))
	return nil
}

// abortWithBumpLocked aborts t's ongoing transaction with the epoch bumped,
// so that its producer is fenced (a new producer of the same id, or a
// timed-out transaction). After a timeout the producer may claim the new
// epoch with InitProducerId and its old epoch (KIP-588): timedOut
// remembers that, as Kafka's coordinator does.
func (c *Coordinator) abortWithBumpLocked(t *txn, timedOut bool) error {
	prev := t.snapshotLocked()
	if err := c.bumpEpochLocked(t); err != nil {
		return err
	}
	if !timedOut {
		t.lastEpoch = -1 // the fenced producer may not claim the new epoch
	}
	t.timedOut = timedOut
	t.state, t.lastUpdate = PrepareAbort, c.nowMs()
	if err := c.saveLocked(t, prev); err != nil {
		return err
	}
	if err := c.completeLocked(t); err != nil {
		return kerr.ConcurrentTransactions
	}
	return nil
}

// completeDecided retries the markers of every decided transaction.
func (c *Coordinator) completeDecided() {
	for _, t := range c.all() {
		t.mu.Lock()
		if !t.removed && t.state.completing() {
			if t.state == PrepareEpochFence {
				t.state = PrepareAbort // Kafka's fence is an abort with the bumped epoch
			}
			if err := c.completeLocked(t); err != nil {
				c.lg.Warn("completing a decided transaction failed; will retry", "transactional_id", t.id, "err", err)
			}
		}
		t.mu.Unlock()
	}
}

// abortTimedOut aborts the transactions that outlived their timeout,
// fencing their producers.
func (c *Coordinator) abortTimedOut() {
	now := c.nowMs()
	for _, t := range c.all() {
		t.mu.Lock()
		if !t.removed && t.state == Ongoing && t.start >= 0 && now-t.start > t.timeout.Milliseconds() {
			c.lg.Info("aborting a timed-out transaction", "transactional_id", t.id, "producer_id", t.pid,
				"epoch", t.epoch, "timeout", t.timeout)
			if err := c.abortWithBumpLocked(t, true); err != nil {
				c.lg.Warn("aborting a timed-out transaction failed; will retry", "transactional_id", t.id, "err", err)
			}
		}
		t.mu.Unlock()
	}
}

// expireIDs forgets transactional ids without a transaction that have not
// been used for transactional.id.expiration.ms.
func (c *Coordinator) expireIDs() {
	now := c.nowMs()
	for _, t := range c.all() {
		t.mu.Lock()
		idle := t.state == Empty || t.state == CompleteCommit || t.state == CompleteAbort
		if !t.removed && idle && now-t.lastUpdate > c.opts.IDExpiration.Milliseconds() {
			if err := c.opts.Store.Delete(t.id); err != nil {
				c.lg.Warn("expiring a transactional id failed", "transactional_id", t.id, "err", err)
			} else {
				c.lg.Info("transactional id expired", "transactional_id", t.id)
				c.removeLocked(t)
			}
		}
		t.mu.Unlock()
	}
}
