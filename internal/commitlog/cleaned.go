package commitlog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// cleanedSegment is a segment being written by the cleaner, under the
// names <base>.log.cleaned, <base>.index.cleaned and
// <base>.timeindex.cleaned until the swap renames them.
type cleanedSegment struct {
	dir     string
	base    int64
	files   [3]*os.File // in segmentExts order
	w       *bufio.Writer
	size    int64
	next    int64 // offset after the last batch
	batches int
	ix      indexer
	offIdx  []byte
	timeIdx []byte
	firstTs int64
}

// segmentExts are a segment's files; the swap renames them in this order,
// the log last, so that a .log.swap file means the whole swap is committed.
var segmentExts = [3]string{indexExt, timeIndexExt, logExt}

func createCleaned(dir string, base int64, interval int) (*cleanedSegment, error) {
	c := &cleanedSegment{dir: dir, base: base, next: base, ix: newIndexer(interval), firstTs: -1}
	for i, ext := range segmentExts {
		f, err := os.OpenFile(c.path(ext, cleanedSuffix), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			c.discard()
			return nil, fmt.Errorf("commitlog: create cleaned segment: %w", err)
		}
		c.files[i] = f
	}
	c.w = bufio.NewWriterSize(c.files[2], scanBufferSize)
	return c, nil
}

func (c *cleanedSegment) path(ext, suffix string) string {
	return filepath.Join(c.dir, segmentName(c.base, ext)+suffix)
}

// append adds one batch, maintaining the indexes as Append would.
func (c *cleanedSegment) append(b []byte, h batchHeader) error {
	if c.size+int64(len(b)) > math.MaxInt32 {
		return fmt.Errorf("commitlog: cleaned segment %d would exceed %d bytes", c.base, math.MaxInt32)
	}
	if c.ix.observe(h) {
		c.offIdx = appendOffsetEntry(c.offIdx, c.base, h.lastOffset(), c.size)
		c.timeIdx, _ = appendTimeEntry(c.timeIdx, c.base, c.ix.maxTs, c.ix.maxTsOffset)
	}
	if c.size == 0 {
		c.firstTs = h.maxTimestamp
	}
	if _, err := c.w.Write(b); err != nil {
		return fmt.Errorf("commitlog: write cleaned segment: %w", err)
	}
	c.size += int64(len(b))
	c.next = h.lastOffset() + 1
	c.batches++
	return nil
}

// finish seals the segment (its largest timestamp as the last time index
// entry, as seal does) and makes all three files durable.
func (c *cleanedSegment) finish() error {
	c.timeIdx, _ = appendTimeEntry(c.timeIdx, c.base, c.ix.maxTs, c.ix.maxTsOffset)
	err := c.w.Flush()
	if err == nil {
		_, err = c.files[0].WriteAt(c.offIdx, 0)
	}
	if err == nil {
		_, err = c.files[1].WriteAt(c.timeIdx, 0)
	}
	for _, f := range c.files {
		if err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		return fmt.Errorf("commitlog: write cleaned segment %d: %w", c.base, err)
	}
	return nil
}

// discard closes and removes the files, whatever their suffix is by now.
func (c *cleanedSegment) discard() {
	for i, ext := range segmentExts {
		if c.files[i] != nil {
			c.files[i].Close()
		}
		os.Remove(c.path(ext, cleanedSuffix))
		os.Remove(c.path(ext, swapSuffix))
	}
}

// segment turns the finished files into a sealed segment of the log. The
// open files survive the renames that follow.
func (c *cleanedSegment) segment(interval int, now time.Time, lg *slog.Logger) *segment {
	s := newSegment(c.dir, c.base, interval, lg)
	s.log, s.offIdx.f, s.timeIdx.f = c.files[2], c.files[0], c.files[1]
	s.offIdx.buf, s.timeIdx.buf = c.offIdx, c.timeIdx
	s.idxLoaded = true
	s.size.Store(c.size)
	s.next.Store(c.next)
	s.maxTs, s.maxTsOffset = c.ix.maxTs, c.ix.maxTsOffset
	s.firstTs, s.created = c.firstTs, now
	s.firstBatchTs.Store(c.firstTs)
	s.sealed.Store(true)
	return s
}

// errEndOfSegment ends a batchReader.
var errEndOfSegment = errors.New("commitlog: end of segment")

// batchReader reads a sealed segment's batches in order.
type batchReader struct {
	s    *segment
	r    *bufio.Reader
	pos  int64
	size int64
	buf  []byte
}

func newBatchReader(s *segment) *batchReader {
	size := s.size.Load()
	return &batchReader{s: s, size: size, r: bufio.NewReaderSize(io.NewSectionReader(s.log, 0, size), scanBufferSize)}
}

// done reports whether the last batch returned was the segment's last.
func (br *batchReader) done() bool { return br.pos == br.size }

// next returns the next whole batch (valid until the following call),
// checking its CRC: the cleaner must not copy a damaged batch into a
// segment that will be trusted as fsynced.
func (br *batchReader) next() ([]byte, batchHeader, error) {
	if br.pos == br.size {
		return nil, batchHeader{}, errEndOfSegment
	}
	name := br.s.log.Name()
	if br.size-br.pos < batchHeaderLen {
		return nil, batchHeader{}, corruptf("%s: truncated batch header at position %d", name, br.pos)
	}
	var hdr [batchHeaderLen]byte
	if _, err := io.ReadFull(br.r, hdr[:]); err != nil {
		return nil, batchHeader{}, fmt.Errorf("commitlog: read %s: %w", name, err)
	}
	h := parseBatchHeader(hdr[:])
	if p := h.problem(); p != "" {
		return nil, batchHeader{}, corruptf("%s: position %d: %s", name, br.pos, p)
	}
	if h.size() > br.size-br.pos {
		return nil, batchHeader{}, corruptf("%s: batch at position %d runs past the end", name, br.pos)
	}
	n := int(h.size())
	br.buf = slices.Grow(br.buf[:0], n)[:n]
	copy(br.buf, hdr[:])
	if _, err := io.ReadFull(br.r, br.buf[batchHeaderLen:]); err != nil {
		return nil, batchHeader{}, fmt.Errorf("commitlog: read %s: %w", name, err)
	}
	if batchCRC(br.buf) != h.crc {
		return nil, batchHeader{}, corruptf("%s: crc mismatch in the batch at position %d", name, br.pos)
	}
	br.pos += h.size()
	return br.buf, h, nil
}
