package batch

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/snappy/xerial"
	"github.com/twmb/franz-go/pkg/kerr"
)

func codecInputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	return map[string][]byte{
		"empty":      {},
		"small":      []byte("hello, samsa"),
		"repetitive": bytes.Repeat([]byte("kafka "), 200<<10),
		"random":     random,
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for _, c := range codecs {
		for name, in := range codecInputs() {
			t.Run(c.String()+"/"+name, func(t *testing.T) {
				comp, err := Compress(c, in)
				wantCode(t, err, nil)
				out, err := Decompress(c, comp, len(in))
				wantCode(t, err, nil)
				if !bytes.Equal(out, in) {
					t.Fatalf("round trip: got %d bytes, want %d", len(out), len(in))
				}
				if len(in) > 0 {
					_, err = Decompress(c, comp, len(in)-1)
					wantCode(t, err, kerr.CorruptMessage)
					_, err = Decompress(c, comp, -1)
					wantCode(t, err, kerr.CorruptMessage)
				}
			})
		}
	}
}

func TestCodecUnknown(t *testing.T) {
	for _, c := range []Codec{5, 6, 7, -1} {
		t.Run(c.String(), func(t *testing.T) {
			_, err := Decompress(c, []byte("x"), 100)
			wantCode(t, err, kerr.CorruptMessage)
			if _, err := Compress(c, []byte("x")); err == nil {
				t.Fatal("Compress accepted an unknown codec")
			}
		})
	}
}

func TestCodecString(t *testing.T) {
	want := []string{"none", "gzip", "snappy", "lz4", "zstd", "codec(5)"}
	for i, w := range want {
		if got := Codec(i).String(); got != w {
			t.Errorf("Codec(%d) = %q, want %q", i, got, w)
		}
	}
}

// TestXerial checks the Java client's snappy framing, from a third-party
// encoder, one block and several.
func TestXerial(t *testing.T) {
	for name, in := range codecInputs() {
		t.Run(name, func(t *testing.T) {
			framed := xerial.Encode(nil, in)
			if !bytes.HasPrefix(framed, xerialMagic) {
				t.Fatal("encoder did not frame")
			}
			out, err := Decompress(Snappy, framed, len(in))
			wantCode(t, err, nil)
			if !bytes.Equal(out, in) {
				t.Fatalf("got %d bytes, want %d", len(out), len(in))
			}
		})
	}

	t.Run("batch", func(t *testing.T) {
		recs := testRecords(50, 2<<10) // over one 32 KiB xerial block
		b := sealed(withCodec(recordsHeader(50), Snappy), xerial.Encode(nil, rawRecords(numbered(recs)...)))
		_, err := Validate(b)
		wantCode(t, err, nil)
	})

	framed := xerial.Encode(nil, bytes.Repeat([]byte("abc"), 50<<10))
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"header only magic", xerialMagic},
		{"partial length", append(xerial.Encode(nil, []byte("x")), 0, 0)},
		{"block overruns", framed[:len(framed)-1]},
		{"bad block", append(append(framed[:xerialHeaderSize:xerialHeaderSize], 0, 0, 0, 2), 0xff, 0xff)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decompress(Snappy, tc.in, MaxUncompressed)
			wantCode(t, err, kerr.CorruptMessage)
		})
	}
}

func xerialFramed(b []byte) []byte { return xerial.Encode(nil, b) }

func numbered(recs []Record) []Record {
	for i := range recs {
		recs[i].OffsetDelta = int32(i)
	}
	return recs
}
