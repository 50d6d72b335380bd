package txn

import (
	"math"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// InitProducerID gives the transactional id's producer a producer id and a
// new epoch, fencing every earlier producer of the id (Kafka's
// handleInitProducerId):
//   - the id must not be empty (INVALID_REQUEST) and the timeout must be
//     within (0, transaction.max.timeout.ms] (INVALID_TRANSACTION_TIMEOUT);
//   - a new id gets a new producer id with epoch 0;
//   - an ongoing transaction of the previous producer is aborted first,
//     with the epoch bumped so that producer is fenced; one whose end was
//     decided is completed first;
//   - pid and epoch (KIP-360, -1 when absent) must name the current
//     producer, or be a retry of the previous call (the epoch before the
//     last bump), else PRODUCER_FENCED;
//   - the epoch is bumped, or a new producer id is taken when the epoch
//     would overflow.
func (c *Coordinator) InitProducerID(id string, timeout time.Duration, pid int64, epoch int16) (int64, int16, error) {
	switch {
	case id == "":
		return -1, -1, kerr.InvalidRequest
	case timeout <= 0 || timeout > c.opts.MaxTimeout:
		return -1, -1, kerr.InvalidTransactionTimeout
	}
	t := c.lookupOrCreate(id)
	defer t.mu.Unlock()
	if t.pid < 0 {
		newPID, err := c.opts.NewProducerID()
		if err != nil {
			c.removeLocked(t)
			return -1, -1, err
		}
		c.setPIDLocked(t, newPID)
	}
	if err := c.endPreviousLocked(t); err != nil {
		return -1, -1, err
	}
	if pid >= 0 {
		switch {
		case pid == t.pid && epoch == t.lastEpoch && t.timedOut:
			// KIP-588: the producer whose transaction timed out claims
			// the epoch the abort bumped; it gets the next one.
		case pid == t.pid && epoch == t.lastEpoch && t.state == Empty:
			return t.pid, t.epoch, nil // a retry of the call that bumped the epoch
		case pid != t.pid || epoch != t.epoch:
			return -1, -1, errFenced
		}
	}
	t.timedOut = false
	prev := t.snapshotLocked()
	if err := c.bumpEpochLocked(t); err != nil {
		return -1, -1, err
	}
	t.state, t.timeout, t.start, t.lastUpdate = Empty, timeout, -1, c.nowMs()
	clear(t.partitions)
	if err := c.saveLocked(t, prev); err != nil {
		if prev.ProducerID < 0 {
			c.removeLocked(t)
		}
		return -1, -1, err
	}
	c.lg.Info("transactional producer initialized", "transactional_id", id, "producer_id", t.pid, "epoch", t.epoch)
	return t.pid, t.epoch, nil
}

// endPreviousLocked brings t to a state where a new producer can start:
// an ongoing transaction is aborted with a bumped epoch (fencing its
// producer), a decided one completed.
func (c *Coordinator) endPreviousLocked(t *txn) error {
	switch {
	case t.state == Ongoing:
		c.lg.Info("fencing the producer of an ongoing transaction", "transactional_id", t.id, "producer_id", t.pid, "epoch", t.epoch)
		return c.abortWithBumpLocked(t, false)
	case t.state.completing():
		return c.completeLocked(t)
	}
	return nil
}

// bumpEpochLocked advances t's epoch, moving to a new producer id when the
// epoch would reach the largest value (Kafka keeps MaxInt16 for fencing).
func (c *Coordinator) bumpEpochLocked(t *txn) error {
	if t.epoch >= math.MaxInt16-1 {
		newPID, err := c.opts.NewProducerID()
		if err != nil {
			return err
		}
		c.setPIDLocked(t, newPID)
		t.lastEpoch, t.epoch = -1, 0
		return nil
	}
	t.lastEpoch = t.epoch
	t.epoch++
	return nil
}
