package commitlog

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

const scanBufferSize = 256 << 10

// scanResult describes the valid prefix of a segment file.
type scanResult struct {
	size            int64  // bytes of whole valid batches
	next            int64  // offset after the last of them
	problem         string // why the scan stopped before the end of the file; "" if it did not
	offIdx, timeIdx []byte // index entries rebuilt from the valid batches
	ix              indexer
	firstTs         int64
}

// scanSegment reads a segment's batches in order from the start and stops at
// the first one that is not valid: a header that fails its sanity check, a
// batch that runs past fileSize (a torn write), a base offset other than the
// one expected, or (if verifyCRC) a CRC mismatch. Below gapsBelow, offsets
// may skip ahead: the cleaner left gaps there. It rebuilds the indexes on
// the way. Only I/O failures are errors; invalid data ends the valid prefix.
func scanSegment(f *os.File, base, fileSize int64, interval int, verifyCRC bool, gapsBelow int64) (scanResult, error) {
	res := scanResult{next: base, firstTs: -1, ix: newIndexer(interval)}
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, fileSize), scanBufferSize)
	var hdr [batchHeaderLen]byte
	for res.size < fileSize {
		pos := res.size
		if fileSize-pos < batchHeaderLen {
			res.problem = fmt.Sprintf("%d bytes left, less than a batch header (torn write)", fileSize-pos)
			break
		}
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return res, fmt.Errorf("commitlog: read %s: %w", f.Name(), err)
		}
		h := parseBatchHeader(hdr[:])
		if res.problem = batchProblem(h, base, pos, fileSize, res.next, gapsBelow); res.problem != "" {
			break
		}
		crc, err := readBody(r, h.size()-batchHeaderLen, hdr[crcStart:], verifyCRC)
		if err != nil {
			return res, fmt.Errorf("commitlog: read %s: %w", f.Name(), err)
		}
		if verifyCRC && crc != h.crc {
			res.problem = fmt.Sprintf("crc mismatch at offset %d", h.baseOffset)
			break
		}
		if res.ix.observe(h) {
			res.offIdx = appendOffsetEntry(res.offIdx, base, h.lastOffset(), pos)
			res.timeIdx, _ = appendTimeEntry(res.timeIdx, base, res.ix.maxTs, res.ix.maxTsOffset)
		}
		if pos == 0 {
			res.firstTs = h.maxTimestamp
		}
		res.size = pos + h.size()
		res.next = h.lastOffset() + 1
	}
	return res, nil
}

// batchProblem checks a header read at pos in a segment based at base,
// where the next batch should start at next (or later, below gapsBelow).
func batchProblem(h batchHeader, base, pos, fileSize, next, gapsBelow int64) string {
	if p := h.problem(); p != "" {
		return p
	}
	switch {
	case h.size() > fileSize-pos:
		return fmt.Sprintf("batch of %d bytes at position %d runs past the end of the file (torn write)", h.size(), pos)
	case pos+h.size() > math.MaxInt32:
		return fmt.Sprintf("batch at position %d ends past the largest segment size", pos)
	case h.baseOffset != next && !offsetFollows(h.baseOffset, next, gapsBelow):
		return fmt.Sprintf("base offset %d, want %d", h.baseOffset, next)
	case h.lastOffset()-base > math.MaxInt32:
		return fmt.Sprintf("last offset %d too far from segment base %d", h.lastOffset(), base)
	}
	return ""
}

// readBody consumes a batch body of n bytes and, if verify, returns the
// CRC32C of crcHead (the header bytes the CRC covers) and the body.
func readBody(r *bufio.Reader, n int64, crcHead []byte, verify bool) (uint32, error) {
	if !verify {
		_, err := r.Discard(int(n))
		return 0, err
	}
	crc := crc32.Update(0, castagnoli, crcHead)
	for n > 0 {
		b, err := r.Peek(int(min(n, int64(r.Size()))))
		if err != nil {
			return 0, err
		}
		crc = crc32.Update(crc, castagnoli, b)
		_, _ = r.Discard(len(b))
		n -= int64(len(b))
	}
	return crc, nil
}

// offsetFollows reports whether a batch may start at base after one that
// ended just before next: at next, or later if the gap starts below
// gapsBelow, in the part of the log the cleaner rewrote.
func offsetFollows(base, next, gapsBelow int64) bool {
	return base == next || base > next && next < gapsBelow
}
