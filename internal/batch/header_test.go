package batch

import (
	"bytes"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestHeaderRoundTrip(t *testing.T) {
	h := Header{
		BaseOffset:           -2,
		BatchLength:          1 << 20,
		PartitionLeaderEpoch: -1,
		Magic:                2,
		CRC:                  0xdeadbeef,
		Attributes:           -1,
		LastOffsetDelta:      41,
		BaseTimestamp:        -1,
		MaxTimestamp:         1 << 62,
		ProducerID:           1<<63 - 1,
		ProducerEpoch:        -32768,
		BaseSequence:         1<<31 - 1,
		NumRecords:           42,
	}
	b := h.AppendTo([]byte("prefix"))[len("prefix"):]
	if len(b) != HeaderSize {
		t.Fatalf("AppendTo wrote %d bytes", len(b))
	}
	got, err := ParseHeader(append(b, "records"...))
	wantCode(t, err, nil)
	if got != h {
		t.Fatalf("got %+v\nwant %+v", got, h)
	}
	if !bytes.Equal(got.AppendTo(nil), b) {
		t.Fatal("re-encoding differs")
	}
}

func TestHeaderMethods(t *testing.T) {
	for _, tc := range []struct {
		attrs             int16
		codec             Codec
		txn, control, lat bool
	}{
		{0, None, false, false, false},
		{int16(Zstd), Zstd, false, false, false},
		{attrTransactional | int16(Snappy), Snappy, true, false, false},
		{attrControl | attrTransactional, None, true, true, false},
		{attrLogAppendTime | int16(LZ4), LZ4, false, false, true},
		{0x40 | int16(Gzip), Gzip, false, false, false}, // delete horizon bit
	} {
		h := Header{Attributes: tc.attrs}
		if h.Codec() != tc.codec || h.IsTransactional() != tc.txn ||
			h.IsControl() != tc.control || h.LogAppendTime() != tc.lat {
			t.Errorf("attributes %#x: codec %v txn %v control %v lat %v", tc.attrs,
				h.Codec(), h.IsTransactional(), h.IsControl(), h.LogAppendTime())
		}
	}
	h := Header{BaseOffset: 100, LastOffsetDelta: 9, BatchLength: 49}
	if h.LastOffset() != 109 || h.Size() != HeaderSize {
		t.Errorf("LastOffset %d Size %d", h.LastOffset(), h.Size())
	}
}

func TestParseHeaderShort(t *testing.T) {
	for _, n := range []int{0, 1, HeaderSize - 1} {
		_, err := ParseHeader(make([]byte, n))
		wantCode(t, err, kerr.CorruptMessage)
	}
}
