package commitlog

import (
	"testing"
)

func TestOffsetForTimestamp(t *testing.T) {
	// Batch i holds offsets [2i, 2i+2). Timestamps rise with a dip and a
	// plateau, so "first batch reaching ts" differs from "batch with ts".
	ts := []int64{100, 200, 150, 300, 300, 250, 400, 500, 450, 600, 700, 650}
	for _, reopen := range []bool{false, true} {
		name := "live"
		if reopen {
			name = "reopened"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := Config{SegmentBytes: 800, IndexIntervalBytes: 1}
			l := openLog(t, dir, cfg)
			appendBatches(t, l, batchSpec{n: len(ts), records: func(int) int { return 2 }, ts: func(i int) int64 { return ts[i] }, payload: func(int) int { return 139 }})
			if err := l.SetStartOffset(3); err != nil {
				t.Fatal(err)
			}
			if reopen {
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				l = openLog(t, dir, cfg)
			}
			if len(l.segs) < 3 {
				t.Fatalf("want several segments, got %d", len(l.segs))
			}
			tests := []struct {
				ts     int64
				offset int64
				batchT int64
				ok     bool
			}{
				{0, 3, 200, true},    // start offset 3 lies in batch 1
				{200, 3, 200, true},  // batch 1 straddles the start offset
				{201, 6, 300, true},  // batch 3
				{300, 6, 300, true},  // the first of the plateau
				{301, 12, 400, true}, // batch 6
				{460, 14, 500, true}, // batch 7, not the later 450 one
				{501, 18, 600, true}, // batch 9, in a later segment
				{651, 20, 700, true}, // batch 10
				{700, 20, 700, true}, // exact
				{701, 0, 0, false},   // nothing reaches it
			}
			for _, tt := range tests {
				off, bt, ok, err := l.OffsetForTimestamp(tt.ts)
				if err != nil {
					t.Fatalf("OffsetForTimestamp(%d): %v", tt.ts, err)
				}
				if ok != tt.ok || (ok && (off != tt.offset || bt != tt.batchT)) {
					t.Errorf("OffsetForTimestamp(%d) = %d, %d, %v; want %d, %d, %v", tt.ts, off, bt, ok, tt.offset, tt.batchT, tt.ok)
				}
			}
			if ts, off := l.MaxTimestamp(); ts != 700 || off != 21 {
				t.Errorf("MaxTimestamp = %d, %d; want 700, 21", ts, off)
			}
		})
	}
}

func TestMaxTimestampEmpty(t *testing.T) {
	l := openLog(t, t.TempDir(), Config{})
	if ts, off := l.MaxTimestamp(); ts != -1 || off != -1 {
		t.Fatalf("MaxTimestamp of an empty log = %d, %d", ts, off)
	}
	if _, _, ok, err := l.OffsetForTimestamp(0); ok || err != nil {
		t.Fatalf("OffsetForTimestamp on an empty log: %v, %v", ok, err)
	}
	appendBatches(t, l, batchSpec{n: 3, ts: func(int) int64 { return -1 }})
	if ts, off := l.MaxTimestamp(); ts != -1 || off != -1 {
		t.Fatalf("MaxTimestamp without timestamps = %d, %d", ts, off)
	}
}

func TestRollBySegmentMs(t *testing.T) {
	l := openLog(t, t.TempDir(), Config{SegmentMs: 1000})
	// The second batch is within 1000ms of the first; the third is not.
	appendBatches(t, l, batchSpec{n: 4, ts: func(i int) int64 { return []int64{10_000, 10_900, 11_001, 11_500}[i] }})
	var bases []int64
	for _, s := range l.segs {
		bases = append(bases, s.base)
	}
	if len(bases) != 2 || bases[1] != 2 {
		t.Fatalf("segment bases %v, want [0 2]", bases)
	}
}
