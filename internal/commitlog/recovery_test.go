package commitlog

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The recovery tests damage a log of 12 batches of 200 bytes, 2 offsets each,
// in segments of 5 batches: 0 (offsets 0-9), 10 (10-19), 20 (20-23).
var recoveryCfg = Config{SegmentBytes: 1000, IndexIntervalBytes: 1}

func recoverySpec() batchSpec {
	return batchSpec{n: 12, records: func(int) int { return 2 }, payload: func(int) int { return 200 - batchHeaderLen }}
}

type damage func(t *testing.T, dir string)

func truncateFile(base int64, size int64) damage {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Truncate(segmentPath(dir, base, logExt), size); err != nil {
			t.Fatal(err)
		}
	}
}

func truncateIndex(base int64, ext string, size int64) damage {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Truncate(segmentPath(dir, base, ext), size); err != nil {
			t.Fatal(err)
		}
	}
}

func flipByte(base int64, ext string, pos int64) damage {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := segmentPath(dir, base, ext)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[pos] ^= 0x5a
		writeFile(t, path, b)
	}
}

func setBaseOffset(base, pos, offset int64) damage {
	return func(t *testing.T, dir string) {
		t.Helper()
		f, err := os.OpenFile(segmentPath(dir, base, logExt), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteAt(binary.BigEndian.AppendUint64(nil, uint64(offset)), pos); err != nil {
			t.Fatal(err)
		}
	}
}

func appendToFile(base int64, tail []byte) damage {
	return func(t *testing.T, dir string) {
		t.Helper()
		f, err := os.OpenFile(segmentPath(dir, base, logExt), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(tail); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func forFiles(t *testing.T, dir, suffix string, fn func(path string)) {
	t.Helper()
	for _, name := range dirNames(t, dir) {
		if strings.HasSuffix(name, suffix) {
			fn(filepath.Join(dir, name))
		}
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestRecovery(t *testing.T) {
	tests := []struct {
		name   string
		damage damage
		want   int  // batches that survive
		clean  bool // also damage after a clean Close (the clean path must notice)
		// quiet: the damage leaves a valid but shorter log, nothing to truncate.
		// kept: after a clean Close the damaged index file stays as it is:
		// either a rebuild in memory fixes it (rebuildIndexesLocked), or the
		// damage is harmless (fewer entries make lookups scan further).
		quiet, kept bool
	}{
		{name: "no damage", damage: func(*testing.T, string) {}, want: 12, clean: true},
		{name: "truncated mid batch", damage: truncateFile(20, 250), want: 11, clean: true},
		{name: "truncated mid header", damage: truncateFile(20, 230), want: 11, clean: true},
		{name: "truncated at a batch boundary", damage: truncateFile(20, 200), want: 11, clean: true, quiet: true},
		{name: "truncated to nothing", damage: truncateFile(20, 0), want: 10, clean: true, quiet: true},
		{name: "middle segment truncated", damage: truncateFile(10, 450), want: 7, clean: true},
		{name: "crc of the last batch", damage: flipByte(20, logExt, 300), want: 11},
		{name: "crc in the first segment", damage: flipByte(0, logExt, 470), want: 2},
		{name: "batch length in a middle segment", damage: flipByte(10, logExt, 210), want: 6},
		{name: "magic", damage: flipByte(20, logExt, 216), want: 11},
		{name: "base offset", damage: flipByte(20, logExt, 207), want: 11},
		{name: "base offset goes back", damage: setBaseOffset(20, 200, 3), want: 11},
		{name: "garbage appended", damage: appendToFile(20, randomBytes(100)), want: 12, clean: true},
		{name: "garbage after a middle segment", damage: appendToFile(10, randomBytes(50)), want: 10, clean: true},
		{name: "zero-filled tail", damage: appendToFile(20, make([]byte, 4096)), want: 12, clean: true},
		{name: "empty trailing segment", damage: func(t *testing.T, dir string) {
			writeFile(t, segmentPath(dir, 24, logExt), nil)
		}, want: 12, clean: true},
		{name: "segment after a gap", damage: func(t *testing.T, dir string) {
			writeFile(t, segmentPath(dir, 30, logExt), makeBatch(30, 1, 0, 10))
		}, want: 12, clean: true},
		{name: "index files deleted", damage: func(t *testing.T, dir string) {
			forFiles(t, dir, "index", func(p string) { _ = os.Remove(p) })
		}, want: 12, clean: true},
		{name: "index files garbage", damage: func(t *testing.T, dir string) {
			forFiles(t, dir, "index", func(p string) { writeFile(t, p, randomBytes(48)) })
		}, want: 12, clean: true},
		{name: "index files odd-sized", damage: func(t *testing.T, dir string) {
			forFiles(t, dir, "index", func(p string) { writeFile(t, p, randomBytes(13)) })
		}, want: 12, clean: true},
		{name: "index files zeroed", damage: func(t *testing.T, dir string) {
			forFiles(t, dir, "index", func(p string) { writeFile(t, p, make([]byte, 24)) })
		}, want: 12, clean: true},
		{name: "time index cut short", damage: truncateIndex(0, timeIndexExt, timeEntrySize), want: 12, clean: true},
		{name: "time index emptied", damage: truncateIndex(10, timeIndexExt, 0), want: 12, clean: true},
		{name: "offset index cut short", damage: truncateIndex(10, indexExt, offsetEntrySize), want: 12, clean: true, kept: true},
		{name: "index entry points mid batch", damage: flipByte(0, indexExt, 7), want: 12, clean: true, kept: true},
		{name: "checkpoint deleted", damage: func(t *testing.T, dir string) {
			_ = os.Remove(filepath.Join(dir, checkpointName))
		}, want: 12, clean: true},
		{name: "checkpoint garbage", damage: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, checkpointName), randomBytes(26))
		}, want: 12, clean: true},
		{name: "stray temporary files", damage: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, checkpointName+".tmp"), []byte("x"))
			writeFile(t, segmentPath(dir, 0, indexExt)+".tmp", []byte("x"))
			writeFile(t, segmentPath(dir, 99, timeIndexExt), []byte("orphan"))
		}, want: 12, clean: true},
	}
	for _, clean := range []bool{false, true} {
		for _, tt := range tests {
			if clean && !tt.clean {
				continue
			}
			name := "crash/" + tt.name
			if clean {
				name = "clean/" + tt.name
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				l, err := Open(dir, recoveryCfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				batches := appendBatches(t, l, recoverySpec())
				if clean {
					if err := l.Close(); err != nil {
						t.Fatal(err)
					}
				} else {
					crash(l)
				}
				indexes := readIndexFiles(t, dir)
				tt.damage(t, dir)

				lg, logs := newTestLogger(t)
				l, err = Open(dir, recoveryCfg, lg)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer l.Close()
				checkRecovered(t, l, batches[:tt.want])
				if tt.want < 12 && !tt.quiet && !logs.contains("truncat") && !logs.contains("deleting") {
					t.Errorf("no Info line about the truncation: %q", logs.lines)
				}
				if tt.want == 12 && !(clean && tt.kept) {
					// Rebuilt indexes are the ones Append wrote.
					if got := readIndexFiles(t, dir); !sameIndexes(got, indexes) {
						t.Errorf("index files differ after recovery:\n%v\nwant\n%v", got, indexes)
					}
				}
				for _, name := range dirNames(t, dir) {
					if strings.HasSuffix(name, ".tmp") || strings.HasPrefix(name, "00000000000000000099") {
						t.Errorf("%s left behind", name)
					}
				}
				// Appends continue at the recovered end, and a second reopen
				// (clean this time) sees the same log.
				more := appendBatches(t, l, batchSpec{n: 3, records: func(int) int { return 2 }, ts: func(i int) int64 { return int64(5000 + i) }})
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				l = openLog(t, dir, recoveryCfg)
				checkRecovered(t, l, append(slices.Clone(batches[:tt.want]), more...))
			})
		}
	}
}

// checkRecovered checks that l holds exactly want and that its indexes work.
func checkRecovered(t *testing.T, l *Log, want [][]byte) {
	t.Helper()
	end := int64(0)
	if len(want) > 0 {
		end = parseBatchHeader(want[len(want)-1]).lastOffset() + 1
	}
	if l.EndOffset() != end || l.StartOffset() != 0 {
		t.Fatalf("offsets [%d, %d), want [0, %d)", l.StartOffset(), l.EndOffset(), end)
	}
	equalBatches(t, readAll(t, l, 0, 1<<20), want)
	for _, b := range want {
		h := parseBatchHeader(b)
		c, err := l.Read(h.lastOffset(), 0, end)
		if err != nil {
			t.Fatal(err)
		}
		if got := readChunk(t, c); !bytes.Equal(got, b) {
			t.Fatalf("Read(%d) returned the wrong batch", h.lastOffset())
		}
		off, ts, ok, err := l.OffsetForTimestamp(h.maxTimestamp)
		if err != nil || !ok || off != h.baseOffset || ts != h.maxTimestamp {
			t.Fatalf("OffsetForTimestamp(%d) = %d, %d, %v, %v; want %d", h.maxTimestamp, off, ts, ok, err, h.baseOffset)
		}
	}
	wantTs, wantOff := int64(-1), int64(-1)
	if len(want) > 0 {
		h := parseBatchHeader(want[len(want)-1])
		wantTs, wantOff = h.maxTimestamp, h.lastOffset()
	}
	if ts, off := l.MaxTimestamp(); ts != wantTs || off != wantOff {
		t.Fatalf("MaxTimestamp = %d, %d; want %d, %d", ts, off, wantTs, wantOff)
	}
}

func readIndexFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	forFiles(t, dir, "index", func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(p)] = string(b)
	})
	return m
}

// sameIndexes reports whether got has want's files with the same bytes;
// extra files must be empty (those of a new, empty segment).
func sameIndexes(got, want map[string]string) bool {
	for k, v := range want {
		if w, ok := got[k]; !ok || w != v {
			return false
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != "" {
			return false
		}
	}
	return true
}

// Power loss drops whatever was not fsynced. Everything Sync covered must
// survive, including when the lost tail spans a roll.
func TestRecoveryKeepsSyncedData(t *testing.T) {
	for _, synced := range []int{0, 3, 5, 7, 10, 12} {
		t.Run("synced="+strconvItoa(synced), func(t *testing.T) {
			dir := t.TempDir()
			l, err := Open(dir, recoveryCfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			spec := recoverySpec()
			spec.n = synced
			batches := appendBatches(t, l, spec)
			if err := l.Sync(); err != nil {
				t.Fatal(err)
			}
			if l.RecoveryPoint() != l.EndOffset() {
				t.Fatalf("recovery point %d after Sync, end %d", l.RecoveryPoint(), l.EndOffset())
			}
			sizes := map[int64]int64{}
			for _, s := range l.segs {
				sizes[s.base] = s.size.Load()
			}
			spec.n = 12 - synced
			appendBatches(t, l, spec)
			crash(l)
			// Lose every byte written after the Sync, and the files created since.
			forFiles(t, dir, logExt, func(p string) {
				base, _, _ := parseSegmentName(filepath.Base(p))
				size, ok := sizes[base]
				if !ok {
					_ = os.Remove(p)
					return
				}
				if err := os.Truncate(p, size); err != nil {
					t.Fatal(err)
				}
			})
			l = openLog(t, dir, recoveryCfg)
			checkRecovered(t, l, batches)
			appendBatches(t, l, batchSpec{n: 2})
		})
	}
}

// A start offset checkpointed past data that a power loss then took leaves
// an empty log at that start offset, as in Kafka.
func TestRecoveryStartPastEnd(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, recoveryCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	appendBatches(t, l, recoverySpec())
	if err := l.SetStartOffset(22); err != nil {
		t.Fatal(err)
	}
	crash(l)
	truncateFile(20, 0)(t, dir)
	l = openLog(t, dir, recoveryCfg)
	if l.StartOffset() != 22 || l.EndOffset() != 22 || len(l.segs) != 1 || l.segs[0].base != 22 {
		t.Fatalf("start %d, end %d, %d segments", l.StartOffset(), l.EndOffset(), len(l.segs))
	}
	appendBatches(t, l, batchSpec{n: 1})
}

// Segments wholly below a checkpointed start offset are deleted on open (a
// crash between checkpoint and unlink).
func TestRecoverySegmentsBelowStart(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, recoveryCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	batches := appendBatches(t, l, recoverySpec())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	writeCheckpointFile := func(c checkpoint) {
		if err := writeCheckpoint(dir, c); err != nil {
			t.Fatal(err)
		}
	}
	writeCheckpointFile(checkpoint{startOffset: 12, recoveryPoint: 24, clean: true})
	l = openLog(t, dir, recoveryCfg)
	if l.StartOffset() != 12 || len(l.segs) != 2 {
		t.Fatalf("start %d, %d segments", l.StartOffset(), len(l.segs))
	}
	if _, err := os.Stat(segmentPath(dir, 0, logExt)); !os.IsNotExist(err) {
		t.Fatalf("segment 0 still there: %v", err)
	}
	equalBatches(t, readAll(t, l, 12, 1<<20), batches[6:])
}
