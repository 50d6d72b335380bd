package commitlog

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"testing"
)

const benchBatchSize = 16 << 10

func BenchmarkAppend(b *testing.B) {
	for _, syncEvery := range []int{0, 1, 16} {
		b.Run("sync_every="+strconv.Itoa(syncEvery), func(b *testing.B) {
			l, err := Open(b.TempDir(), Config{SegmentBytes: 256 << 20}, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			batch := makeBatch(0, 10, 1, benchBatchSize-batchHeaderLen)
			b.SetBytes(benchBatchSize)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				// The base offset lies outside the CRC, so the batch stays valid.
				binary.BigEndian.PutUint64(batch, uint64(l.EndOffset()))
				if _, err := l.Append(batch); err != nil {
					b.Fatal(err)
				}
				if syncEvery > 0 && (i+1)%syncEvery == 0 {
					if err := l.Sync(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func BenchmarkRead(b *testing.B) {
	l, err := Open(b.TempDir(), Config{SegmentBytes: 16 << 20}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	batch := makeBatch(0, 10, 1, benchBatchSize-batchHeaderLen)
	for range 4096 { // 64 MiB in 4 segments
		binary.BigEndian.PutUint64(batch, uint64(l.EndOffset()))
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
	end := l.EndOffset()
	for _, bench := range []struct {
		name     string
		maxBytes int
		copy     bool
	}{
		{"chunk_1MiB", 1 << 20, false}, // what a sendfile path costs
		{"copy_16KiB", benchBatchSize, true},
		{"copy_1MiB", 1 << 20, true},
	} {
		b.Run(bench.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			var buf []byte
			var n int64
			b.ReportAllocs()
			for b.Loop() {
				c, err := l.Read(rng.Int64N(end), bench.maxBytes, end)
				if err != nil {
					b.Fatal(err)
				}
				if bench.copy {
					if buf, err = c.AppendTo(buf[:0]); err != nil {
						b.Fatal(err)
					}
				}
				n += int64(c.Len())
				c.Release()
			}
			b.SetBytes(n / int64(b.N))
		})
	}
}
