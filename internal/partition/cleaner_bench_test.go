package partition

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// BenchmarkClean measures one cleaning pass over a fully dirty log of
// about 32 MiB: 1 MiB segments of 16-record batches of 200-byte values
// over 20,000 keys, uncompressed and lz4. The bytes per second are those
// of the log read. Run: go test ./internal/partition -run '^$' -bench Clean -benchtime 3x.
func BenchmarkClean(b *testing.B) {
	for _, codec := range []batch.Codec{batch.None, batch.LZ4} {
		b.Run(codec.String(), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				p := dirtyLog(b, codec, 32<<20)
				b.SetBytes(p.Size())
				b.StartTimer()
				if _, err := p.Clean(context.Background(), time.Now()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				p.Close()
			}
		})
	}
}

func dirtyLog(b *testing.B, codec batch.Codec, size int64) *Partition {
	cfg := Config{MaxMessageBytes: 1 << 20, Compact: true, Compaction: Compaction{DeleteRetentionMs: 1000},
		Log: commitlog.Config{SegmentBytes: 1 << 20, RetentionMs: -1, RetentionBytes: -1}}
	p, err := Open(b.TempDir(), "bench", 0, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	value := make([]byte, 200)
	for i := 0; p.Size() < size; i++ {
		recs := make([]batch.Record, 16)
		for j := range recs {
			for k := range value {
				value[k] = byte(rng.Uint32())
			}
			recs[j] = batch.Record{Key: fmt.Appendf(nil, "key-%05d", rng.IntN(20000)), Value: append([]byte(nil), value...)}
		}
		raw, err := batch.Build(batch.Header{Attributes: int16(codec), ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: 1}, recs...)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Append(raw, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	return p
}
