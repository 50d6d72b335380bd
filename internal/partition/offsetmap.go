package partition

import (
	"fmt"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// offsetMap is the cleaner's key -> latest offset map over the dirty part
// of the log, Kafka's SkimpyOffsetMap. Kafka stores 16-byte MD5 digests of
// the keys in a fixed buffer; a Go map of the keys themselves costs more
// per entry but cannot mistake one key for another, which on a shared
// topic would let one client's key delete another's record.
type offsetMap struct {
	keys  map[string]int64
	bytes int   // estimated memory held
	end   int64 // the map covers the dirty records below end
}

// maxOffsetMapBytes bounds one cleaning's map, as Kafka's
// log.cleaner.dedupe.buffer.size (128 MiB for all cleaner threads) does.
// A log with more distinct dirty keys is cleaned in several passes. A
// variable so that tests can make it small.
var maxOffsetMapBytes = 64 << 20

// mapEntryOverhead estimates a Go map entry's cost beyond its key bytes.
const mapEntryOverhead = 64

func (m *offsetMap) put(key []byte, offset int64) {
	if _, ok := m.keys[string(key)]; !ok {
		m.bytes += len(key) + mapEntryOverhead
	}
	m.keys[string(key)] = offset
}

// latest returns the offset of key's newest record in the map.
func (m *offsetMap) latest(key []byte) (int64, bool) {
	off, ok := m.keys[string(key)]
	return off, ok
}

// buildOffsetMap maps the keys of the records in [from, to), skipping
// aborted transactions and control batches, and stops early (at a batch
// boundary, keeping at least one batch) when the map is full.
func (p *Partition) buildOffsetMap(from, to int64, aborted []abortedEntry, stop func() bool) (*offsetMap, error) {
	m := &offsetMap{keys: make(map[string]int64), end: from}
	txns := newTxnTracker(aborted, from, to)
	var buf []byte
	for off := from; off < to; {
		if stop() {
			return nil, commitlog.ErrCleanAborted
		}
		c, err := p.log.Read(off, replayChunk, to)
		if err != nil {
			return nil, fmt.Errorf("partition: building the offset map at %d: %w", off, err)
		}
		buf, err = c.AppendTo(buf[:0])
		c.Release()
		if err != nil {
			return nil, fmt.Errorf("partition: building the offset map at %d: %w", off, err)
		}
		next, full, err := m.addBatches(buf, off, txns)
		if err != nil {
			return nil, err
		}
		if next <= off {
			return nil, fmt.Errorf("partition: building the offset map: no batch at %d", off)
		}
		m.end, off = next, next
		if full {
			return m, nil
		}
	}
	m.end = max(m.end, to)
	return m, nil
}

// addBatches maps the whole batches in buf that end at or after from and
// returns the offset after the last one it took, and whether the map is
// full.
func (m *offsetMap) addBatches(buf []byte, from int64, txns *txnTracker) (int64, bool, error) {
	next := from
	for len(buf) >= batch.HeaderSize {
		h, _ := batch.ParseHeader(buf)
		if h.Size() > len(buf) || h.Size() < batch.HeaderSize {
			break
		}
		b := buf[:h.Size()]
		buf = buf[h.Size():]
		if h.LastOffset() < from {
			continue
		}
		if err := m.addBatch(h, b, from, txns); err != nil {
			return next, false, err
		}
		next = h.LastOffset() + 1
		if m.bytes >= maxOffsetMapBytes {
			return next, true, nil
		}
	}
	return next, false, nil
}

func (m *offsetMap) addBatch(h batch.Header, b []byte, from int64, txns *txnTracker) error {
	if h.IsControl() {
		kind, _ := controlKindOf(h, b)
		txns.onMarker(h, kind)
		return nil
	}
	if txns.onData(h) {
		return nil
	}
	payload, err := recordsOf(h, b)
	if err != nil {
		return fmt.Errorf("partition: building the offset map, batch at %d: %w", h.BaseOffset, err)
	}
	return batch.Records(h, payload, func(r batch.Record) error {
		if off := h.BaseOffset + int64(r.OffsetDelta); r.Key != nil && off >= from {
			m.put(r.Key, off)
		}
		return nil
	})
}

// recordsOf returns the uncompressed records of the batch b.
func recordsOf(h batch.Header, b []byte) ([]byte, error) {
	if h.Codec() == batch.None {
		return b[batch.HeaderSize:], nil
	}
	return batch.Decompress(h.Codec(), b[batch.HeaderSize:], batch.MaxUncompressed)
}
