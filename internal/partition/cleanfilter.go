package partition

import (
	"fmt"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// cleanFilter is the commitlog.CleanFilter of one cleaning pass: it
// decides, batch by batch in offset order from the log start, what the
// cleaned log keeps. Its rules are Kafka's (Cleaner.cleanInto,
// MemoryRecords.filterTo):
//
//   - A data record stays if it is the latest of its key in the offset
//     map (or past the map), unless it is a tombstone whose batch's delete
//     horizon has passed. Records without a key go.
//   - Batches of aborted transactions go. A marker stays while any data of
//     its transaction is in the log; after that it gets a delete horizon
//     and goes once the horizon has passed.
//   - A tombstone or data-less marker kept without a delete horizon gets
//     one: now + delete.retention.ms.
//   - The batch holding a live producer's last sequence (or, for one with
//     no data left, its last marker) stays, as an empty batch if need be,
//     so that its sequence and epoch survive a restart; so does the last
//     batch of each group of segments (keep).
type cleanFilter struct {
	now               int64
	deleteRetentionMs int64
	keys              *offsetMap
	txns              *txnTracker
	producers         map[int64]producerLast

	// droppedAborts are the abort markers removed from the group being
	// cleaned: their aborted transaction index entries must go too.
	droppedAborts []int64
	// nextHorizon is the earliest delete horizon still ahead, -1 if none.
	nextHorizon int64
	stats       CleanStats
}

// producerLast is where a live producer's state lives in the log.
type producerLast struct {
	lastData int64 // last offset of its last data batch, -1 if none
	epoch    int16
}

// batchFate is what the batch-level rules decided (Kafka's BatchRetention).
type batchFate struct {
	keepEmpty   bool // keep the batch even with no records left
	dropRecords bool // drop every record (aborted data, an expired marker)
	// markerDone: a marker whose transaction has no data left, which
	// gets a delete horizon if it has none.
	markerDone bool
}

func (f *cleanFilter) filter(dst, b []byte, keep bool) ([]byte, error) {
	h, err := batch.ParseHeader(b)
	if err != nil {
		return dst, err
	}
	fate, kind := f.fate(h, b, keep)
	kept, tombstones, err := f.keptRecords(h, b, fate)
	if err != nil {
		return dst, fmt.Errorf("partition: cleaning the batch at %d: %w", h.BaseOffset, err)
	}
	if fate.dropRecords && kind == controlAbort {
		f.droppedAborts = append(f.droppedAborts, h.BaseOffset)
	}
	return f.write(dst, b, h, kept, fate, tombstones)
}

// keptRecords returns the records of the batch b that stay, and whether
// any of them is a tombstone.
func (f *cleanFilter) keptRecords(h batch.Header, b []byte, fate batchFate) ([]batch.Record, bool, error) {
	payload, err := recordsOf(h, b)
	if err != nil {
		return nil, false, err
	}
	var kept []batch.Record
	tombstones := false
	err = batch.Records(h, payload, func(r batch.Record) error {
		f.stats.RecordsRead++
		if f.keepRecord(h, r, fate) {
			r.Headers = append([]batch.RecordHeader(nil), r.Headers...) // Records reuses them
			kept = append(kept, r)
			tombstones = tombstones || r.Value == nil && !h.IsControl()
		}
		return nil
	})
	f.stats.RecordsKept += len(kept)
	return kept, tombstones, err
}

// fate applies the batch-level rules to the batch b of header h.
func (f *cleanFilter) fate(h batch.Header, b []byte, keep bool) (batchFate, controlKind) {
	fate := batchFate{keepEmpty: keep || f.holdsProducerState(h)}
	if !h.IsControl() {
		fate.dropRecords = f.txns.onData(h)
		return fate, controlUnknown
	}
	kind, _ := controlKindOf(h, b)
	done := f.txns.onMarker(h, kind)
	horizon, ok := deleteHorizon(h)
	fate.dropRecords = done && ok && horizon <= f.now
	fate.markerDone = done
	return fate, kind
}

// holdsProducerState reports whether h is where a live producer's last
// sequence or epoch is kept.
func (f *cleanFilter) holdsProducerState(h batch.Header) bool {
	p, ok := f.producers[h.ProducerID]
	switch {
	case !ok || h.ProducerID < 0:
		return false
	case p.lastData >= 0:
		return h.LastOffset() == p.lastData
	}
	return h.IsControl() && h.ProducerEpoch == p.epoch
}

func (f *cleanFilter) keepRecord(h batch.Header, r batch.Record, fate batchFate) bool {
	switch {
	case fate.dropRecords:
		return false
	case h.IsControl():
		return true
	}
	off := h.BaseOffset + int64(r.OffsetDelta)
	if off >= f.keys.end {
		return true
	}
	if r.Key == nil {
		return false // invalid on a compacted topic; Kafka drops it too
	}
	if latest, ok := f.keys.latest(r.Key); ok && off < latest {
		return false
	}
	if r.Value == nil {
		horizon, ok := deleteHorizon(h)
		return !ok || f.now < horizon
	}
	return true
}

// write appends the batch's replacement: itself if nothing changed, a
// rebuilt batch, an empty one, or nothing. Tombstones and markers of
// finished transactions start their delete.retention.ms countdown the
// first time the cleaner keeps them.
func (f *cleanFilter) write(dst, b []byte, h batch.Header, kept []batch.Record, fate batchFate, tombstones bool) ([]byte, error) {
	if len(kept) == 0 {
		if fate.keepEmpty {
			return appendEmptyBatch(dst, h)
		}
		return dst, nil
	}
	horizon, has := deleteHorizon(h)
	expiring := tombstones || fate.markerDone
	stamp := expiring && !has
	if stamp {
		horizon, has = f.now+f.deleteRetentionMs, true
	}
	if expiring && horizon >= f.now && (f.nextHorizon < 0 || horizon < f.nextHorizon) {
		f.nextHorizon = horizon
	}
	if len(kept) == int(h.NumRecords) && !stamp {
		return append(dst, b...), nil
	}
	if !has {
		horizon = -1
	}
	return rebuildBatch(dst, h, kept, horizon)
}
