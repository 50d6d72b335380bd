package commitlog

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// The log treats a record batch as opaque bytes except for these fields of its
// v2 header. internal/batch owns the full format; this private copy keeps the
// storage layer free of that dependency.
const (
	batchHeaderLen = 61 // the fixed v2 header, up to and including recordCount
	batchLengthAdj = 12 // baseOffset and batchLength precede the bytes batchLength counts
	batchMagic     = 2
	crcStart       = 21 // CRC32C covers [21:end]

	// maxBatchSize keeps every segment under 2 GiB so index positions fit
	// in their 32 bits (Kafka's segment.bytes is an int32 for the same reason).
	maxBatchSize = math.MaxInt32
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type batchHeader struct {
	baseOffset      int64
	batchLength     int32
	magic           int8
	crc             uint32
	lastOffsetDelta int32
	maxTimestamp    int64
}

// parseBatchHeader decodes the fields the log uses; b must hold at least
// batchHeaderLen bytes.
func parseBatchHeader(b []byte) batchHeader {
	_ = b[batchHeaderLen-1]
	return batchHeader{
		baseOffset:      int64(binary.BigEndian.Uint64(b[0:8])),
		batchLength:     int32(binary.BigEndian.Uint32(b[8:12])),
		magic:           int8(b[16]),
		crc:             binary.BigEndian.Uint32(b[17:21]),
		lastOffsetDelta: int32(binary.BigEndian.Uint32(b[23:27])),
		maxTimestamp:    int64(binary.BigEndian.Uint64(b[35:43])),
	}
}

// size is the number of bytes the whole batch occupies in the log.
func (h batchHeader) size() int64 { return int64(h.batchLength) + batchLengthAdj }

func (h batchHeader) lastOffset() int64 { return h.baseOffset + int64(h.lastOffsetDelta) }

// problem says why h cannot start a valid batch, or "" if it can. It checks
// only the header; the caller checks the size against the bytes available.
// A string rather than an error: recovery turns it into a log line, Read into
// a corruption error, Append into ErrInvalidBatch.
func (h batchHeader) problem() string {
	switch {
	case h.magic != batchMagic:
		return fmt.Sprintf("magic %d, want %d", h.magic, batchMagic)
	case h.size() < batchHeaderLen || h.size() > maxBatchSize:
		return fmt.Sprintf("batch length %d out of range", h.batchLength)
	case h.baseOffset < 0 || h.lastOffsetDelta < 0:
		return fmt.Sprintf("negative offset (base %d, last delta %d)", h.baseOffset, h.lastOffsetDelta)
	case h.baseOffset > math.MaxInt64-int64(h.lastOffsetDelta)-1:
		return fmt.Sprintf("base offset %d overflows", h.baseOffset)
	}
	return ""
}

// batchCRC computes the checksum a v2 batch carries at [17:21].
func batchCRC(b []byte) uint32 { return crc32.Checksum(b[crcStart:], castagnoli) }

// checkBatch validates a batch handed to Append: a sane header, a length that
// matches the slice, and a correct CRC. Append checks the CRC although the
// broker validated the batch already, because recovery truncates the log at
// the first batch whose CRC fails: a bad batch accepted here would, after a
// crash, take every later (acknowledged) batch with it.
func checkBatch(b []byte) (batchHeader, error) {
	if len(b) < batchHeaderLen {
		return batchHeader{}, fmt.Errorf("%w: %d bytes, shorter than a batch header", ErrInvalidBatch, len(b))
	}
	h := parseBatchHeader(b)
	if p := h.problem(); p != "" {
		return batchHeader{}, fmt.Errorf("%w: %s", ErrInvalidBatch, p)
	}
	if h.size() != int64(len(b)) {
		return batchHeader{}, fmt.Errorf("%w: batch length says %d bytes, got %d", ErrInvalidBatch, h.size(), len(b))
	}
	if crc := batchCRC(b); crc != h.crc {
		return batchHeader{}, fmt.Errorf("%w: crc %#08x, computed %#08x", ErrInvalidBatch, h.crc, crc)
	}
	return h, nil
}
