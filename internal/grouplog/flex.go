package grouplog

import (
	"encoding/binary"
	"math"
)

// This file is the flexible encoding (KIP-482) of the consumer-group
// values, which kmsg has no types for. Integers are big-endian, as in
// every Kafka schema; the rest differs from the non-flexible encoding:
//
//	compact string   uvarint(len+1) UTF-8 bytes   0: null; at most 32767 bytes
//	compact bytes    uvarint(len+1) bytes
//	compact array    uvarint(n+1) n elements      0: null
//	uuid             16 bytes
//	tagged fields    uvarint(count), then per field:
//	                 uvarint(tag) uvarint(size) size bytes
//
// A value, and every struct in it (array elements included), ends with
// its tagged fields. A reader skips the tags it does not know, so a newer
// writer may add them without a new version (Kafka 4.1's MetadataHash).

// appendCompactString appends s, which checkLen has accepted.
func appendCompactString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s))+1)
	return append(dst, s...)
}

func appendCompactNullableString(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, 0)
	}
	return appendCompactString(dst, *s)
}

func appendCompactBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b))+1)
	return append(dst, b...)
}

func appendArrayLen(dst []byte, n int) []byte {
	return binary.AppendUvarint(dst, uint64(n)+1)
}

func appendInt16(dst []byte, v int16) []byte { return binary.BigEndian.AppendUint16(dst, uint16(v)) }
func appendInt32(dst []byte, v int32) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v)) }

// appendNoTags ends a struct that has no tagged fields to write.
func appendNoTags(dst []byte) []byte { return append(dst, 0) }

// flexReader reads the flexible encoding. A short or malformed input sets
// bad, after which every read returns a zero value, so a decoder checks
// once at the end (franz-go's kbin does the same). Lengths and counts are
// checked against the bytes left before anything is allocated.
type flexReader struct {
	b   []byte
	bad bool
}

func (r *flexReader) fail() {
	r.bad, r.b = true, nil
}

// next consumes n bytes.
func (r *flexReader) next(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.fail()
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *flexReader) int8() int8 {
	if b := r.next(1); b != nil {
		return int8(b[0])
	}
	return 0
}

func (r *flexReader) int16() int16 {
	if b := r.next(2); b != nil {
		return int16(binary.BigEndian.Uint16(b))
	}
	return 0
}

func (r *flexReader) int32() int32 {
	if b := r.next(4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

func (r *flexReader) uuid() (id [16]byte) {
	copy(id[:], r.next(16))
	return id
}

// uvarint reads an unsigned varint that fits an int32, as Kafka's do.
func (r *flexReader) uvarint() int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > math.MaxInt32 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

// length reads a compact length: -1 for null.
func (r *flexReader) length() int {
	return r.uvarint() - 1
}

func (r *flexReader) compactNullableString() *string {
	n := r.length()
	if n < 0 || r.bad {
		return nil
	}
	if n > math.MaxInt16 {
		r.fail()
		return nil
	}
	s := string(r.next(n))
	return &s
}

// compactString reads a string that must not be null.
func (r *flexReader) compactString() string {
	s := r.compactNullableString()
	if s == nil {
		r.fail()
		return ""
	}
	return *s
}

// compactBytes reads bytes that must not be null; they are copied.
func (r *flexReader) compactBytes() []byte {
	n := r.length()
	if n < 0 {
		r.fail()
		return nil
	}
	return append([]byte(nil), r.next(n)...)
}

// arrayLen reads the length of an array that must not be null, each of
// whose elements takes at least size bytes.
func (r *flexReader) arrayLen(size int) int {
	n := r.length()
	if n < 0 || n > len(r.b)/size {
		r.fail()
		return 0
	}
	return n
}

// tags reads a struct's tagged fields, handing known ones to decode with
// a reader over the field's bytes; unknown ones are skipped.
func (r *flexReader) tags(decode func(tag int, f *flexReader)) {
	n := r.uvarint()
	if n > len(r.b)/2 { // a field takes at least 2 bytes
		r.fail()
		return
	}
	for range n {
		tag, size := r.uvarint(), r.uvarint()
		f := flexReader{b: r.next(size)}
		if r.bad {
			return
		}
		if decode != nil {
			decode(tag, &f)
			if f.bad {
				r.fail()
			}
		}
	}
}

// skipTags reads tagged fields of which none is known.
func (r *flexReader) skipTags() { r.tags(nil) }

// string16 reads a non-flexible, non-null string (int16 length), as keys
// have them.
func (r *flexReader) string16() string {
	n := int(r.int16())
	if n < 0 {
		r.fail()
		return ""
	}
	return string(r.next(n))
}
