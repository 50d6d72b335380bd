package batch

import (
	"bytes"
	"hash/crc32"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// franz-go is an independent implementation of the format: batches it
// encodes must validate, and batches Build encodes must read back with it.

var kgoCodecs = map[Codec]kgo.CompressionCodec{
	None:   kgo.NoCompression(),
	Gzip:   kgo.GzipCompression(),
	Snappy: kgo.SnappyCompression(),
	LZ4:    kgo.Lz4Compression(),
	Zstd:   kgo.ZstdCompression(),
}

func kmsgRecords() []kmsg.Record {
	recs := []kmsg.Record{
		{Key: []byte("k0"), Value: []byte("v0"), TimestampDelta64: 1},
		{Value: []byte("no key"), Headers: []kmsg.Header{{Key: "h", Value: []byte("hv")}, {Key: "null"}}},
		{Key: []byte{}, Value: bytes.Repeat([]byte("x"), 5000), TimestampDelta64: 1 << 40},
	}
	for i := range recs {
		recs[i].OffsetDelta = int32(i)
		recs[i].Length = int32(len(recs[i].AppendTo(nil)) - 1) // length 0 took one byte
	}
	return recs
}

func kmsgBatch(t *testing.T, c Codec, recs []kmsg.Record) []byte {
	t.Helper()
	var raw []byte
	for i := range recs {
		raw = recs[i].AppendTo(raw)
	}
	comp, err := kgo.DefaultCompressor(kgoCodecs[c])
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	payload := raw
	if c != None {
		payload, _ = comp.Compress(&buf, raw)
	}
	rb := kmsg.RecordBatch{
		Magic:           2,
		Attributes:      int16(c),
		LastOffsetDelta: int32(len(recs) - 1),
		FirstTimestamp:  1_700_000_000_000,
		MaxTimestamp:    1_700_000_000_000 + 1<<40,
		ProducerID:      -1,
		ProducerEpoch:   -1,
		FirstSequence:   -1,
		NumRecords:      int32(len(recs)),
		Records:         payload,
	}
	b := rb.AppendTo(nil)
	rb.Length = int32(len(b) - 12)
	b = rb.AppendTo(b[:0])
	rb.CRC = int32(crc32.Checksum(b[21:], crc32.MakeTable(crc32.Castagnoli)))
	return rb.AppendTo(b[:0])
}

func TestKmsgBatchesValidate(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			want := kmsgRecords()
			h, err := Validate(kmsgBatch(t, c, want))
			wantCode(t, err, nil)
			b := kmsgBatch(t, c, want)
			payload, err := Decompress(c, b[HeaderSize:], MaxUncompressed)
			wantCode(t, err, nil)
			for i, r := range collect(t, h, payload) {
				w := want[i]
				if r.OffsetDelta != w.OffsetDelta || r.TimestampDelta != w.TimestampDelta64 ||
					!bytes.Equal(r.Key, w.Key) || (r.Key == nil) != (w.Key == nil) ||
					!bytes.Equal(r.Value, w.Value) || len(r.Headers) != len(w.Headers) {
					t.Fatalf("record %d: got %+v, want %+v", i, r, w)
				}
			}
		})
	}
}

func TestBuildReadsWithKmsg(t *testing.T) {
	dec := kgo.DefaultDecompressor()
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			recs := testRecords(20, 100)
			recs[3].Headers = []RecordHeader{{Key: []byte("h"), Value: []byte("v")}}
			recs[4].Key = nil
			b := mustBuild(t, withCodec(plain, c), recs...)

			var rb kmsg.RecordBatch
			if err := rb.ReadFrom(b); err != nil {
				t.Fatal(err)
			}
			if int(rb.Length)+12 != len(b) || rb.NumRecords != 20 || rb.LastOffsetDelta != 19 {
				t.Fatalf("kmsg batch header %+v", rb)
			}
			raw, err := dec.Decompress(rb.Records, kgo.CompressionCodecType(c))
			if err != nil {
				t.Fatal(err)
			}
			for i := range recs {
				var kr kmsg.Record
				if err := kr.ReadFrom(raw); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				raw = raw[len(kr.AppendTo(nil)):]
				if kr.OffsetDelta != int32(i) || !bytes.Equal(kr.Value, recs[i].Value) ||
					(kr.Key == nil) != (recs[i].Key == nil) || len(kr.Headers) != len(recs[i].Headers) {
					t.Fatalf("record %d: got %+v", i, kr)
				}
			}
			if len(raw) != 0 {
				t.Fatalf("%d bytes left after the records", len(raw))
			}
		})
	}
}
