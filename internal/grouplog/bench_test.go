package grouplog

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/samsa-streaming/samsa/internal/group"
)

func benchOffsets(n int) []group.Offset {
	offs := make([]group.Offset, n)
	for i := range offs {
		offs[i] = off("events", int32(i), 123456789, "")
	}
	return offs
}

// BenchmarkCommitOffsets measures one commit: encode, append, fsync. The
// fsync dominates on a real disk; allocs/op is the encoding.
func BenchmarkCommitOffsets(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("partitions=%d", n), func(b *testing.B) {
			s := newStore(b)
			offs := benchOffsets(n)
			b.ReportAllocs()
			for b.Loop() {
				if err := s.l.CommitOffsets("group", offs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCommitOffsetsParallel commits from many goroutines, each its own
// group, as a busy coordinator does: concurrent calls share fsyncs.
func BenchmarkCommitOffsetsParallel(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("partitions=%d", n), func(b *testing.B) {
			s := newStore(b)
			var next atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				g := fmt.Sprintf("group-%d", next.Add(1))
				offs := benchOffsets(n)
				for pb.Next() {
					if err := s.l.CommitOffsets(g, offs); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkReplay measures Open over a log of 100 groups x 100 partitions
// committed 10 times each (100,000 records).
func BenchmarkReplay(b *testing.B) {
	s := newStore(b)
	offs := benchOffsets(100)
	for range 10 {
		for g := range 100 {
			if err := s.l.CommitOffsets(fmt.Sprintf("group-%d", g), offs); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, loaded, err := Open(s.p, discard); err != nil || len(loaded.Offsets) != 100 {
			b.Fatal(err, len(loaded.Offsets))
		}
	}
}
