package batch

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// fuzzSeeds returns good batches for every codec and a few broken ones.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, c := range codecs {
		recs := testRecords(3, 20)
		recs[1].Headers = []RecordHeader{{Key: []byte("h"), Value: []byte("v")}}
		recs[2].Key = nil
		b := mustBuild(t, withCodec(plain, c), recs...)
		flipped := append([]byte(nil), b...)
		flipped[len(flipped)/2] ^= 0x10
		seeds = append(seeds, b, flipped, b[:len(b)-3], b[:HeaderSize])
	}
	return seeds
}

// FuzzValidate feeds Validate arbitrary bytes. With fix set, it first makes
// the length, magic, base offset and CRC right, so that the fuzzer reaches
// the codecs and the record walk instead of stopping at the CRC.
func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		b = append([]byte(nil), b...) // the edits below must not touch the corpus
		if fix {
			fixFrame(b)
		}
		h, err := Validate(b)
		if err != nil {
			if !errors.Is(err, kerr.CorruptMessage) && !errors.Is(err, kerr.InvalidRecord) {
				t.Fatalf("error without a Kafka code: %v", err)
			}
			return
		}
		checkAccepted(t, h, b)
	})
}

// fixFrame makes the length, magic, base offset and CRC of b right.
func fixFrame(b []byte) {
	if len(b) < HeaderSize {
		return
	}
	binary.BigEndian.PutUint32(b[offBatchLength:], uint32(len(b)-lengthOverhead))
	b[offMagic] = 2
	SetBaseOffset(b, 0)
	binary.BigEndian.PutUint32(b[offCRC:], Checksum(b))
}

// checkAccepted checks what must hold for a batch Validate accepted: the
// broker's edits keep it valid, and its records walk.
func checkAccepted(t *testing.T, h Header, b []byte) {
	if h.Size() != len(b) {
		t.Fatalf("accepted size %d for %d bytes", h.Size(), len(b))
	}
	payload, err := Decompress(h.Codec(), b[HeaderSize:], MaxUncompressed)
	if err != nil {
		t.Fatalf("accepted batch does not decompress: %v", err)
	}
	n := 0
	if err := Records(h, payload, func(Record) error { n++; return nil }); err != nil || n != int(h.NumRecords) {
		t.Fatalf("accepted batch walks %d of %d records: %v", n, h.NumRecords, err)
	}

	SetBaseOffset(b, 1<<40)
	SetPartitionLeaderEpoch(b, 3)
	if got, err := Verify(b); err != nil || got.BaseOffset != 1<<40 || got.PartitionLeaderEpoch != 3 {
		t.Fatalf("after SetBaseOffset: %+v, %v", got, err)
	}
	SetBaseOffset(b, 0)
	if _, err := Validate(b); err != nil {
		t.Fatalf("does not re-validate after SetBaseOffset: %v", err)
	}
	SetLogAppendTime(b, 12345)
	if got, err := Validate(b); err != nil || !got.LogAppendTime() || got.MaxTimestamp != 12345 {
		t.Fatalf("after SetLogAppendTime: %+v, %v", got, err)
	}
}

// FuzzParseHeader checks ParseHeader never panics and that what it parses
// encodes back to the same bytes.
func FuzzParseHeader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			if len(b) >= HeaderSize || !errors.Is(err, kerr.CorruptMessage) {
				t.Fatalf("ParseHeader(%d bytes): %v", len(b), err)
			}
			return
		}
		if got := h.AppendTo(nil); string(got) != string(b[:HeaderSize]) {
			t.Fatalf("re-encoded header differs:\n got %x\nwant %x", got, b[:HeaderSize])
		}
	})
}

// FuzzDecompress feeds every decoder arbitrary bytes: no panic, a Kafka code
// on every error, and never more than the limit out.
func FuzzDecompress(f *testing.F) {
	for _, c := range codecs {
		comp, err := Compress(c, rawRecords(numbered(testRecords(5, 100))...))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(c), comp)
	}
	f.Add(uint8(Snappy), xerialFramed([]byte("xerial")))
	f.Fuzz(func(t *testing.T, c uint8, src []byte) {
		const limit = 1 << 20
		out, err := Decompress(Codec(c%8), src, limit)
		if err != nil {
			if !errors.Is(err, kerr.CorruptMessage) {
				t.Fatalf("error without CORRUPT_MESSAGE: %v", err)
			}
			return
		}
		if len(out) > limit {
			t.Fatalf("%d bytes out, limit %d", len(out), limit)
		}
	})
}
