package partition

import (
	"errors"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// Batches the cleaner writes. Like Kafka's MemoryRecords.filterTo, a
// cleaned batch keeps its base offset, last offset delta, producer id,
// epoch, base sequence and attributes (codec included: compressed records
// are recompressed with the same codec); only the records, the record
// count, the max timestamp and the CRC change, plus the delete horizon.

// Attribute bits of a v2 batch (internal/batch documents the layout).
const (
	attrLogAppendTime = 0x08
	attrTransactional = 0x10
	attrControl       = 0x20
	// attrDeleteHorizon (KIP-534): the batch's base timestamp is the time
	// after which the cleaner may remove its tombstones, or the marker it
	// holds; the records' timestamp deltas are relative to it.
	attrDeleteHorizon = 0x40
)

// deleteHorizon returns the batch's delete horizon, if it has one.
func deleteHorizon(h batch.Header) (int64, bool) {
	if h.Attributes&attrDeleteHorizon == 0 {
		return 0, false
	}
	return h.BaseTimestamp, true
}

// rebuildBatch appends to dst a batch like the one of header h holding
// only recs (which alias its records), with the delete horizon horizon
// (-1: none). Record timestamps stay what they were.
func rebuildBatch(dst []byte, h batch.Header, recs []batch.Record, horizon int64) ([]byte, error) {
	nh := h
	nh.Attributes &^= attrDeleteHorizon
	if horizon >= 0 {
		nh.Attributes |= attrDeleteHorizon
		nh.BaseTimestamp = horizon
	}
	nh.NumRecords = int32(len(recs))
	maxTs := int64(batch.NoTimestamp)
	var raw []byte
	for _, r := range recs {
		ts := h.BaseTimestamp + r.TimestampDelta
		maxTs = max(maxTs, ts)
		r.TimestampDelta = ts - nh.BaseTimestamp
		raw = batch.AppendRecord(raw, r)
	}
	if !h.LogAppendTime() {
		nh.MaxTimestamp = maxTs
	}
	b, err := batch.Seal(nh, raw)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendEmptyBatch appends to dst the header-only batch Kafka keeps in
// place of a batch whose records all went but whose offsets and producer
// fields must stay (DefaultRecordBatch.writeEmptyHeader): no records, no
// compression, no delete horizon, both timestamps the original max
// timestamp.
func appendEmptyBatch(dst []byte, h batch.Header) ([]byte, error) {
	nh := batch.Header{
		BaseOffset:           h.BaseOffset,
		PartitionLeaderEpoch: h.PartitionLeaderEpoch,
		Magic:                2,
		Attributes:           h.Attributes & (attrLogAppendTime | attrTransactional | attrControl),
		LastOffsetDelta:      h.LastOffsetDelta,
		BaseTimestamp:        h.MaxTimestamp,
		MaxTimestamp:         h.MaxTimestamp,
		ProducerID:           h.ProducerID,
		ProducerEpoch:        h.ProducerEpoch,
		BaseSequence:         h.BaseSequence,
	}
	b, err := batch.Seal(nh, nil)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// controlKindOf reads what the control batch b of header h holds.
func controlKindOf(h batch.Header, b []byte) (controlKind, error) {
	m, err := parseMarker(h, b)
	switch {
	case errors.Is(err, errNoRecord):
		return controlEmpty, nil
	case err != nil:
		return controlUnknown, err
	case m.Commit:
		return controlCommit, nil
	}
	return controlAbort, nil
}
