package batch

// Record is one decoded record. Key, Value and header slices alias the
// payload they were read from; Key and Value are nil for a null (negative
// length) field, empty but not nil for a zero length one.
type Record struct {
	Attributes     int8
	TimestampDelta int64
	OffsetDelta    int32
	Key            []byte
	Value          []byte
	Headers        []RecordHeader
}

// RecordHeader is one record header. Key is never null on the wire.
type RecordHeader struct {
	Key   []byte
	Value []byte
}

// minRecordSize is the smallest encoded record: a one byte varint for each of
// length, timestampDelta, offsetDelta, keyLength, valueLength and headerCount,
// plus the attributes byte. It bounds how many records n bytes can hold.
const minRecordSize = 7

// Iter walks the records of one batch. The zero value is an empty iterator;
// Reset starts it on a payload. Iter enforces what Kafka's record iterator
// does: exactly NumRecords well-formed records that fill the payload.
//
//	var it batch.Iter
//	var r batch.Record
//	it.Reset(h, payload)
//	for it.Next(&r) {
//		...
//	}
//	if err := it.Err(); err != nil {
//		...
//	}
type Iter struct {
	rest []byte
	idx  int32
	n    int32
	hdrs []RecordHeader
	err  error

	skipHeaders bool // check headers but leave Record.Headers nil (Validate)
}

// Reset starts the iterator on payload, the uncompressed records of a batch
// with header h (b[HeaderSize:] for an uncompressed batch b, the output of
// Decompress otherwise).
func (it *Iter) Reset(h Header, payload []byte) {
	*it = Iter{rest: payload, n: h.NumRecords, hdrs: it.hdrs[:0]}
	if h.NumRecords < 0 {
		it.err = invalid("negative record count %d", h.NumRecords)
	}
}

// Next decodes the next record into r and reports whether there was one.
// r.Headers is reused by the following call to Next.
func (it *Iter) Next(r *Record) bool {
	if it.err != nil {
		return false
	}
	if it.idx == it.n {
		if len(it.rest) > 0 {
			it.err = invalid("%d bytes left after the last of %d records", len(it.rest), it.n)
		}
		return false
	}
	n, err := it.decode(r)
	if err != nil {
		it.err = err
		return false
	}
	it.rest = it.rest[n:]
	it.idx++
	return true
}

// Err returns the error that stopped the iteration, if any.
func (it *Iter) Err() error { return it.err }

// decode reads the record at the start of it.rest into r and returns its size.
func (it *Iter) decode(r *Record) (int, error) {
	if len(it.rest) == 0 {
		return 0, invalid("records end after %d of %d", it.idx, it.n)
	}
	in := reader{b: it.rest}
	size := in.varint()
	if in.bad || size < 0 || int(size) > len(in.b) {
		return 0, invalid("record %d: length %d with %d bytes left", it.idx, size, len(in.b))
	}
	body := reader{b: in.b[:size]}
	r.Attributes = int8(body.byte())
	r.TimestampDelta = body.varlong()
	r.OffsetDelta = body.varint()
	r.Key = body.bytes(body.varint())
	r.Value = body.bytes(body.varint())
	if err := it.decodeHeaders(&body, r); err != nil {
		return 0, err
	}
	if body.bad || len(body.b) != 0 {
		return 0, invalid("record %d: fields do not fill its %d byte length", it.idx, size)
	}
	return len(it.rest) - len(in.b) + int(size), nil
}

func (it *Iter) decodeHeaders(body *reader, r *Record) error {
	n := body.varint()
	if n < 0 || int(n) > len(body.b) {
		return invalid("record %d: header count %d with %d bytes left", it.idx, n, len(body.b))
	}
	it.hdrs = it.hdrs[:0]
	for range n {
		kl := body.varint()
		if kl < 0 {
			return invalid("record %d: header key length %d", it.idx, kl)
		}
		k := body.bytes(kl)
		v := body.bytes(body.varint())
		if !it.skipHeaders {
			it.hdrs = append(it.hdrs, RecordHeader{Key: k, Value: v})
		}
	}
	r.Headers = nil
	if len(it.hdrs) > 0 {
		r.Headers = it.hdrs
	}
	return nil
}

// Records calls fn for each record of payload, the uncompressed records of a
// batch with header h, and stops at the first error, fn's or the walk's. The
// Record passed to fn is valid only during the call: its Headers slice is
// reused.
func Records(h Header, payload []byte, fn func(Record) error) error {
	var it Iter
	it.Reset(h, payload)
	var r Record
	for it.Next(&r) {
		if err := fn(r); err != nil {
			return err
		}
	}
	return it.Err()
}

// reader decodes Kafka's primitives from b. Like franz-go's kbin.Reader, a
// short or malformed read yields zeros and sets bad, checked once at the end.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// uvarint reads an unsigned varint of at most max bytes. As in Kafka's
// ByteUtils, bits beyond the type are dropped, not rejected.
func (r *reader) uvarint(max int) uint64 {
	var v uint64
	for i := range max {
		if len(r.b) <= i {
			break
		}
		c := r.b[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.b = r.b[i+1:]
			return v
		}
	}
	r.bad = true
	r.b = nil
	return 0
}

func (r *reader) varint() int32 {
	v := uint32(r.uvarint(5))
	return int32(v>>1) ^ -int32(v&1)
}

func (r *reader) varlong() int64 {
	v := r.uvarint(10)
	return int64(v>>1) ^ -int64(v&1)
}

// bytes returns the next n bytes, or nil for a negative n (null).
func (r *reader) bytes(n int32) []byte {
	if n < 0 {
		return nil
	}
	if int(n) > len(r.b) {
		r.bad = true
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}
