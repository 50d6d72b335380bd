package batch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

func roundTripSets() map[string][]Record {
	return map[string][]Record{
		"one":  {{Value: []byte("v")}},
		"many": testRecords(100, 50),
		"nulls": {
			{Key: nil, Value: nil},
			{Key: []byte{}, Value: []byte{}},
			{Key: []byte("k"), Value: nil},
		},
		"headers": {
			{Key: []byte("k"), Value: []byte("v"), Headers: []RecordHeader{
				{Key: []byte("h1"), Value: []byte("x")},
				{Key: []byte(""), Value: nil},
			}},
			{Value: []byte("no headers")},
			{Headers: []RecordHeader{{Key: []byte("h2"), Value: []byte{}}}},
		},
		"timestamps": {
			{TimestampDelta: 5}, {TimestampDelta: -7}, {TimestampDelta: math.MaxInt32 + 1},
		},
		"attributes": {{Attributes: 0x7f}, {Attributes: -1}},
		"big":        testRecords(3, 300<<10),
	}
}

func TestValidateRoundTrip(t *testing.T) {
	for _, c := range codecs {
		for name, recs := range roundTripSets() {
			t.Run(c.String()+"/"+name, func(t *testing.T) {
				b := mustBuild(t, withCodec(plain, c), recs...)
				var info Info
				h, err := ValidateInfo(b, &info)
				wantCode(t, err, nil)
				if h.Codec() != c || h.NumRecords != int32(len(recs)) || h.Size() != len(b) {
					t.Fatalf("header %+v", h)
				}
				payload, err := Decompress(c, b[HeaderSize:], MaxUncompressed)
				wantCode(t, err, nil)
				got := collect(t, h, payload)
				for i := range recs {
					recs[i].OffsetDelta = int32(i)
					equalRecords(t, got[i], recs[i])
				}
			})
		}
	}
}

func TestValidateInfo(t *testing.T) {
	h := plain
	h.BaseTimestamp = 1000
	recs := []Record{
		{TimestampDelta: 5, Key: []byte("k")},
		{TimestampDelta: -1001}, // exactly NoTimestamp: skipped
		{TimestampDelta: -3},
		{TimestampDelta: 9, Key: []byte{}},
	}
	b := mustBuild(t, h, recs...)
	var info Info
	_, err := ValidateInfo(b, &info)
	wantCode(t, err, nil)
	if want := (Info{MinTimestamp: 997, MaxTimestamp: 1009, NullKeys: 2}); info != want {
		t.Fatalf("info %+v, want %+v", info, want)
	}

	SetLogAppendTime(b, 5555)
	_, err = ValidateInfo(b, &info)
	wantCode(t, err, nil)
	if want := (Info{MinTimestamp: 5555, MaxTimestamp: 5555, NullKeys: 2}); info != want {
		t.Fatalf("log append time info %+v, want %+v", info, want)
	}
}

// rawRecords encodes recs with the offset deltas they carry.
func rawRecords(recs ...Record) []byte {
	var raw []byte
	for _, r := range recs {
		raw = AppendRecord(raw, r)
	}
	return raw
}

func TestValidateRejects(t *testing.T) {
	good := func() []byte { return mustBuild(t, plain, testRecords(2, 10)...) }
	edit := func(f func(b []byte)) []byte { b := good(); f(b); return b }
	reseal := func(f func(h *Header)) []byte {
		b := good()
		h, _ := ParseHeader(b)
		f(&h)
		return sealed(h, b[HeaderSize:])
	}
	put32 := func(off int, v int32) func([]byte) {
		return func(b []byte) { binary.BigEndian.PutUint32(b[off:], uint32(v)) }
	}
	rec := func(delta int32) Record { return Record{OffsetDelta: delta, Value: []byte("v")} }
	oneRecord := rawRecords(rec(0))

	for _, tc := range []struct {
		name string
		b    []byte
		want *kerr.Error
	}{
		{"empty", nil, kerr.CorruptMessage},
		{"short header", good()[:HeaderSize-1], kerr.CorruptMessage},
		{"truncated", func() []byte { b := good(); return b[:len(b)-1] }(), kerr.CorruptMessage},
		{"trailing byte", append(good(), 0), kerr.CorruptMessage},
		{"length too big", edit(put32(offBatchLength, 1<<30)), kerr.CorruptMessage},
		{"length negative", edit(put32(offBatchLength, -12)), kerr.CorruptMessage},
		{"magic 0", edit(func(b []byte) { b[offMagic] = 0 }), kerr.InvalidRecord},
		{"magic 1", edit(func(b []byte) { b[offMagic] = 1 }), kerr.InvalidRecord},
		{"magic 3", edit(func(b []byte) { b[offMagic] = 3 }), kerr.CorruptMessage},
		{"magic -1", edit(func(b []byte) { b[offMagic] = 0xff }), kerr.CorruptMessage},
		{"codec 5", reseal(func(h *Header) { h.Attributes |= 5 }), kerr.CorruptMessage},
		{"codec 7", reseal(func(h *Header) { h.Attributes |= 7 }), kerr.CorruptMessage},
		{"base offset", edit(func(b []byte) { SetBaseOffset(b, 5) }), kerr.InvalidRecord},
		{"crc field", edit(func(b []byte) { b[offCRC] ^= 1 }), kerr.CorruptMessage},
		{"crc payload", edit(func(b []byte) { b[len(b)-1] ^= 1 }), kerr.CorruptMessage},
		{"crc attributes", edit(func(b []byte) { b[offAttributes+1] ^= attrTransactional }), kerr.CorruptMessage},
		{"last offset delta -1", reseal(func(h *Header) { h.LastOffsetDelta = -1 }), kerr.InvalidRecord},
		{"last offset delta min", reseal(func(h *Header) { h.LastOffsetDelta = math.MinInt32 }), kerr.InvalidRecord},
		{"count 0", reseal(func(h *Header) { h.NumRecords = 0 }), kerr.InvalidRecord},
		{"count negative", reseal(func(h *Header) { h.NumRecords = -1 }), kerr.InvalidRecord},
		{"count above range", reseal(func(h *Header) { h.NumRecords = 3 }), kerr.InvalidRecord},
		{"count max int32", reseal(func(h *Header) {
			h.LastOffsetDelta = math.MaxInt32
			h.NumRecords = math.MaxInt32
		}), kerr.InvalidRecord},
		{"control", reseal(func(h *Header) { h.Attributes |= attrControl }), kerr.InvalidRecord},
		{"sequence", reseal(func(h *Header) { h.ProducerID = 7 }), kerr.InvalidRecord},
		{"fewer records", reseal(func(h *Header) { h.NumRecords, h.LastOffsetDelta = 3, 2 }), kerr.InvalidRecord},
		{"more records", reseal(func(h *Header) { h.NumRecords, h.LastOffsetDelta = 1, 0 }), kerr.InvalidRecord},
		{"offset delta", sealed(recordsHeader(2), rawRecords(rec(0), rec(2))), kerr.InvalidRecord},
		{"offset delta first", sealed(recordsHeader(1), rawRecords(rec(1))), kerr.InvalidRecord},
		{"record overruns", sealed(recordsHeader(1), append([]byte{40}, oneRecord[1:]...)), kerr.InvalidRecord},
		{"record underruns", sealed(recordsHeader(1), append([]byte{byte(oneRecord[0] + 2)}, append(oneRecord[1:], 0)...)), kerr.InvalidRecord},
		{"record length negative", sealed(recordsHeader(1), []byte{1, 0, 0, 0, 1, 1, 0}), kerr.InvalidRecord},
		{"record empty", sealed(recordsHeader(1), []byte{0}), kerr.InvalidRecord},
		{"trailing garbage", sealed(recordsHeader(1), append(rawRecords(rec(0)), 0)), kerr.InvalidRecord},
		{"varint too long", sealed(recordsHeader(1), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), kerr.InvalidRecord},
		{"varlong too long", sealed(recordsHeader(1), append([]byte{24, 0}, bytes.Repeat([]byte{0xff}, 11)...)), kerr.InvalidRecord},
		// length 7: attributes, timestamp, offset, key -1, value -1, then headers
		{"header count negative", sealed(recordsHeader(1), []byte{12, 0, 0, 0, 1, 1, 1}), kerr.InvalidRecord},
		{"header count huge", sealed(recordsHeader(1), []byte{12, 0, 0, 0, 1, 1, 100}), kerr.InvalidRecord},
		{"header key negative", sealed(recordsHeader(1), []byte{16, 0, 0, 0, 1, 1, 2, 1, 1}), kerr.InvalidRecord},
		{"header truncated", sealed(recordsHeader(1), []byte{16, 0, 0, 0, 1, 1, 2, 8, 1}), kerr.InvalidRecord},
		{"key overruns", sealed(recordsHeader(1), []byte{12, 0, 0, 0, 20, 1, 0}), kerr.InvalidRecord},
		{"gzip garbage", sealed(withCodec(recordsHeader(1), Gzip), []byte("not gzip at all")), kerr.CorruptMessage},
		{"lz4 garbage", sealed(withCodec(recordsHeader(1), LZ4), []byte("not lz4 at all")), kerr.CorruptMessage},
		{"zstd garbage", sealed(withCodec(recordsHeader(1), Zstd), []byte("not zstd at all")), kerr.CorruptMessage},
		{"snappy garbage", sealed(withCodec(recordsHeader(1), Snappy), []byte{0xff, 0xff, 0xff}), kerr.CorruptMessage},
		{"compressed empty", sealed(withCodec(recordsHeader(1), Zstd), nil), kerr.InvalidRecord}, // zero frames: no records
		{"compressed count bomb", reseal(func(h *Header) {
			h.Attributes |= int16(Zstd)
			h.NumRecords, h.LastOffsetDelta = math.MaxInt32, math.MaxInt32-1
		}), kerr.InvalidRecord},
		{"compressed trailing garbage", sealed(withCodec(recordsHeader(1), Zstd),
			must(Compress(Zstd, append(rawRecords(rec(0)), 1, 2)))), kerr.InvalidRecord},
		{"compressed offset delta", sealed(withCodec(recordsHeader(2), LZ4),
			must(Compress(LZ4, rawRecords(rec(0), rec(0))))), kerr.InvalidRecord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Validate(tc.b)
			wantCode(t, err, tc.want)
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestValidateAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    Header
	}{
		{"no producer", plain},
		{"idempotent", Header{ProducerID: 9, ProducerEpoch: 1, BaseSequence: 0}},
		{"transactional", Header{Attributes: attrTransactional, ProducerID: 9, BaseSequence: 4}},
		{"producer id -2 without sequence", Header{ProducerID: -2, BaseSequence: -1}},
		{"log append time from client", Header{Attributes: attrLogAppendTime, ProducerID: -1, BaseSequence: -1}},
		{"leader epoch set", Header{PartitionLeaderEpoch: 12, ProducerID: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Validate(mustBuild(t, tc.h, testRecords(3, 10)...))
			wantCode(t, err, nil)
		})
	}
}

// TestDecompressionBomb checks every codec stops at MaxUncompressed.
func TestDecompressionBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 64 MiB per codec")
	}
	zeros := make([]byte, MaxUncompressed+1)
	for _, c := range codecs[1:] {
		t.Run(c.String(), func(t *testing.T) {
			comp, err := Compress(c, zeros)
			wantCode(t, err, nil)
			_, err = Validate(sealed(withCodec(recordsHeader(1), c), comp))
			wantCode(t, err, kerr.CorruptMessage)
			if !errors.Is(err, errTooLarge) {
				t.Fatalf("error %v is not the size cap", err)
			}
		})
	}
}

func TestBrokerEdits(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			b := mustBuild(t, withCodec(plain, c), testRecords(5, 20)...)
			orig, _ := ParseHeader(b)

			SetBaseOffset(b, 1234)
			SetPartitionLeaderEpoch(b, 7)
			h, err := Verify(b)
			wantCode(t, err, nil)
			if h.BaseOffset != 1234 || h.PartitionLeaderEpoch != 7 || h.CRC != orig.CRC || h.LastOffset() != 1238 {
				t.Fatalf("after SetBaseOffset: %+v", h)
			}
			_, err = Validate(b) // Kafka 4: clients must send base offset 0
			wantCode(t, err, kerr.InvalidRecord)

			SetBaseOffset(b, 0)
			SetLogAppendTime(b, 99)
			h, err = Validate(b)
			wantCode(t, err, nil)
			if !h.LogAppendTime() || h.MaxTimestamp != 99 || h.Codec() != c {
				t.Fatalf("after SetLogAppendTime: %+v", h)
			}
			crc := h.CRC
			SetLogAppendTime(b, 99)
			if h, _ := ParseHeader(b); h.CRC != crc {
				t.Fatal("CRC changed by a no-op SetLogAppendTime")
			}

			SetMaxTimestamp(b, orig.MaxTimestamp)
			h, err = Validate(b)
			wantCode(t, err, nil)
			if h.LogAppendTime() || h.MaxTimestamp != orig.MaxTimestamp || h.CRC != orig.CRC {
				t.Fatalf("after SetMaxTimestamp: %+v, want %+v", h, orig)
			}
		})
	}
}

func TestValidateAllocs(t *testing.T) {
	recs := testRecords(16, 1<<10)
	recs[3].Headers = []RecordHeader{{Key: []byte("h"), Value: []byte("v")}}
	b := mustBuild(t, plain, recs...)
	if n := testing.AllocsPerRun(100, func() { _, _ = Validate(b) }); n != 0 {
		t.Fatalf("Validate allocates %v times per uncompressed batch", n)
	}
}

// BenchmarkValidate validates a 16 KiB batch of 1 KiB records.
func BenchmarkValidate(b *testing.B) {
	for _, c := range codecs {
		b.Run(c.String(), func(b *testing.B) {
			batch := mustBuild(b, withCodec(plain, c), testRecords(16, 1<<10)...)
			b.SetBytes(16 << 10)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Validate(batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
