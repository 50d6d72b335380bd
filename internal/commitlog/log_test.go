package commitlog

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestAppendReadRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		spec     batchSpec
		maxBytes int
		minSegs  int
	}{
		{"one segment", Config{}, batchSpec{n: 50}, 1 << 20, 1},
		{"many rolls", Config{SegmentBytes: 1000, IndexIntervalBytes: 300}, batchSpec{n: 200}, 1 << 20, 30},
		{"mixed sizes", Config{SegmentBytes: 5000, IndexIntervalBytes: 100},
			batchSpec{n: 300, records: func(i int) int { return 1 + i%7 }, payload: func(i int) int { return (i * 37) % 900 }}, 700, 10},
		{"batch larger than segment", Config{SegmentBytes: 500},
			batchSpec{n: 10, payload: func(i int) int { return 1000 }}, 1, 10},
		{"one batch per read", Config{SegmentBytes: 2000, IndexIntervalBytes: 1}, batchSpec{n: 100, records: func(i int) int { return 3 }}, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLog(t, t.TempDir(), tt.cfg)
			want := appendBatches(t, l, tt.spec)
			equalBatches(t, readAll(t, l, 0, tt.maxBytes), want)
			if n := len(l.segs); n < tt.minSegs {
				t.Errorf("%d segments, want at least %d", n, tt.minSegs)
			}
			var size int64
			for _, b := range want {
				size += int64(len(b))
			}
			if l.Size() != size {
				t.Errorf("Size %d, want %d", l.Size(), size)
			}
		})
	}
}

func TestAppendRejects(t *testing.T) {
	l := openLog(t, t.TempDir(), Config{})
	appendBatches(t, l, batchSpec{n: 2})
	badCRC := makeBatch(2, 1, 0, 10)
	badCRC[len(badCRC)-1] ^= 1
	badMagic := makeBatch(2, 1, 0, 10)
	badMagic[16] = 1
	tests := []struct {
		name  string
		batch []byte
		want  error
	}{
		{"offset behind", makeBatch(1, 1, 0, 10), ErrUnexpectedOffset},
		{"offset ahead", makeBatch(3, 1, 0, 10), ErrUnexpectedOffset},
		{"bad crc", badCRC, ErrInvalidBatch},
		{"bad magic", badMagic, ErrInvalidBatch},
		{"short", makeBatch(2, 1, 0, 10)[:40], ErrInvalidBatch},
		{"trailing bytes", append(makeBatch(2, 1, 0, 10), 0), ErrInvalidBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := l.Append(tt.batch); !errors.Is(err, tt.want) {
				t.Fatalf("Append: %v, want %v", err, tt.want)
			}
			if l.EndOffset() != 2 {
				t.Fatalf("EndOffset %d after a rejected append", l.EndOffset())
			}
		})
	}
}

// TestRead uses 4 segments of 5 batches; batch i holds offsets [3i, 3i+3)
// and is 200 bytes.
func TestRead(t *testing.T) {
	l := openLog(t, t.TempDir(), Config{SegmentBytes: 1000, IndexIntervalBytes: 1})
	batches := appendBatches(t, l, batchSpec{n: 20, records: func(int) int { return 3 }, payload: func(int) int { return 200 - batchHeaderLen }})
	if err := l.SetStartOffset(4); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		offset    int64
		maxBytes  int
		maxOffset int64
		want      []int // batch indexes
		err       error
	}{
		{"start of log", 4, 1000, 60, []int{1, 2, 3, 4}, nil},
		{"inside a batch", 7, 400, 60, []int{2, 3}, nil},
		{"last offset of a batch", 8, 200, 60, []int{2}, nil},
		{"maxBytes below one batch", 30, 10, 60, []int{10}, nil},
		{"maxBytes not a batch multiple", 30, 599, 60, []int{10, 11}, nil},
		{"stops at segment end", 39, 1 << 20, 60, []int{13, 14}, nil},
		{"next segment", 45, 1 << 20, 60, []int{15, 16, 17, 18, 19}, nil},
		{"maxOffset cuts", 45, 1 << 20, 52, []int{15, 16, 17}, nil},
		{"maxOffset inside a batch keeps it", 45, 1 << 20, 49, []int{15, 16}, nil},
		{"maxOffset is the offset", 45, 1 << 20, 45, nil, nil},
		{"maxOffset below the offset", 46, 1 << 20, 40, nil, nil},
		{"log end", 60, 1 << 20, 60, nil, nil},
		{"past the end", 61, 1 << 20, 100, nil, ErrOffsetOutOfRange},
		{"below the start", 3, 1 << 20, 60, nil, ErrOffsetOutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := l.Read(tt.offset, tt.maxBytes, tt.maxOffset)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Read: %v, want %v", err, tt.err)
			}
			var want []byte
			for _, i := range tt.want {
				want = append(want, batches[i]...)
			}
			got := readChunk(t, c)
			if string(got) != string(want) {
				t.Fatalf("got %d bytes (%d batches), want batches %v", len(got), len(got)/200, tt.want)
			}
		})
	}
}

// TestReadIndexed reads every offset of a large log with varied batches and
// checks that the index lookups land on the right batch.
func TestReadIndexed(t *testing.T) {
	for _, interval := range []int{1, 100, 4096, 1 << 20} {
		t.Run("interval="+strconv.Itoa(interval), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(interval)))
			l := openLog(t, t.TempDir(), Config{SegmentBytes: 64 << 10, IndexIntervalBytes: interval})
			sizes := make([]int, 1500)
			counts := make([]int, len(sizes))
			for i := range sizes {
				sizes[i], counts[i] = rng.IntN(300), 1+rng.IntN(5)
			}
			batches := appendBatches(t, l, batchSpec{n: len(sizes), records: func(i int) int { return counts[i] }, payload: func(i int) int { return sizes[i] }})
			if interval == 100 && len(l.segs[0].offIdx.buf) == 0 {
				t.Fatal("offset index is empty")
			}
			var offset int64
			for i, b := range batches {
				h := parseBatchHeader(b)
				for ; offset <= h.lastOffset(); offset++ {
					c, err := l.Read(offset, 1, l.EndOffset())
					if err != nil {
						t.Fatalf("Read(%d): %v", offset, err)
					}
					if got := readChunk(t, c); string(got) != string(b) {
						t.Fatalf("Read(%d) did not return batch %d", offset, i)
					}
				}
			}
			// Chunks cut by maxBytes end at the batch boundary below the limit.
			for range 300 {
				i := rng.IntN(len(batches))
				maxBytes := rng.IntN(3000)
				c, err := l.Read(parseBatchHeader(batches[i]).baseOffset, maxBytes, l.EndOffset())
				if err != nil {
					t.Fatal(err)
				}
				got := splitBatches(t, readChunk(t, c))
				n := len(got)
				equalBatches(t, got, batches[i:i+n])
				var total int
				for _, b := range got {
					total += len(b)
				}
				last := parseBatchHeader(got[n-1]).lastOffset()
				seg := l.segs[segmentIndex(l, last)]
				if n > 1 && total > maxBytes {
					t.Fatalf("chunk of %d bytes for maxBytes %d", total, maxBytes)
				}
				if i+n < len(batches) && last+1 < seg.next.Load() && total+len(batches[i+n]) <= maxBytes {
					t.Fatalf("chunk stopped early: %d bytes, next batch %d, maxBytes %d", total, len(batches[i+n]), maxBytes)
				}
			}
		})
	}
}

func segmentIndex(l *Log, offset int64) int {
	i := 0
	for i+1 < len(l.segs) && l.segs[i+1].base <= offset {
		i++
	}
	return i
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{SegmentBytes: 2000, IndexIntervalBytes: 300}
	l, err := Open(dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	batches := appendBatches(t, l, batchSpec{n: 60, records: func(i int) int { return 1 + i%3 }, ts: func(i int) int64 { return int64(5000 - i*7%100) }})
	if err := l.SetStartOffset(7); err != nil {
		t.Fatal(err)
	}
	type state struct {
		start, end, size, maxTs, maxTsOff int64
		segs                              int
	}
	snapshot := func(l *Log) state {
		ts, off := l.MaxTimestamp()
		return state{l.StartOffset(), l.EndOffset(), l.Size(), ts, off, len(l.segs)}
	}
	before := snapshot(l)
	beforeRead := readAll(t, l, l.StartOffset(), 777)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lg, logs := newTestLogger(t)
	l2, err := Open(dir, cfg, lg)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if after := snapshot(l2); after != before {
		t.Fatalf("after reopen %+v, before %+v", after, before)
	}
	if l2.RecoveryPoint() != l2.EndOffset() {
		t.Fatalf("recovery point %d, end %d", l2.RecoveryPoint(), l2.EndOffset())
	}
	if logs.contains("truncat") || logs.contains("sanity") {
		t.Fatalf("clean reopen repaired something: %q", logs.lines)
	}
	equalBatches(t, readAll(t, l2, l2.StartOffset(), 777), beforeRead)
	more := appendBatches(t, l2, batchSpec{n: 5})
	equalBatches(t, readAll(t, l2, 0+parseBatchHeader(batches[len(batches)-1]).lastOffset()+1, 1<<20), more)
}

func TestFileNames(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, Config{SegmentBytes: 1000})
	// 200-byte batches of 10 records: 5 per segment.
	appendBatches(t, l, batchSpec{n: 11, records: func(int) int { return 10 }, payload: func(int) int { return 200 - batchHeaderLen }})
	want := []string{
		"00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex",
		"00000000000000000050.index", "00000000000000000050.log", "00000000000000000050.timeindex",
		"00000000000000000100.index", "00000000000000000100.log", "00000000000000000100.timeindex",
		"commitlog.checkpoint",
	}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	st, err := os.Stat(segmentPath(dir, 50, logExt))
	if err != nil || st.Size() != 1000 {
		t.Fatalf("segment 50: %v, %d bytes", err, st.Size())
	}
}

func TestClosed(t *testing.T) {
	l := openLog(t, t.TempDir(), Config{})
	appendBatches(t, l, batchSpec{n: 1})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := l.Append(makeBatch(1, 1, 0, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
	if _, err := l.Read(0, 1, 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
	if err := l.Sync(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sync after Close: %v", err)
	}
}

func TestDelete(t *testing.T) {
	dir := t.TempDir() + "/p-0"
	l := openLog(t, dir, Config{})
	appendBatches(t, l, batchSpec{n: 3})
	if err := l.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("directory still there: %v", err)
	}
}

// After a failed write the log refuses appends and syncs until reopened, and
// Close does not mark the shutdown clean.
func TestWriteFailureIsSticky(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	batches := appendBatches(t, l, batchSpec{n: 3})
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	_ = l.segs[0].log.Close() // the next write fails with EBADF
	if _, err := l.Append(makeBatch(3, 1, 0, 10)); err == nil {
		t.Fatal("Append on a closed file succeeded")
	}
	for i, op := range []func() error{
		func() error { _, err := l.Append(makeBatch(3, 1, 0, 10)); return err },
		l.Sync,
		l.Close,
	} {
		if err := op(); err == nil || errors.Is(err, ErrClosed) {
			t.Fatalf("operation %d after the failure: %v", i, err)
		}
	}
	if ck, _, _ := readCheckpoint(dir); ck.clean {
		t.Fatal("a failed log was marked clean")
	}
	l = openLog(t, dir, Config{})
	equalBatches(t, readAll(t, l, 0, 1<<20), batches)
}

// Sync checkpoints the recovery point once it passes the active segment's
// base, so that recovery scans only the active segment.
func TestSyncCheckpointsAfterRoll(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, Config{SegmentBytes: 1000})
	appendBatches(t, l, batchSpec{n: 12, payload: func(int) int { return 200 - batchHeaderLen }})
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	ck, ok, err := readCheckpoint(dir)
	if err != nil || !ok || ck.clean || ck.recoveryPoint != 12 {
		t.Fatalf("checkpoint %+v, %v, %v; want recovery point 12", ck, ok, err)
	}
	appendBatches(t, l, batchSpec{n: 1})
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if ck, _, _ := readCheckpoint(dir); ck.recoveryPoint != 12 {
		t.Fatalf("checkpoint rewritten without a roll: %+v", ck)
	}
	if l.RecoveryPoint() != 13 {
		t.Fatalf("recovery point %d, want 13", l.RecoveryPoint())
	}
}

// TestOnDiskFormat pins the bytes of the index files and the checkpoint.
func TestOnDiskFormat(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, Config{IndexIntervalBytes: 1})
	// 100-byte batches of 2 offsets at positions 0, 100, 200.
	appendBatches(t, l, batchSpec{n: 3, records: func(int) int { return 2 },
		ts: func(i int) int64 { return []int64{10, 30, 20}[i] }, payload: func(int) int { return 100 - batchHeaderLen }})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		want string
	}{
		// Batches 1 and 2 are indexed (by last offset); the first never is.
		{segmentName(0, indexExt), "00000003 00000064 00000005 000000c8"},
		// The max timestamp 30 was first reached by batch 1 (last offset 3);
		// batch 2 did not raise it, nor did sealing at Close.
		{segmentName(0, timeIndexExt), "000000000000001e 00000003"},
		// "SLCK", version 2, clean, start 0, recovery point 6, no gaps
		// (gapsBelow 0), then the CRC.
		{checkpointName, "534c434b 02 01 0000000000000000 0000000000000006 0000000000000000"},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ReplaceAll(tt.want, " ", "")
		if tt.file == checkpointName {
			b = b[:len(b)-4]
		}
		if got := hex.EncodeToString(b); got != want {
			t.Errorf("%s = %s, want %s", tt.file, got, want)
		}
	}
}
