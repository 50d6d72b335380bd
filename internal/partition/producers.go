package partition

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// This file is the partition's idempotent producer state, Kafka's
// ProducerStateManager: for each producer id, its epoch and the sequence
// ranges and offsets of its last batches, so that a batch the producer
// retries is answered with the offset it got the first time instead of
// being appended again, and a batch that skips sequences is refused.

// batchesPerProducer is how many batches per producer are remembered for
// duplicate detection. Kafka's producers keep at most five requests in
// flight per partition so that a retry is always among the last five.
const batchesPerProducer = 5

// defaultProducerIDExpirationMs is Kafka's producer.id.expiration.ms.
const defaultProducerIDExpirationMs = 24 * 60 * 60 * 1000

// noSequence is Kafka's RecordBatch.NO_SEQUENCE.
const noSequence int32 = -1

// batchMeta is what is remembered of one appended batch.
type batchMeta struct {
	FirstSeq, LastSeq       int32
	FirstOffset, LastOffset int64
	Timestamp               int64 // the batch's max timestamp as stored
}

// producerEntry is one producer's state in the partition.
type producerEntry struct {
	Epoch   int16
	Batches []batchMeta // oldest first, at most batchesPerProducer
	// LastTimestamp is the max timestamp of its last batch (or the time of
	// its last transaction marker), for producer.id.expiration.ms (Kafka
	// expires by it too).
	LastTimestamp int64
	// CoordinatorEpoch is that of the last transaction marker, -1 before
	// any: a marker from an older coordinator is fenced.
	CoordinatorEpoch int32
	// TxnFirstOffset is the first offset of the producer's ongoing
	// transaction in this partition, -1 when none.
	TxnFirstOffset int64
}

func newProducerEntry(epoch int16) *producerEntry {
	return &producerEntry{Epoch: epoch, CoordinatorEpoch: -1, TxnFirstOffset: -1}
}

// inTxn reports whether the producer has an ongoing transaction here.
func (e *producerEntry) inTxn() bool { return e.TxnFirstOffset >= 0 }

// setEpoch moves the entry to epoch; the batches of an older epoch can no
// longer be retried, so they are forgotten (Kafka's
// maybeUpdateProducerEpoch).
func (e *producerEntry) setEpoch(epoch int16) {
	if epoch != e.Epoch {
		e.Epoch, e.Batches = epoch, e.Batches[:0]
	}
}

func (e *producerEntry) lastSeq() int32 {
	if len(e.Batches) == 0 {
		return noSequence
	}
	return e.Batches[len(e.Batches)-1].LastSeq
}

func (e *producerEntry) lastOffset() int64 {
	if len(e.Batches) == 0 {
		return -1
	}
	return e.Batches[len(e.Batches)-1].LastOffset
}

// duplicateOf returns the remembered batch h repeats, if any: the same
// epoch and exactly the same sequence range.
func (e *producerEntry) duplicateOf(h batch.Header) (batchMeta, bool) {
	if h.ProducerEpoch != e.Epoch {
		return batchMeta{}, false
	}
	last := lastSequence(h)
	for _, b := range e.Batches {
		if b.FirstSeq == h.BaseSequence && b.LastSeq == last {
			return b, true
		}
	}
	return batchMeta{}, false
}

// producers maps producer ids to their state. The partition's appendMu
// guards it.
type producers map[int64]*producerEntry

// check decides what to do with the idempotent batch h, as Kafka's
// ProducerAppendInfo does: a batch repeating one of the last five is a
// duplicate (dup is its original); an older epoch is
// INVALID_PRODUCER_EPOCH; in the producer's epoch the batch must continue
// the sequence; a new epoch must start at sequence 0 unless the producer
// is unknown. A producer this partition does not know (new, or its state
// expired or was truncated away) may start at any sequence, as Kafka 4
// allows since KIP-360. Last, as in Kafka, a non-transactional batch from a
// producer with an ongoing transaction is INVALID_TXN_STATE, whatever its
// epoch.
func (ps producers) check(h batch.Header) (dup batchMeta, isDup bool, err error) {
	e := ps[h.ProducerID]
	if e == nil {
		return batchMeta{}, false, nil
	}
	if d, ok := e.duplicateOf(h); ok {
		return d, true, nil
	}
	switch {
	case h.ProducerEpoch < e.Epoch:
		return batchMeta{}, false, fmt.Errorf("partition: producer %d epoch %d is older than the current epoch %d: %w",
			h.ProducerID, h.ProducerEpoch, e.Epoch, kerr.InvalidProducerEpoch)
	case h.ProducerEpoch > e.Epoch:
		if h.BaseSequence != 0 {
			return batchMeta{}, false, fmt.Errorf("partition: producer %d new epoch %d starts at sequence %d, want 0: %w",
				h.ProducerID, h.ProducerEpoch, h.BaseSequence, kerr.OutOfOrderSequenceNumber)
		}
	case !inSequence(e.lastSeq(), h.BaseSequence):
		return batchMeta{}, false, fmt.Errorf("partition: producer %d epoch %d sequence %d does not follow %d: %w",
			h.ProducerID, h.ProducerEpoch, h.BaseSequence, e.lastSeq(), kerr.OutOfOrderSequenceNumber)
	}
	if e.inTxn() && !h.IsTransactional() {
		return batchMeta{}, false, fmt.Errorf("partition: expected a transactional write from producer %d, whose transaction started at offset %d: %w",
			h.ProducerID, e.TxnFirstOffset, kerr.InvalidTxnState)
	}
	return batchMeta{}, false, nil
}

// update records the appended idempotent batch h at baseOffset and
// reports whether it began a transaction: a transactional batch from a
// producer without an ongoing one.
func (ps producers) update(h batch.Header, baseOffset int64) (began bool) {
	e := ps[h.ProducerID]
	if e == nil {
		e = newProducerEntry(h.ProducerEpoch)
		ps[h.ProducerID] = e
	}
	e.setEpoch(h.ProducerEpoch)
	if len(e.Batches) == batchesPerProducer {
		e.Batches = append(e.Batches[:0], e.Batches[1:]...)
	}
	e.Batches = append(e.Batches, batchMeta{
		FirstSeq:    h.BaseSequence,
		LastSeq:     lastSequence(h),
		FirstOffset: baseOffset,
		LastOffset:  baseOffset + int64(h.LastOffsetDelta),
		Timestamp:   h.MaxTimestamp,
	})
	e.LastTimestamp = h.MaxTimestamp
	if h.IsTransactional() && !e.inTxn() {
		e.TxnFirstOffset = baseOffset
		return true
	}
	return false
}

// expire removes producers whose last write is older than maxAge before
// nowMs, and producers whose batches all lie below logStart (retention or
// DeleteRecords removed them). A producer with an ongoing transaction is
// kept whatever its age, as in Kafka: its state is what its marker will
// end. One whose entry holds no batch (only markers since its last epoch
// bump) expires by age alone, so that it stays fenced meanwhile.
func (ps producers) expire(nowMs, maxAgeMs, logStart int64) int {
	n := 0
	for id, e := range ps {
		if e.inTxn() {
			continue
		}
		if nowMs-e.LastTimestamp >= maxAgeMs || len(e.Batches) > 0 && e.lastOffset() < logStart {
			delete(ps, id)
			n++
		}
	}
	return n
}

// sortedIDs is the producer ids in increasing order, for stable output.
func (ps producers) sortedIDs() []int64 {
	return slices.Sorted(maps.Keys(ps))
}

// lastSequence is the sequence of the batch's last record; sequences wrap
// from MaxInt32 to 0 (DefaultRecordBatch.incrementSequence).
func lastSequence(h batch.Header) int32 {
	return addSequence(h.BaseSequence, h.LastOffsetDelta)
}

func addSequence(seq, delta int32) int32 {
	if seq > math.MaxInt32-delta {
		return delta - (math.MaxInt32 - seq) - 1
	}
	return seq + delta
}

// inSequence reports whether next follows last.
func inSequence(last, next int32) bool {
	return int64(next) == int64(last)+1 || (next == 0 && last == math.MaxInt32)
}

// ProducerState describes one producer in a partition, for
// DescribeProducers.
type ProducerState struct {
	ProducerID       int64
	Epoch            int16
	LastSequence     int32
	LastTimestamp    int64
	CoordinatorEpoch int32 // of the last transaction marker, -1 before any
	// CurrentTxnStartOffset is the first offset of the producer's ongoing
	// transaction, -1 when none.
	CurrentTxnStartOffset int64
}

// Producers returns the idempotent producers the partition knows, by id.
func (p *Partition) Producers() []ProducerState {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	out := make([]ProducerState, 0, len(p.producers))
	for _, id := range p.producers.sortedIDs() {
		e := p.producers[id]
		out = append(out, ProducerState{
			ProducerID: id, Epoch: e.Epoch, LastSequence: e.lastSeq(), LastTimestamp: e.LastTimestamp,
			CoordinatorEpoch: e.CoordinatorEpoch, CurrentTxnStartOffset: e.TxnFirstOffset,
		})
	}
	return out
}
