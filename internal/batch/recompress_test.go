package batch

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TestRecompress converts between every pair of codecs and checks that
// only the codec, the length and the CRC change: records, timestamps and
// the producer fields of an idempotent transactional batch survive.
func TestRecompress(t *testing.T) {
	idem := plain
	idem.ProducerID, idem.ProducerEpoch, idem.BaseSequence = 42, 3, 17
	idem.Attributes = attrTransactional
	recs := testRecords(20, 100)
	recs[3].Key, recs[4].Value = nil, nil
	recs[5].Headers = []RecordHeader{{Key: []byte("h"), Value: []byte("v")}, {Key: []byte("n")}}
	for _, from := range codecs {
		for _, to := range codecs {
			t.Run(fmt.Sprintf("%s-to-%s", from, to), func(t *testing.T) {
				in := mustBuild(t, withCodec(idem, from), recs...)
				inHeader, _ := ParseHeader(in)
				out, err := Recompress(in, to)
				if err != nil {
					t.Fatal(err)
				}
				h, err := Validate(out)
				if err != nil {
					t.Fatalf("recompressed batch does not validate: %v", err)
				}
				if h.Codec() != to {
					t.Fatalf("codec %s, want %s", h.Codec(), to)
				}
				want := inHeader
				want.Attributes, want.BatchLength, want.CRC = h.Attributes, h.BatchLength, h.CRC
				if h != want || h.Attributes&^attrCodec != inHeader.Attributes&^attrCodec {
					t.Fatalf("header\n got %+v\nwant %+v", h, want)
				}
				raw, err := Decompress(to, out[HeaderSize:], MaxUncompressed)
				if err != nil {
					t.Fatal(err)
				}
				got := collect(t, h, raw)
				for i := range recs {
					r := recs[i]
					r.OffsetDelta = int32(i)
					equalRecords(t, got[i], r)
				}
			})
		}
	}
}

func TestRecompressRejectsDamage(t *testing.T) {
	b := mustBuild(t, withCodec(plain, Gzip), testRecords(3, 10)...)
	b[len(b)-1] ^= 0xff // the CRC no longer matches
	if _, err := Recompress(b, Zstd); err == nil {
		t.Fatal("a corrupt batch was recompressed")
	} else {
		wantCode(t, err, kerr.CorruptMessage)
	}
}

func TestCodecNamed(t *testing.T) {
	for name, want := range map[string]Codec{"uncompressed": None, "gzip": Gzip, "snappy": Snappy, "lz4": LZ4, "zstd": Zstd} {
		if c, ok := CodecNamed(name); !ok || c != want {
			t.Errorf("CodecNamed(%q) = %s, %v", name, c, ok)
		}
	}
	for _, name := range []string{"producer", "none", ""} {
		if _, ok := CodecNamed(name); ok {
			t.Errorf("CodecNamed(%q) names a codec", name)
		}
	}
}
