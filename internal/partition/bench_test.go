package partition

import (
	"log/slog"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// BenchmarkAppend appends 16 KiB batches of 16 records, plain and from an
// idempotent producer, to compare the cost of the producer state checks.
// Run: go test ./internal/partition -bench Append -count 6 | benchstat.
func BenchmarkAppend(b *testing.B) {
	for _, tc := range []struct {
		name       string
		producerID int64
	}{
		{"plain", -1},
		{"idempotent", 42},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p, err := Open(b.TempDir(), "bench", 0, Config{MaxMessageBytes: 1 << 20}, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			recs := make([]batch.Record, 16)
			for i := range recs {
				recs[i] = batch.Record{Value: make([]byte, 1000)}
			}
			template := func(seq int32) []byte {
				h := batch.Header{ProducerID: tc.producerID, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: 1}
				if tc.producerID >= 0 {
					h.ProducerEpoch, h.BaseSequence = 0, seq
				}
				raw, err := batch.Build(h, recs...)
				if err != nil {
					b.Fatal(err)
				}
				return raw
			}
			// Batches are built before the timer: only the append counts.
			batches := make([][]byte, b.N)
			for i := range batches {
				batches[i] = template(int32(i * 16))
			}
			b.SetBytes(int64(len(batches[0])))
			now := time.Now()
			b.ResetTimer()
			for i := range b.N {
				if _, err := p.Append(batches[i], now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
