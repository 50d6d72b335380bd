package commitlog

import (
	"errors"
	"os"
	"testing"
	"time"
)

// Batch i has timestamp 1000*i ms and holds one offset; 5 batches per segment.
func retentionLog(t *testing.T, cfg Config, n int) (*Log, string) {
	t.Helper()
	dir := t.TempDir()
	cfg.SegmentBytes = 1000
	l := openLog(t, dir, cfg)
	appendBatches(t, l, batchSpec{n: n, ts: func(i int) int64 { return int64(1000 * i) }, payload: func(int) int { return 200 - batchHeaderLen }})
	return l, dir
}

func TestRetention(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		n           int
		now         int64 // ms
		deleted     int
		start, segs int64
	}{
		{"nothing expired", Config{RetentionMs: 100_000}, 12, 50_000, 0, 0, 3},
		{"first segment expired", Config{RetentionMs: 10_000}, 12, 14_001, 1, 5, 2},
		{"largest timestamp not yet expired", Config{RetentionMs: 10_000}, 12, 14_000, 0, 0, 3},
		{"two segments expired", Config{RetentionMs: 1_000}, 12, 10_001, 2, 10, 1},
		{"everything expired rolls", Config{RetentionMs: 1_000}, 12, 100_000, 3, 12, 1},
		{"unlimited", Config{RetentionMs: -1}, 12, 1 << 50, 0, 0, 3},
		{"bytes under the limit", Config{RetentionMs: -1, RetentionBytes: 2400}, 12, 0, 0, 0, 3},
		{"bytes over by less than a segment", Config{RetentionMs: -1, RetentionBytes: 1500}, 12, 0, 0, 0, 3},
		{"bytes over by a segment", Config{RetentionMs: -1, RetentionBytes: 1400}, 12, 0, 1, 5, 2},
		{"bytes zero-ish", Config{RetentionMs: -1, RetentionBytes: 1}, 12, 0, 2, 10, 1},
		{"time then bytes", Config{RetentionMs: 10_000, RetentionBytes: 300}, 12, 14_001, 2, 10, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, dir := retentionLog(t, tt.cfg, tt.n)
			end := l.EndOffset()
			n, err := l.ApplyRetention(time.UnixMilli(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.deleted || l.StartOffset() != tt.start || int64(len(l.segs)) != tt.segs {
				t.Fatalf("deleted %d, start %d, %d segments; want %d, %d, %d", n, l.StartOffset(), len(l.segs), tt.deleted, tt.start, tt.segs)
			}
			if l.EndOffset() != end {
				t.Fatalf("end moved from %d to %d", end, l.EndOffset())
			}
			for base := int64(0); base < tt.start; base += 5 {
				if _, err := os.Stat(segmentPath(dir, base, logExt)); !os.IsNotExist(err) {
					t.Fatalf("segment %d still on disk: %v", base, err)
				}
			}
			if tt.start > 0 {
				if _, err := l.Read(tt.start-1, 1, end); !errors.Is(err, ErrOffsetOutOfRange) {
					t.Fatalf("Read below the new start: %v", err)
				}
			}
			if tt.start < end {
				c, err := l.Read(tt.start, 1, end)
				if err != nil || c.Len() == 0 {
					t.Fatalf("Read at the new start: %v, %d bytes", err, c.Len())
				}
				c.Release()
			}
			// The start offset is checkpointed.
			ck, ok, err := readCheckpoint(dir)
			if err != nil || !ok || ck.startOffset != tt.start {
				t.Fatalf("checkpoint %+v, %v, %v; want start %d", ck, ok, err, tt.start)
			}
			// Appends continue.
			appendBatches(t, l, batchSpec{n: 1})
		})
	}
}

func TestSetStartOffset(t *testing.T) {
	l, _ := retentionLog(t, Config{}, 12)
	if err := l.SetStartOffset(13); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatalf("past the end: %v", err)
	}
	if err := l.SetStartOffset(7); err != nil {
		t.Fatal(err)
	}
	if l.StartOffset() != 7 || len(l.segs) != 2 || l.segs[0].base != 5 {
		t.Fatalf("start %d, %d segments", l.StartOffset(), len(l.segs))
	}
	if err := l.SetStartOffset(3); err != nil || l.StartOffset() != 7 {
		t.Fatalf("lowering: %v, start %d", err, l.StartOffset())
	}
	if err := l.SetStartOffset(12); err != nil || l.StartOffset() != 12 || len(l.segs) != 1 {
		t.Fatalf("to the end: %v, start %d, %d segments", err, l.StartOffset(), len(l.segs))
	}
	c, err := l.Read(12, 1, 12)
	if err != nil || c.Len() != 0 {
		t.Fatalf("Read at end: %v", err)
	}
}

// A reader holding a Chunk keeps reading it after retention deletes its segment.
func TestChunkOutlivesDeletion(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, Config{SegmentBytes: 1000, RetentionMs: 1000})
	batches := appendBatches(t, l, batchSpec{n: 12, ts: func(i int) int64 { return int64(i) }, payload: func(int) int { return 200 - batchHeaderLen }})
	c, err := l.Read(0, 1<<20, l.EndOffset())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := l.ApplyRetention(time.UnixMilli(100_000)); err != nil || n != 3 {
		t.Fatalf("ApplyRetention: %d, %v", n, err)
	}
	if _, err := os.Stat(segmentPath(dir, 0, logExt)); !os.IsNotExist(err) {
		t.Fatalf("segment 0 still on disk: %v", err)
	}
	seg := c.seg
	equalBatches(t, splitBatches(t, readChunk(t, c)), batches[:5])
	if r := seg.refs.Load(); r != 0 {
		t.Fatalf("segment refs %d after release", r)
	}
}
