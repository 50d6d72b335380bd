package commitlog

import (
	"encoding/binary"
	"fmt"
	"os"
	"sort"
)

const timeEntrySize = 12 // timestamp int64, relativeOffset uint32

// timeIndex is a segment's sparse time index, Kafka's .timeindex: each entry
// says "the largest batch max timestamp up to here is ts, first reached by the
// batch whose last offset is offset". Timestamps strictly increase from entry
// to entry. When the segment stops being active its final entry records the
// segment's largest timestamp, so a reopened segment knows it without a scan.
// Like offsetIndex, entries live in buf (guarded by the segment's idxMu) and
// are mirrored to f.
type timeIndex struct {
	f    *os.File
	base int64
	buf  []byte
}

func (x *timeIndex) entries() int { return len(x.buf) / timeEntrySize }

func (x *timeIndex) at(i int) (ts, offset int64) {
	e := x.buf[i*timeEntrySize:]
	return int64(binary.BigEndian.Uint64(e)), x.base + int64(binary.BigEndian.Uint32(e[8:]))
}

// last returns the final entry, or -1, -1.
func (x *timeIndex) last() (ts, offset int64) {
	if x.entries() == 0 {
		return -1, -1
	}
	return x.at(x.entries() - 1)
}

// lookup returns the offset of the last entry whose timestamp is below ts.
// Every batch up to and including that offset has a max timestamp below ts,
// so a search for the first batch reaching ts can start there.
func (x *timeIndex) lookup(ts int64) (offset int64, ok bool) {
	i := sort.Search(x.entries(), func(i int) bool {
		t, _ := x.at(i)
		return t >= ts
	})
	if i == 0 {
		return 0, false
	}
	_, offset = x.at(i - 1)
	return offset, true
}

// maybeAppend adds (ts, offset) if ts exceeds the last entry's timestamp.
func (x *timeIndex) maybeAppend(ts, offset int64) (bool, error) {
	n := len(x.buf)
	buf, ok := appendTimeEntry(x.buf, x.base, ts, offset)
	if !ok {
		return false, nil
	}
	if _, err := x.f.WriteAt(buf[n:], int64(n)); err != nil {
		return false, fmt.Errorf("commitlog: write %s: %w", x.f.Name(), err)
	}
	x.buf = buf
	return true, nil
}

// check returns why the entries cannot describe a segment holding offsets
// below next, or "".
func (x *timeIndex) check(next int64) string {
	if len(x.buf)%timeEntrySize != 0 {
		return fmt.Sprintf("time index is %d bytes, not a multiple of %d", len(x.buf), timeEntrySize)
	}
	prevTs, prevOff := int64(-1), x.base
	for i := range x.entries() {
		ts, off := x.at(i)
		if ts <= prevTs || off < prevOff || off >= next {
			return fmt.Sprintf("time index entry %d (timestamp %d, offset %d) out of order or past the log", i, ts, off)
		}
		prevTs, prevOff = ts, off
	}
	return ""
}

// appendTimeEntry appends (ts, offset) to buf if ts is larger than the last
// entry's timestamp (or than -1, "no timestamp", when buf is empty).
func appendTimeEntry(buf []byte, base, ts, offset int64) ([]byte, bool) {
	last := int64(-1)
	if n := len(buf); n >= timeEntrySize {
		last = int64(binary.BigEndian.Uint64(buf[n-timeEntrySize:]))
	}
	if ts <= last {
		return buf, false
	}
	buf = binary.BigEndian.AppendUint64(buf, uint64(ts))
	return binary.BigEndian.AppendUint32(buf, uint32(offset-base)), true
}
