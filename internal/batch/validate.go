package batch

import (
	"sync"
)

// NoTimestamp is Kafka's timestamp for "none" (RecordBatch.NO_TIMESTAMP).
const NoTimestamp = -1

// Info describes the records of a validated batch, for the checks Kafka makes
// in the same walk that depend on topic configuration and so belong to the
// broker: message.timestamp.{before,after}.max.ms (INVALID_TIMESTAMP) and
// keys on compacted topics (INVALID_RECORD).
type Info struct {
	// MinTimestamp and MaxTimestamp bound the record timestamps as Kafka
	// computes them: BaseTimestamp+TimestampDelta, or MaxTimestamp for every
	// record of a LogAppendTime batch. Records with NoTimestamp are skipped,
	// as Kafka skips them; both are NoTimestamp if no record has one.
	MinTimestamp, MaxTimestamp int64
	// NullKeys counts the records with a null key.
	NullKeys int32
}

// Validate checks b, exactly one whole batch as a client produced it, the way
// Kafka 4 checks a produce request (ProduceRequest.validateRecords,
// UnifiedLog.analyzeAndValidateRecords, LogValidator), and returns its header.
// It decompresses the records to walk them, at most MaxUncompressed bytes.
// Errors wrap kerr.CorruptMessage or kerr.InvalidRecord; see the package doc.
// The header is returned whenever b holds one, also with an error.
//
// Validate allocates nothing for an uncompressed batch.
func Validate(b []byte) (Header, error) {
	var info Info
	return ValidateInfo(b, &info)
}

// ValidateInfo is Validate, also filling info from the records.
func ValidateInfo(b []byte, info *Info) (Header, error) {
	h, err := checkFrame(b)
	if err != nil {
		return h, err
	}
	// Kafka 4 requires this of clients (and checks it before the CRC); the
	// broker assigns the real base offset with SetBaseOffset.
	if h.BaseOffset != 0 {
		return h, invalid("base offset %d from a client, want 0", h.BaseOffset)
	}
	if err := checkCRC(b, h); err != nil {
		return h, err
	}
	if err := checkClientHeader(h); err != nil {
		return h, err
	}
	return h, checkRecords(h, b[HeaderSize:], info)
}

// Verify checks what holds for every batch in a log whoever wrote it: b is
// one whole batch of magic 2 with a known codec and a matching CRC. It does
// not walk the records. Log recovery and tools use it; client batches go
// through Validate.
func Verify(b []byte) (Header, error) {
	h, err := checkFrame(b)
	if err == nil {
		err = checkCRC(b, h)
	}
	return h, err
}

// checkFrame checks that b is one batch of magic 2 with a known codec. Kafka
// rejects a magic it does not know as corrupt while splitting the request
// into batches, then magic 0 and 1 as invalid for produce v3+.
func checkFrame(b []byte) (Header, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return h, err
	}
	if int64(h.BatchLength)+lengthOverhead != int64(len(b)) {
		return h, corrupt("batch length %d does not match its %d bytes", h.BatchLength, len(b))
	}
	switch {
	case h.Magic < 0 || h.Magic > 2:
		return h, corrupt("unknown magic %d", h.Magic)
	case h.Magic != 2:
		return h, invalid("magic %d, produce v3+ allows only 2", h.Magic)
	case h.Codec() > Zstd:
		return h, corrupt("unknown compression codec %d", h.Codec())
	}
	return h, nil
}

func checkCRC(b []byte, h Header) error {
	if sum := Checksum(b); sum != h.CRC {
		return corrupt("crc %08x, computed %08x", h.CRC, sum)
	}
	return nil
}

// checkClientHeader applies LogValidator.validateBatch for client appends.
func checkClientHeader(h Header) error {
	count := int64(h.LastOffsetDelta) + 1
	switch {
	case count <= 0:
		return invalid("last offset delta %d", h.LastOffsetDelta)
	case h.NumRecords <= 0:
		return invalid("record count %d", h.NumRecords)
	case int64(h.NumRecords) != count:
		return invalid("record count %d with last offset delta %d", h.NumRecords, h.LastOffsetDelta)
	case h.IsControl():
		return invalid("control batch from a client")
	case h.ProducerID >= 0 && h.BaseSequence < 0:
		return invalid("base sequence %d with producer id %d", h.BaseSequence, h.ProducerID)
	}
	return nil
}

// checkRecords walks the records in raw, decompressing them first.
func checkRecords(h Header, raw []byte, info *Info) error {
	if h.Codec() == None {
		return walk(h, raw, info)
	}
	if int64(h.NumRecords) > MaxUncompressed/minRecordSize {
		return invalid("record count %d cannot fit in %d bytes", h.NumRecords, MaxUncompressed)
	}
	buf := bufs.Get().(*[]byte)
	defer putBuf(buf)
	payload, err := decompress(*buf, h.Codec(), raw, MaxUncompressed)
	if err != nil {
		return err
	}
	*buf = payload[:0]
	return walk(h, payload, info)
}

// walk checks the records of payload and collects info. Kafka does not check
// offset deltas but rewrites compressed batches whose deltas are off; since
// the broker stores batches as sent, it rejects them instead.
func walk(h Header, payload []byte, info *Info) error {
	*info = Info{MinTimestamp: NoTimestamp, MaxTimestamp: NoTimestamp}
	var it Iter
	var r Record
	it.Reset(h, payload)
	it.skipHeaders = true
	for i := int32(0); it.Next(&r); i++ {
		if r.OffsetDelta != i {
			return invalid("record %d has offset delta %d", i, r.OffsetDelta)
		}
		info.add(h, &r)
	}
	return it.Err()
}

func (info *Info) add(h Header, r *Record) {
	if r.Key == nil {
		info.NullKeys++
	}
	ts := h.BaseTimestamp + r.TimestampDelta
	if h.LogAppendTime() {
		ts = h.MaxTimestamp
	}
	if ts == NoTimestamp {
		return
	}
	if info.MinTimestamp == NoTimestamp || ts < info.MinTimestamp {
		info.MinTimestamp = ts
	}
	if info.MaxTimestamp == NoTimestamp || ts > info.MaxTimestamp {
		info.MaxTimestamp = ts
	}
}

// bufs holds buffers for decompressed records. Buffers over maxPooledBuf are
// dropped rather than kept for the rare batch that needed them.
var bufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBuf = 8 << 20

func putBuf(b *[]byte) {
	if cap(*b) <= maxPooledBuf {
		bufs.Put(b)
	}
}
