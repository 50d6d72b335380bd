package commitlog

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The cleaning tests use 30 one-record batches of 200 bytes, rolled by
// time every 3 batches: segments 0, 3, ..., 27 (the active one).
var cleanCfg = Config{SegmentBytes: 1 << 20, SegmentMs: 10, IndexIntervalBytes: 1}

func cleanSpec() batchSpec {
	return batchSpec{n: 30, ts: func(i int) int64 { return 1000 + int64(i/3)*100 }, payload: func(int) int { return 200 - batchHeaderLen }}
}

type filterCall struct {
	in, out []byte
	keep    bool
}

// testFilter drops batches whose base offset is a multiple of 3 (unless
// they must be kept), shrinks those at even offsets and keeps the rest,
// recording what it did.
func testFilter(calls *[]filterCall) CleanFilter {
	return func(dst, b []byte, keep bool) ([]byte, error) {
		h := parseBatchHeader(b)
		var out []byte
		switch {
		case h.baseOffset%3 == 0 && !keep:
		case h.baseOffset%2 == 0:
			out = makeBatch(h.baseOffset, int(h.lastOffsetDelta)+1, h.maxTimestamp, 10)
		default:
			out = b
		}
		*calls = append(*calls, filterCall{in: slices.Clone(b), out: slices.Clone(out), keep: keep})
		return append(dst, out...), nil
	}
}

// filtered is the log the calls describe, followed by the batches tail.
func filtered(calls []filterCall, tail [][]byte) [][]byte {
	var out [][]byte
	for _, c := range calls {
		if len(c.out) > 0 {
			out = append(out, c.out)
		}
	}
	return append(out, tail...)
}

func segmentBases(l *Log) []int64 {
	l.segsMu.RLock()
	defer l.segsMu.RUnlock()
	var out []int64
	for _, s := range l.segs {
		out = append(out, s.base)
	}
	return out
}

func TestClean(t *testing.T) {
	for _, segBytes := range []int64{1 << 20, 1300} { // one group; groups of two segments
		t.Run(strconvItoa(int(segBytes)), func(t *testing.T) {
			cfg := cleanCfg
			cfg.SegmentBytes = segBytes
			dir := t.TempDir()
			l := openLog(t, dir, cfg)
			batches := appendBatches(t, l, cleanSpec())
			var calls []filterCall
			st, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: testFilter(&calls)})
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 27 || st.BatchesRead != 27 || st.Swapped != st.Groups {
				t.Fatalf("filter saw %d batches, stats %+v; want the 27 of the sealed segments, every group swapped", len(calls), st)
			}
			wantGroups := map[int64][]int64{1 << 20: {0, 27}, 1300: {0, 6, 12, 18, 24, 27}}[segBytes]
			if got := segmentBases(l); !slices.Equal(got, wantGroups) {
				t.Fatalf("segments %v after cleaning, want %v", got, wantGroups)
			}
			for _, c := range calls {
				last := parseBatchHeader(c.in).lastOffset()
				if c.keep != slices.Contains(wantGroups, last+1) {
					t.Errorf("batch ending at %d: keep %v", last, c.keep)
				}
			}
			want := filtered(calls, batches[27:])
			equalBatches(t, readAll(t, l, 0, 1<<20), want)
			checkGapRead(t, l)

			// A second pass changes nothing and swaps nothing.
			var again []filterCall
			if st, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: testFilter(&again)}); err != nil || st.Swapped != 0 {
				t.Fatalf("second pass: %+v, %v", st, err)
			}

			// The cleaned log survives a clean reopen, a crash, and a full
			// scan without checkpoint, and takes appends.
			more := appendBatches(t, l, batchSpec{n: 2, ts: func(i int) int64 { return 9000 }})
			want = append(want, more...)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l = openLog(t, dir, cfg)
			equalBatches(t, readAll(t, l, 0, 100), want)
			crash(l)
			if err := os.Remove(filepath.Join(dir, checkpointName)); err != nil {
				t.Fatal(err)
			}
			l = openLog(t, dir, cfg)
			equalBatches(t, readAll(t, l, 0, 1<<20), want)
		})
	}
}

// checkGapRead reads at offset 3, whose batch the filter dropped: the read
// starts at the next batch.
func checkGapRead(t *testing.T, l *Log) {
	t.Helper()
	c, err := l.Read(3, 1, l.EndOffset())
	if err != nil {
		t.Fatal(err)
	}
	if got := parseBatchHeader(readChunk(t, c)).baseOffset; got != 4 {
		t.Fatalf("Read(3) starts at offset %d, want 4", got)
	}
}

func TestCleanKeepsGroupEnds(t *testing.T) {
	l := openLog(t, t.TempDir(), cleanCfg)
	batches := appendBatches(t, l, cleanSpec())
	dropAll := func(dst, b []byte, keep bool) ([]byte, error) { return dst, nil }
	if _, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: dropAll}); err == nil || !strings.Contains(err.Error(), "must be kept") {
		t.Fatalf("Clean with a filter dropping the group's last batch: %v", err)
	}
	equalBatches(t, readAll(t, l, 0, 1<<20), batches)
	noCleaningFiles(t, l.dir)
}

func TestCleanStop(t *testing.T) {
	l := openLog(t, t.TempDir(), cleanCfg)
	batches := appendBatches(t, l, cleanSpec())
	var calls []filterCall
	n := 0
	stop := func() bool { n++; return n > 5 }
	if _, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: testFilter(&calls), Stop: stop}); !errors.Is(err, ErrCleanAborted) {
		t.Fatalf("Clean: %v, want ErrCleanAborted", err)
	}
	equalBatches(t, readAll(t, l, 0, 1<<20), batches)
	noCleaningFiles(t, l.dir)
}

// A group whose segments go away while it is being cleaned is skipped.
func TestCleanSkipsDeletedGroup(t *testing.T) {
	l := openLog(t, t.TempDir(), cleanCfg)
	batches := appendBatches(t, l, cleanSpec())
	var calls []filterCall
	before := func() error { return l.SetStartOffset(4) }
	st, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: testFilter(&calls), BeforeSwap: before})
	if err != nil || st.Swapped != 0 {
		t.Fatalf("Clean: %+v, %v; want nothing swapped", st, err)
	}
	equalBatches(t, readAll(t, l, 4, 1<<20), batches[4:])
	noCleaningFiles(t, l.dir)
}

func noCleaningFiles(t *testing.T, dir string) {
	t.Helper()
	for _, name := range dirNames(t, dir) {
		if strings.HasSuffix(name, cleanedSuffix) || strings.HasSuffix(name, swapSuffix) {
			t.Errorf("%s left behind", name)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	for _, name := range dirNames(t, from) {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(to, name), b)
	}
}

// TestCleanInterruptedSwap rebuilds, from a log before and after a
// cleaning, each state a crash can leave the directory in during the swap,
// and checks that Open discards the cleaning before its commit point and
// completes it after.
func TestCleanInterruptedSwap(t *testing.T) {
	before, after := t.TempDir(), t.TempDir()
	l := openLog(t, after, cleanCfg)
	batches := appendBatches(t, l, cleanSpec())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	copyDir(t, after, before)
	l = openLog(t, after, cleanCfg)
	var calls []filterCall
	if _, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: testFilter(&calls)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cleaned := filtered(calls, batches[27:])
	// The one group is segments 0-24, cleaned into segment 0.
	newFile := func(ext, suffix string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			b, err := os.ReadFile(segmentPath(after, 0, ext))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, segmentPath(dir, 0, ext)+suffix, b)
		}
	}
	removeOld := func(bases ...int64) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			for _, b := range bases {
				for _, ext := range segmentExts {
					os.Remove(segmentPath(dir, b, ext))
				}
			}
		}
	}
	// Before its first rename the swap raises the checkpoint's gapsBelow
	// to the group's end, 27.
	allowGaps := func(t *testing.T, dir string) {
		ck, ok, err := readCheckpoint(dir)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		ck.gapsBelow = 27
		if err := writeCheckpoint(dir, ck); err != nil {
			t.Fatal(err)
		}
	}
	type step = func(t *testing.T, dir string)
	tests := []struct {
		name  string
		steps []step
		want  [][]byte
	}{
		{"cleaned files written", []step{newFile(indexExt, cleanedSuffix), newFile(timeIndexExt, cleanedSuffix), newFile(logExt, cleanedSuffix)}, batches},
		{"gaps allowed", []step{newFile(indexExt, cleanedSuffix), newFile(timeIndexExt, cleanedSuffix), newFile(logExt, cleanedSuffix), allowGaps}, batches},
		{"indexes renamed to swap", []step{allowGaps, newFile(indexExt, swapSuffix), newFile(timeIndexExt, swapSuffix), newFile(logExt, cleanedSuffix)}, batches},
		{"committed", []step{allowGaps, newFile(indexExt, swapSuffix), newFile(timeIndexExt, swapSuffix), newFile(logExt, swapSuffix)}, cleaned},
		{"committed, some old segments unlinked", []step{allowGaps, newFile(indexExt, swapSuffix), newFile(timeIndexExt, swapSuffix), newFile(logExt, swapSuffix), removeOld(0, 9, 12)}, cleaned},
		{"index renamed to its final name", []step{allowGaps, removeOld(0, 3, 6, 9, 12, 15, 18, 21, 24), newFile(indexExt, ""), newFile(timeIndexExt, swapSuffix), newFile(logExt, swapSuffix)}, cleaned},
		{"only the log left to rename", []step{allowGaps, removeOld(0, 3, 6, 9, 12, 15, 18, 21, 24), newFile(indexExt, ""), newFile(timeIndexExt, ""), newFile(logExt, swapSuffix)}, cleaned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, before, dir)
			for _, s := range tt.steps {
				s(t, dir)
			}
			l := openLog(t, dir, cleanCfg)
			equalBatches(t, readAll(t, l, 0, 1<<20), tt.want)
			noCleaningFiles(t, dir)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l = openLog(t, dir, cleanCfg)
			equalBatches(t, readAll(t, l, 0, 100), tt.want)
		})
	}
}

// TestCleanConcurrentReads cleans repeatedly while readers read from
// random offsets and an appender appends: every chunk read must hold whole
// valid batches, in offset order, from the offset asked for.
func TestCleanConcurrentReads(t *testing.T) {
	cfg := cleanCfg
	cfg.SegmentBytes = 1300
	l := openLog(t, t.TempDir(), cfg)
	appendBatches(t, l, cleanSpec())
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for r := range 3 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if err := readFrom(l, int64((i*7+r)%int(l.EndOffset()))); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < 300 && !stop.Load(); i++ {
			b := makeBatch(l.EndOffset(), 1, 5000+int64(i), 100)
			if _, err := l.Append(b); err != nil {
				errs <- err
				return
			}
		}
	})
	for pass := range 8 {
		shrink := func(dst, b []byte, keep bool) ([]byte, error) {
			h := parseBatchHeader(b)
			if h.size() <= batchHeaderLen+int64(pass) {
				return append(dst, b...), nil
			}
			return append(dst, makeBatch(h.baseOffset, int(h.lastOffsetDelta)+1, h.maxTimestamp, int(h.size())-batchHeaderLen-1)...), nil
		}
		if _, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: shrink}); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// readFrom reads once at offset and checks the chunk.
func readFrom(l *Log, offset int64) error {
	c, err := l.Read(offset, 1000, l.EndOffset())
	if err != nil {
		return err
	}
	b, err := c.AppendTo(nil)
	c.Release()
	if err != nil {
		return err
	}
	next := int64(-1)
	for len(b) > 0 {
		if len(b) < batchHeaderLen {
			return errors.New("torn batch header in a chunk")
		}
		n := parseBatchHeader(b).size()
		if n < batchHeaderLen || n > int64(len(b)) {
			return errors.New("torn batch in a chunk")
		}
		h, err := checkBatch(b[:n])
		if err != nil {
			return err
		}
		if next < 0 && h.lastOffset() < offset || h.baseOffset < next {
			return errors.New("batches out of order in a chunk")
		}
		next = h.lastOffset() + 1
		b = b[h.size():]
	}
	return nil
}

func TestSegments(t *testing.T) {
	l := openLog(t, t.TempDir(), cleanCfg)
	appendBatches(t, l, batchSpec{n: 7, ts: func(i int) int64 { return 1000 + int64(i/3)*100 + int64(i%3) }})
	segs, err := l.Segments()
	if err != nil {
		t.Fatal(err)
	}
	want := []SegmentInfo{
		{Base: 0, Size: 483, LargestTimestamp: 1002, FirstTimestamp: 1000},
		{Base: 3, Size: 483, LargestTimestamp: 1102, FirstTimestamp: 1100},
		{Base: 6, Size: 161, LargestTimestamp: 1200, FirstTimestamp: 1200},
	}
	if !slices.Equal(segs, want) {
		t.Fatalf("Segments() = %+v, want %+v", segs, want)
	}
}

// A version 1 checkpoint (before compaction existed) still reads: its log
// has no gaps.
func TestCheckpointVersion1(t *testing.T) {
	v1 := []byte("SLCK\x01\x01")
	v1 = binary.BigEndian.AppendUint64(v1, 3)
	v1 = binary.BigEndian.AppendUint64(v1, 9)
	v1 = binary.BigEndian.AppendUint32(v1, crc32.Checksum(v1, castagnoli))
	c, err := unmarshalCheckpoint(v1)
	if err != nil || c != (checkpoint{startOffset: 3, recoveryPoint: 9, clean: true}) {
		t.Fatalf("version 1 checkpoint read as %+v, %v", c, err)
	}
	again, err := unmarshalCheckpoint(c.marshal())
	if err != nil || again != c {
		t.Fatalf("round trip: %+v, %v", again, err)
	}
}

// Cleaning raises the checkpoint's gapsBelow before the swap, so that a
// recovery scanning the cleaned segments takes their gaps for what they
// are, while a jump in the offsets after them is still damage.
func TestCleanAllowsGapsBelow(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, cleanCfg)
	batches := appendBatches(t, l, cleanSpec())
	var calls []filterCall
	if _, err := l.Clean(CleanOptions{Upto: l.EndOffset(), Filter: testFilter(&calls)}); err != nil {
		t.Fatal(err)
	}
	ck, ok, err := readCheckpoint(dir)
	if err != nil || !ok || ck.gapsBelow != 27 {
		t.Fatalf("checkpoint %+v (%v, %v), want gapsBelow 27", ck, ok, err)
	}
	want := filtered(calls, batches[27:])
	crash(l)
	// Force a scan of every segment: recovery point 0, not clean.
	ck.recoveryPoint, ck.clean = 0, false
	if err := writeCheckpoint(dir, ck); err != nil {
		t.Fatal(err)
	}
	// Damage the active segment: its last batch claims a later offset.
	setBaseOffset(27, 2*200, 40)(t, dir)
	l = openLog(t, dir, cleanCfg)
	equalBatches(t, readAll(t, l, 0, 1<<20), want[:len(want)-1])
}
