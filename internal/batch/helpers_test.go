package batch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

var codecs = []Codec{None, Gzip, Snappy, LZ4, Zstd}

// plain is the header of a non-idempotent client batch.
var plain = Header{
	ProducerID:    -1,
	ProducerEpoch: -1,
	BaseSequence:  -1,
	BaseTimestamp: 1_700_000_000_000,
}

func withCodec(h Header, c Codec) Header {
	h.Attributes = h.Attributes&^attrCodec | int16(c)
	return h
}

// testRecords returns n records with values of size bytes and some variety in
// the other fields.
func testRecords(n, size int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		val := bytes.Repeat([]byte{byte('a' + i%26)}, size)
		recs[i] = Record{
			TimestampDelta: int64(i * 3),
			Key:            fmt.Appendf(nil, "key-%d", i),
			Value:          val,
		}
	}
	return recs
}

func mustBuild(t testing.TB, h Header, recs ...Record) []byte {
	t.Helper()
	b, err := Build(h, recs...)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return b
}

// sealed returns a batch of header h and records exactly as given (already
// compressed, or not), with batchLength and the CRC computed.
func sealed(h Header, records []byte) []byte {
	h.BatchLength = int32(HeaderSize - lengthOverhead + len(records))
	b := append(h.AppendTo(nil), records...)
	binary.BigEndian.PutUint32(b[offCRC:], Checksum(b))
	return b
}

// recordsHeader is a header for n records that passes the header checks.
func recordsHeader(n int32) Header {
	h := plain
	h.Magic = 2
	h.NumRecords = n
	h.LastOffsetDelta = n - 1
	return h
}

func wantCode(t *testing.T, err error, want *kerr.Error) {
	t.Helper()
	var got *kerr.Error
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want == nil:
	case !errors.As(err, &got):
		t.Fatalf("error %v carries no kerr code, want %s", err, want.Message)
	case got != want:
		t.Fatalf("error %v: code %s, want %s", err, got.Message, want.Message)
	}
}

// equalRecords compares records field by field, nil and empty apart.
func equalRecords(t *testing.T, got, want Record) {
	t.Helper()
	same := func(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }
	if got.Attributes != want.Attributes || got.TimestampDelta != want.TimestampDelta ||
		got.OffsetDelta != want.OffsetDelta || !same(got.Key, want.Key) ||
		!same(got.Value, want.Value) || len(got.Headers) != len(want.Headers) {
		t.Fatalf("record:\n got %+v\nwant %+v", got, want)
	}
	for i := range got.Headers {
		g, w := got.Headers[i], want.Headers[i]
		if !bytes.Equal(g.Key, w.Key) || !same(g.Value, w.Value) {
			t.Fatalf("header %d: got %+v, want %+v", i, g, w)
		}
	}
}

// collect returns copies of the records of payload.
func collect(t *testing.T, h Header, payload []byte) []Record {
	t.Helper()
	var out []Record
	err := Records(h, payload, func(r Record) error {
		r.Headers = append([]RecordHeader(nil), r.Headers...)
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	return out
}
