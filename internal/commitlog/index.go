package commitlog

import (
	"encoding/binary"
	"fmt"
	"os"
	"sort"
)

const offsetEntrySize = 8 // relativeOffset uint32, position uint32

// offsetIndex is a segment's sparse offset index. Each entry maps the last
// offset of a batch to the batch's byte position in the .log file, as Kafka's
// .index does. Lookups never trust an entry to be exact: they return a
// position at or before the wanted batch, and the caller scans batch headers
// from there.
//
// The entries live in buf and are mirrored to f, which is read only when the
// segment's indexes are loaded. Keeping them in memory (rather than reading
// the file per lookup, or mmapping it as Kafka does) costs 8 bytes per
// IndexIntervalBytes of loaded segment and makes a lookup a binary search
// with no system call. buf is guarded by the owning segment's idxMu.
type offsetIndex struct {
	f    *os.File
	base int64
	buf  []byte
}

func (x *offsetIndex) entries() int { return len(x.buf) / offsetEntrySize }

func (x *offsetIndex) at(i int) (offset, pos int64) {
	e := x.buf[i*offsetEntrySize:]
	return x.base + int64(binary.BigEndian.Uint32(e)), int64(binary.BigEndian.Uint32(e[4:]))
}

// search returns the last entry whose offset is <= offset, or -1. The batch
// holding offset is at or after that entry's batch.
func (x *offsetIndex) search(offset int64) int {
	return sort.Search(x.entries(), func(i int) bool {
		o, _ := x.at(i)
		return o > offset
	}) - 1
}

// searchPosition returns the last entry whose position is <= pos, or -1.
func (x *offsetIndex) searchPosition(pos int64) int {
	return sort.Search(x.entries(), func(i int) bool {
		_, p := x.at(i)
		return p > pos
	}) - 1
}

// append adds an entry for the batch at pos whose last offset is offset.
func (x *offsetIndex) append(offset, pos int64) error {
	n := len(x.buf)
	buf := appendOffsetEntry(x.buf, x.base, offset, pos)
	if _, err := x.f.WriteAt(buf[n:], int64(n)); err != nil {
		return fmt.Errorf("commitlog: write %s: %w", x.f.Name(), err)
	}
	x.buf = buf
	return nil
}

// check returns why the entries cannot describe a segment of size bytes
// holding offsets below next, or "".
func (x *offsetIndex) check(size, next int64) string {
	if len(x.buf)%offsetEntrySize != 0 {
		return fmt.Sprintf("offset index is %d bytes, not a multiple of %d", len(x.buf), offsetEntrySize)
	}
	prevOff, prevPos := x.base-1, int64(-1)
	for i := range x.entries() {
		off, pos := x.at(i)
		if off <= prevOff || pos <= prevPos || off >= next || pos >= size {
			return fmt.Sprintf("offset index entry %d (offset %d, position %d) out of order or past the log", i, off, pos)
		}
		prevOff, prevPos = off, pos
	}
	return ""
}

func appendOffsetEntry(buf []byte, base, offset, pos int64) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(offset-base))
	return binary.BigEndian.AppendUint32(buf, uint32(pos))
}

// indexer decides which batches get index entries. Append and the rebuild
// after a crash share it, so a rebuilt index is the one Append would have
// written. The rule is Kafka's LogSegment.append: a batch is indexed once more
// than interval bytes were appended since the previous entry, and the time
// index then records the largest timestamp so far if it grew.
type indexer struct {
	interval    int
	sinceLast   int64 // bytes appended since the last offset index entry
	maxTs       int64 // largest batch maxTimestamp so far, -1 if none
	maxTsOffset int64 // last offset of the batch that first had maxTs
}

func newIndexer(interval int) indexer {
	return indexer{interval: interval, maxTs: -1, maxTsOffset: -1}
}

// observe accounts for the next batch and reports whether it gets index entries.
func (ix *indexer) observe(h batchHeader) bool {
	if h.maxTimestamp > ix.maxTs {
		ix.maxTs, ix.maxTsOffset = h.maxTimestamp, h.lastOffset()
	}
	index := ix.sinceLast > int64(ix.interval)
	if index {
		ix.sinceLast = 0
	}
	ix.sinceLast += h.size()
	return index
}

// rewriteFile replaces f's contents with buf in place. Callers use it only
// where a crash midway is harmless: during recovery, whose checkpoint says the
// segment must be scanned again until recovery completes.
func rewriteFile(f *os.File, buf []byte) error {
	if _, err := f.WriteAt(buf, 0); err != nil {
		return fmt.Errorf("commitlog: write %s: %w", f.Name(), err)
	}
	if err := f.Truncate(int64(len(buf))); err != nil {
		return fmt.Errorf("commitlog: truncate %s: %w", f.Name(), err)
	}
	return nil
}
