package txn

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// AddPartitions adds partitions to the producer's transaction, starting it
// if none is ongoing (AddPartitionsToTxn v0-3, and AddOffsetsToTxn with the
// group's offsets partition). It returns one error per partition, nil for
// success (Kafka's rules):
//   - an unknown transactional id or another producer id:
//     INVALID_PRODUCER_ID_MAPPING; another epoch: PRODUCER_FENCED;
//   - a transaction whose end is being written: CONCURRENT_TRANSACTIONS;
//   - an unknown partition: UNKNOWN_TOPIC_OR_PARTITION, and
//     OPERATION_NOT_ATTEMPTED for the others, which are not added.
func (c *Coordinator) AddPartitions(id string, pid int64, epoch int16, parts []TopicPartition) []error {
	errs := make([]error, len(parts))
	fill := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	if exists := c.opts.PartitionExists; exists != nil {
		unknown := false
		for i, tp := range parts {
			if !exists(tp) {
				errs[i], unknown = kerr.UnknownTopicOrPartition, true
			}
		}
		if unknown {
			for i := range errs {
				if errs[i] == nil {
					errs[i] = kerr.OperationNotAttempted
				}
			}
			return errs
		}
	}
	t := c.lookup(id)
	if t == nil {
		return fill(kerr.InvalidProducerIDMapping)
	}
	defer t.mu.Unlock()
	if err := c.addLocked(t, pid, epoch, parts); err != nil {
		return fill(err)
	}
	return errs
}

func (c *Coordinator) addLocked(t *txn, pid int64, epoch int16, parts []TopicPartition) error {
	if err := checkProducerLocked(t, pid, epoch); err != nil {
		return err
	}
	return c.joinLocked(t, parts, false)
}

// joinLocked adds parts to t's transaction, starting one if none is
// ongoing (which also ends the window for retrying the previous EndTxn);
// v2 records that the producer uses transaction protocol v2.
func (c *Coordinator) joinLocked(t *txn, parts []TopicPartition, v2 bool) error {
	if t.state.completing() {
		if err := c.completeLocked(t); err != nil {
			return kerr.ConcurrentTransactions
		}
	}
	if t.state == Dead {
		return kerr.InvalidProducerIDMapping
	}
	if t.state == Ongoing && t.hasAllLocked(parts) {
		return nil
	}
	prev := t.snapshotLocked()
	now := c.nowMs()
	if t.state != Ongoing {
		t.state, t.start, t.lastEpoch = Ongoing, now, -1
		clear(t.partitions)
	}
	for _, tp := range parts {
		t.partitions[tp] = struct{}{}
	}
	t.lastUpdate = now
	t.v2 = t.v2 || v2
	return c.saveLocked(t, prev)
}

func (t *txn) hasAllLocked(parts []TopicPartition) bool {
	for _, tp := range parts {
		if _, ok := t.partitions[tp]; !ok {
			return false
		}
	}
	return true
}

// Verify checks, before a transactional batch of producer pid and epoch is
// appended to tp, that the producer's ongoing transaction includes tp
// (KIP-890 part 1, server-side verification): otherwise
// INVALID_TXN_STATE, or INVALID_PRODUCER_EPOCH for an older epoch. It keeps
// a batch that a fenced or confused producer sends after its transaction
// ended from opening a transaction nobody will ever end.
func (c *Coordinator) Verify(pid int64, epoch int16, tp TopicPartition) error {
	c.mu.Lock()
	t := c.byPID[pid]
	c.mu.Unlock()
	if t == nil {
		return kerr.InvalidTxnState
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.pid != pid || t.removed:
		return kerr.InvalidTxnState
	case epoch < t.epoch:
		return kerr.InvalidProducerEpoch
	case epoch > t.epoch || t.state != Ongoing:
		return kerr.InvalidTxnState
	}
	if _, ok := t.partitions[tp]; !ok {
		return kerr.InvalidTxnState
	}
	return nil
}
