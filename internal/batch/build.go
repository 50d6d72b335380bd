package batch

import "encoding/binary"

// Build returns a valid batch holding recs, for tests and tools (the broker
// never builds batches). It takes BaseOffset, PartitionLeaderEpoch,
// Attributes (the codec is h.Attributes&7, see Codec), BaseTimestamp and the
// producer fields from h, and computes the rest: magic 2, record i gets
// offset delta i, lastOffsetDelta and recordCount from len(recs),
// maxTimestamp from the record timestamps, batchLength and the CRC.
//
// A zero Header has producer id 0, which Kafka takes as idempotent; set
// ProducerID, ProducerEpoch and BaseSequence to -1 for a plain batch, as
// non-idempotent clients send.
func Build(h Header, recs ...Record) ([]byte, error) {
	var raw []byte
	maxDelta := int64(0)
	for i, r := range recs {
		r.OffsetDelta = int32(i)
		raw = AppendRecord(raw, r)
		if i == 0 || r.TimestampDelta > maxDelta {
			maxDelta = r.TimestampDelta
		}
	}
	h.Magic = 2
	h.NumRecords = int32(len(recs))
	h.LastOffsetDelta = h.NumRecords - 1
	h.MaxTimestamp = h.BaseTimestamp + maxDelta
	return Seal(h, raw)
}

// Seal returns a batch of header h and the encoded records raw (see
// AppendRecord), compressed with h's codec. It computes only batchLength and
// the CRC and takes every other field as given, so tests can build batches
// that are bad in any other way; a codec Compress does not know leaves raw
// uncompressed.
func Seal(h Header, raw []byte) ([]byte, error) {
	records := raw
	if c := h.Codec(); c <= Zstd {
		var err error
		if records, err = Compress(c, raw); err != nil {
			return nil, err
		}
	}
	h.BatchLength = int32(HeaderSize - lengthOverhead + len(records))
	b := h.AppendTo(make([]byte, 0, HeaderSize+len(records)))
	b = append(b, records...)
	binary.BigEndian.PutUint32(b[offCRC:], Checksum(b))
	return b, nil
}

// AppendRecord appends the encoding of r, length first, to dst. It writes the
// fields as they are: OffsetDelta included, nil Key or Value as null.
func AppendRecord(dst []byte, r Record) []byte {
	dst = appendVarint(dst, int64(recordBodySize(r)))
	dst = append(dst, byte(r.Attributes))
	dst = appendVarint(dst, r.TimestampDelta)
	dst = appendVarint(dst, int64(r.OffsetDelta))
	dst = appendBytes(dst, r.Key)
	dst = appendBytes(dst, r.Value)
	dst = appendVarint(dst, int64(len(r.Headers)))
	for _, h := range r.Headers {
		dst = appendVarint(dst, int64(len(h.Key)))
		dst = append(dst, h.Key...)
		dst = appendBytes(dst, h.Value)
	}
	return dst
}

func recordBodySize(r Record) int {
	n := 1 + varintSize(r.TimestampDelta) + varintSize(int64(r.OffsetDelta)) +
		bytesSize(r.Key) + bytesSize(r.Value) + varintSize(int64(len(r.Headers)))
	for _, h := range r.Headers {
		n += varintSize(int64(len(h.Key))) + len(h.Key) + bytesSize(h.Value)
	}
	return n
}

// appendVarint appends v zigzag encoded, as binary.AppendVarint does; for
// values that fit an int32 this is also Kafka's varint.
func appendVarint(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

func varintSize(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for ; u >= 0x80; u >>= 7 {
		n++
	}
	return n
}

func appendBytes(dst, b []byte) []byte {
	if b == nil {
		return appendVarint(dst, -1)
	}
	return append(appendVarint(dst, int64(len(b))), b...)
}

func bytesSize(b []byte) int {
	if b == nil {
		return 1
	}
	return varintSize(int64(len(b))) + len(b)
}
