package txn

import (
	"math"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Transaction protocol v2 (KIP-890 part 2), which Kafka 4 clients use when
// the broker finalizes the transaction.version feature at 2:
//   - the producer does not send AddPartitionsToTxn: its first batch to a
//     partition (Produce v12+), or its first offset commit (TxnOffsetCommit
//     v5+), adds the partition (AddImplicit), starting a transaction;
//   - every EndTxn (v5+) bumps the producer epoch, and the markers carry
//     the new epoch, so a zombie's late batches of the ended transaction
//     are fenced in every partition; the producer continues with the id
//     and epoch EndTxn returns. When the epoch would overflow, the
//     transaction moves to a new producer id as it completes.

// endTxnV2Locked is EndTxn v5+: the retry of an end already decided or
// completed (the previous epoch, or the previous producer id after an
// overflow) is answered with the current id and epoch; an abort without a
// transaction just bumps the epoch (clients abort to recover from errors).
func (c *Coordinator) endTxnV2Locked(t *txn, pid int64, epoch int16, commit bool) (int64, int16, error) {
	prepare, complete := PrepareAbort, CompleteAbort
	if commit {
		prepare, complete = PrepareCommit, CompleteCommit
	}
	if t.isRetryLocked(pid, epoch) {
		switch t.state {
		case complete:
			return t.continueWithLocked()
		case prepare:
			if err := c.completeLocked(t); err != nil {
				return -1, -1, kerr.ConcurrentTransactions
			}
			return t.continueWithLocked()
		}
		return -1, -1, kerr.InvalidTxnState
	}
	if err := checkProducerLocked(t, pid, epoch); err != nil {
		return -1, -1, err
	}
	switch t.state {
	case Ongoing:
	case Empty, CompleteCommit, CompleteAbort:
		if commit {
			return -1, -1, kerr.InvalidTxnState
		}
	case PrepareEpochFence:
		return -1, -1, errFenced
	default:
		return -1, -1, kerr.ConcurrentTransactions
	}
	prev := t.snapshotLocked()
	if err := c.bumpForEndLocked(t); err != nil {
		return -1, -1, err
	}
	t.state, t.lastUpdate, t.v2 = prepare, c.nowMs(), true
	if err := c.saveLocked(t, prev); err != nil {
		return -1, -1, err
	}
	if err := c.completeLocked(t); err != nil {
		c.lg.Warn("transaction decided; its markers will be retried", "transactional_id", t.id, "state", t.state, "err", err)
	}
	return t.continueWithLocked()
}

// isRetryLocked reports whether pid and epoch are those of the producer
// before the last EndTxn bumped them.
func (t *txn) isRetryLocked(pid int64, epoch int16) bool {
	if t.timedOut || t.lastEpoch < 0 || epoch != t.lastEpoch {
		return false
	}
	return pid == t.pid || (t.prevPID >= 0 && pid == t.prevPID && pid != t.pid)
}

// continueWithLocked is the producer id and epoch the producer uses next:
// the new producer id once a pending overflow completes.
func (t *txn) continueWithLocked() (int64, int16, error) {
	if t.nextPID >= 0 {
		return t.nextPID, 0, nil
	}
	return t.pid, t.epoch, nil
}

// bumpForEndLocked bumps the epoch for EndTxn v5+; at the last usable
// epoch the markers keep it and a new producer id is reserved, taken when
// the transaction completes (rollOverLocked).
func (c *Coordinator) bumpForEndLocked(t *txn) error {
	if t.epoch >= math.MaxInt16-1 {
		next, err := c.opts.NewProducerID()
		if err != nil {
			return err
		}
		t.nextPID = next
		t.lastEpoch = t.epoch
		return nil
	}
	t.lastEpoch = t.epoch
	t.epoch++
	return nil
}

// rollOverLocked moves a completing transaction to its reserved new
// producer id, remembering the old one for retries.
func (c *Coordinator) rollOverLocked(t *txn) {
	if t.nextPID < 0 {
		return
	}
	t.prevPID = t.pid
	c.setPIDLocked(t, t.nextPID)
	t.epoch, t.nextPID = 0, -1
}

// AddImplicit adds tp to producer pid's transaction, starting one if none
// is ongoing, for transaction protocol v2's implicit adds. Errors: an
// unknown producer id INVALID_PRODUCER_ID_MAPPING; another epoch
// INVALID_PRODUCER_EPOCH; a transaction whose end is being written
// CONCURRENT_TRANSACTIONS (retriable).
func (c *Coordinator) AddImplicit(pid int64, epoch int16, tp TopicPartition) error {
	c.mu.Lock()
	t := c.byPID[pid]
	c.mu.Unlock()
	if t == nil {
		return kerr.InvalidProducerIDMapping
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.removed || t.pid != pid:
		return kerr.InvalidProducerIDMapping
	case epoch != t.epoch:
		return kerr.InvalidProducerEpoch
	}
	return c.joinLocked(t, []TopicPartition{tp}, true)
}
