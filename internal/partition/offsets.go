package partition

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// Special ListOffsets timestamps (Kafka's ListOffsetsRequest constants).
const (
	Latest       int64 = -1
	Earliest     int64 = -2
	MaxTimestamp int64 = -3
)

// ListOffset answers ListOffsets for one timestamp: the offset and the
// timestamp found (-1, -1 when there is none). As in Kafka's
// Partition.fetchOffsetForTimestamp, iso sets the last fetchable offset,
// the high watermark or for ReadCommitted the last stable offset: latest
// answers it, and a lookup by timestamp (MaxTimestamp included) finding a
// record at or past it answers none. Earliest ignores it.
func (p *Partition) ListOffset(ts int64, iso Isolation) (offset, timestamp int64, err error) {
	fetchable := p.HighWatermark()
	if iso == ReadCommitted {
		fetchable = p.LastStableOffset()
	}
	switch ts {
	case Latest:
		return fetchable, -1, nil
	case Earliest:
		return p.LogStartOffset(), -1, nil
	case MaxTimestamp:
		maxTs, at := p.log.MaxTimestamp()
		if at < 0 || at >= fetchable {
			return -1, -1, nil
		}
		return p.findRecord(at, func(ts int64) bool { return ts == maxTs })
	}
	if ts < 0 {
		return -1, -1, kerr.UnsupportedVersion
	}
	at, _, ok, err := p.log.OffsetForTimestamp(ts)
	if err != nil {
		p.lg.Error("time index lookup failed", "err", err)
		return -1, -1, kerr.KafkaStorageError
	}
	if !ok || at >= fetchable {
		return -1, -1, nil
	}
	return p.findRecord(at, func(t int64) bool { return t >= ts })
}

// errFound stops a record walk early.
var errFound = errors.New("found")

// findRecord walks the batch containing offset for the first record whose
// timestamp matches, as Kafka answers ListOffsets with a record's offset
// and timestamp rather than its batch's.
func (p *Partition) findRecord(offset int64, match func(ts int64) bool) (int64, int64, error) {
	chunk, err := p.log.Read(offset, 1, p.HighWatermark())
	if err != nil {
		return -1, -1, kerr.KafkaStorageError
	}
	raw, err := chunk.AppendTo(nil)
	chunk.Release()
	if err != nil {
		return -1, -1, kerr.KafkaStorageError
	}
	h, err := batch.ParseHeader(raw)
	if err != nil || h.Size() > len(raw) {
		return -1, -1, kerr.KafkaStorageError
	}
	payload := raw[batch.HeaderSize:h.Size()]
	if h.Codec() != batch.None {
		if payload, err = batch.Decompress(h.Codec(), payload, batch.MaxUncompressed); err != nil {
			return -1, -1, kerr.KafkaStorageError
		}
	}
	foundOffset, foundTs := int64(-1), int64(-1)
	err = batch.Records(h, payload, func(r batch.Record) error {
		ts := h.BaseTimestamp + r.TimestampDelta
		if h.LogAppendTime() {
			ts = h.MaxTimestamp
		}
		if match(ts) {
			foundOffset, foundTs = h.BaseOffset+int64(r.OffsetDelta), ts
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return -1, -1, kerr.KafkaStorageError
	}
	return foundOffset, foundTs, nil
}
