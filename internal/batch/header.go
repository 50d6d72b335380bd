package batch

import (
	"encoding/binary"
	"hash/crc32"
)

// HeaderSize is the size of the fixed batch header that precedes the records.
const HeaderSize = 61

// Field offsets in the header; see the package doc.
const (
	offBaseOffset      = 0
	offBatchLength     = 8
	offLeaderEpoch     = 12
	offMagic           = 16
	offCRC             = 17
	offAttributes      = 21
	offLastOffsetDelta = 23
	offBaseTimestamp   = 27
	offMaxTimestamp    = 35
	offProducerID      = 43
	offProducerEpoch   = 51
	offBaseSequence    = 53
	offNumRecords      = 57

	// lengthOverhead is the part of the batch that batchLength does not count.
	lengthOverhead = offLeaderEpoch
)

// Attribute bits.
const (
	attrCodec         = 0x07
	attrLogAppendTime = 0x08
	attrTransactional = 0x10
	attrControl       = 0x20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Header is the decoded fixed header of a batch.
type Header struct {
	BaseOffset           int64
	BatchLength          int32
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32
	Attributes           int16
	LastOffsetDelta      int32
	BaseTimestamp        int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	NumRecords           int32
}

// Codec returns the compression codec of the records.
func (h Header) Codec() Codec { return Codec(h.Attributes & attrCodec) }

// IsTransactional reports whether the batch belongs to a transaction.
func (h Header) IsTransactional() bool { return h.Attributes&attrTransactional != 0 }

// IsControl reports whether the batch holds control records (transaction markers).
func (h Header) IsControl() bool { return h.Attributes&attrControl != 0 }

// LogAppendTime reports whether the timestamp type is LogAppendTime, in which
// case MaxTimestamp is the broker's append time and the timestamp of every record.
func (h Header) LogAppendTime() bool { return h.Attributes&attrLogAppendTime != 0 }

// LastOffset returns the offset of the last record.
func (h Header) LastOffset() int64 { return h.BaseOffset + int64(h.LastOffsetDelta) }

// Size returns the size of the whole batch in bytes, header included.
func (h Header) Size() int { return int(h.BatchLength) + lengthOverhead }

// ParseHeader decodes the header at the start of b. It reads only the first
// HeaderSize bytes and checks nothing but their presence: not the length, the
// magic nor the CRC.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, corrupt("%d bytes is shorter than the %d byte header", len(b), HeaderSize)
	}
	be := binary.BigEndian
	return Header{
		BaseOffset:           int64(be.Uint64(b[offBaseOffset:])),
		BatchLength:          int32(be.Uint32(b[offBatchLength:])),
		PartitionLeaderEpoch: int32(be.Uint32(b[offLeaderEpoch:])),
		Magic:                int8(b[offMagic]),
		CRC:                  be.Uint32(b[offCRC:]),
		Attributes:           int16(be.Uint16(b[offAttributes:])),
		LastOffsetDelta:      int32(be.Uint32(b[offLastOffsetDelta:])),
		BaseTimestamp:        int64(be.Uint64(b[offBaseTimestamp:])),
		MaxTimestamp:         int64(be.Uint64(b[offMaxTimestamp:])),
		ProducerID:           int64(be.Uint64(b[offProducerID:])),
		ProducerEpoch:        int16(be.Uint16(b[offProducerEpoch:])),
		BaseSequence:         int32(be.Uint32(b[offBaseSequence:])),
		NumRecords:           int32(be.Uint32(b[offNumRecords:])),
	}, nil
}

// AppendTo appends the HeaderSize bytes of h to dst exactly as the fields
// say: nothing is computed, so tests can write any header, good or bad.
func (h Header) AppendTo(dst []byte) []byte {
	be := binary.BigEndian
	dst = be.AppendUint64(dst, uint64(h.BaseOffset))
	dst = be.AppendUint32(dst, uint32(h.BatchLength))
	dst = be.AppendUint32(dst, uint32(h.PartitionLeaderEpoch))
	dst = append(dst, byte(h.Magic))
	dst = be.AppendUint32(dst, h.CRC)
	dst = be.AppendUint16(dst, uint16(h.Attributes))
	dst = be.AppendUint32(dst, uint32(h.LastOffsetDelta))
	dst = be.AppendUint64(dst, uint64(h.BaseTimestamp))
	dst = be.AppendUint64(dst, uint64(h.MaxTimestamp))
	dst = be.AppendUint64(dst, uint64(h.ProducerID))
	dst = be.AppendUint16(dst, uint16(h.ProducerEpoch))
	dst = be.AppendUint32(dst, uint32(h.BaseSequence))
	return be.AppendUint32(dst, uint32(h.NumRecords))
}

// Checksum returns the CRC-32C that the crc field of batch b should hold: the
// checksum of b from the attributes field to the end. b must be longer than
// the 21 bytes before attributes.
func Checksum(b []byte) uint32 { return crc32.Checksum(b[offAttributes:], castagnoli) }

// SetBaseOffset sets the base offset of the batch b in place. The CRC does not
// cover the field. b must hold at least a header.
func SetBaseOffset(b []byte, off int64) {
	binary.BigEndian.PutUint64(b[offBaseOffset:], uint64(off))
}

// SetPartitionLeaderEpoch sets the partition leader epoch of the batch b in
// place. The CRC does not cover the field. b must hold at least a header.
func SetPartitionLeaderEpoch(b []byte, epoch int32) {
	binary.BigEndian.PutUint32(b[offLeaderEpoch:], uint32(epoch))
}

// SetLogAppendTime marks the whole batch b as stamped by the broker at ts:
// it sets the LogAppendTime attribute bit and maxTimestamp, which Kafka
// reports as the timestamp of every record, and recomputes the CRC. It is
// the only broker edit the CRC covers.
func SetLogAppendTime(b []byte, ts int64) {
	attrs := binary.BigEndian.Uint16(b[offAttributes:])
	setMaxTimestamp(b, attrs|attrLogAppendTime, ts)
}

// SetMaxTimestamp sets maxTimestamp of the CreateTime batch b to ts and
// recomputes the CRC if that changes anything. Kafka does this on append with
// the largest record timestamp (Info.MaxTimestamp), so that the time index and
// ListOffsets by timestamp do not trust what the client wrote.
func SetMaxTimestamp(b []byte, ts int64) {
	attrs := binary.BigEndian.Uint16(b[offAttributes:])
	setMaxTimestamp(b, attrs&^attrLogAppendTime, ts)
}

func setMaxTimestamp(b []byte, attrs uint16, ts int64) {
	be := binary.BigEndian
	if be.Uint16(b[offAttributes:]) == attrs && int64(be.Uint64(b[offMaxTimestamp:])) == ts {
		return // unchanged: skip the CRC pass over the records
	}
	be.PutUint16(b[offAttributes:], attrs)
	be.PutUint64(b[offMaxTimestamp:], uint64(ts))
	be.PutUint32(b[offCRC:], Checksum(b))
}
