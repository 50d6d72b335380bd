package partition

import (
	"bytes"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// openDir opens the partition in dir, closed at the end of the test.
func openDir(t *testing.T, dir string, cfg Config) *Partition {
	t.Helper()
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = 1 << 20
	}
	p, err := Open(dir, "t", 0, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func rollingConfig(segmentBytes int64) Config {
	return Config{Log: commitlog.Config{SegmentBytes: segmentBytes, SegmentMs: math.MaxInt64, RetentionMs: -1, RetentionBytes: -1, IndexIntervalBytes: 4096}}
}

// openTxnLog builds, over enough batches to roll small segments, two
// aborted transactions, a committed one and one still open at offset 11:
//
//	0 p1 txn  1 p2 txn  2 p1 abort  3-5 plain  6 p2 abort
//	7 p3 txn  8 p3 commit  9 p1 txn  10 p1 abort  11 p4 txn  12 plain
func openTxnLog(t *testing.T, p *Partition) {
	t.Helper()
	abortedTxn := []AbortedTxn{{1, 0}, {2, 1}, {1, 9}}
	appendWant(t, p, "p1", txnBatch(t, 1, 0, 0, 1), 0, false, nil)
	appendWant(t, p, "p2", txnBatch(t, 2, 0, 0, 1), 1, false, nil)
	markerWant(t, p, abort(1, 0), 2, nil)
	for i := range 3 {
		appendWant(t, p, "plain", timedBatch(t, 1, 0), int64(3+i), false, nil)
	}
	markerWant(t, p, abort(2, 0), 6, nil)
	appendWant(t, p, "p3", txnBatch(t, 3, 0, 0, 1), 7, false, nil)
	markerWant(t, p, commit(3, 0), 8, nil)
	appendWant(t, p, "p1 again", txnBatch(t, 1, 0, 1, 1), 9, false, nil)
	markerWant(t, p, abort(1, 0), 10, nil)
	appendWant(t, p, "p4", txnBatch(t, 4, 0, 0, 1), 11, false, nil)
	appendWant(t, p, "plain", timedBatch(t, 1, 0), 12, false, nil)
	checkTxnLog(t, p, abortedTxn)
}

func checkTxnLog(t *testing.T, p *Partition, aborted []AbortedTxn) {
	t.Helper()
	wantOffsets(t, p, 13, 11)
	wantAborted(t, p, 0, 13, aborted...)
	if got := txnStart(t, p, 4); got != 11 {
		t.Fatalf("producer 4 transaction starts at %d, want 11", got)
	}
	want := []abortedEntry{{1, 0, 2, 1}, {2, 1, 6, 7}, {1, 9, 10, 11}}
	if !reflect.DeepEqual(p.index.entries, want) {
		t.Fatalf("index %+v, want %+v", p.index.entries, want)
	}
}

// TestTxnStateSurvivesRestart: after a clean close (snapshot), a crash with
// no snapshot (full replay) and a crash after segment rolls (replay of the
// tail), the open transaction, the last stable offset and the aborted
// transaction index are back, and the open transaction can still end.
func TestTxnStateSurvivesRestart(t *testing.T) {
	for _, tc := range []struct {
		name        string
		crash       bool
		segmentSize int64
	}{
		{"clean close", false, 1 << 30},
		{"crash without snapshots", true, 1 << 30},
		{"crash after rolls", true, 250},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := rollingConfig(tc.segmentSize)
			p := openTest(t, cfg)
			openTxnLog(t, p)
			p = reopen(t, p, tc.crash, cfg)
			checkTxnLog(t, p, []AbortedTxn{{1, 0}, {2, 1}, {1, 9}})
			appendWant(t, p, "p4 must stay transactional", idemBatch(t, 4, 0, 1, 1), 0, false, kerr.InvalidTxnState)
			markerWant(t, p, abort(4, 0), 13, nil)
			wantOffsets(t, p, 14, 14)
			wantAborted(t, p, 11, 14, AbortedTxn{4, 11})
			p = reopen(t, p, tc.crash, cfg)
			wantAborted(t, p, 0, 14, AbortedTxn{1, 0}, AbortedTxn{2, 1}, AbortedTxn{1, 9}, AbortedTxn{4, 11})
		})
	}
}

// TestTxnIndexRepairedAtOpen: whatever a crash did to the index file (lost
// its tail, tore an entry, left garbage or entries past the log end), Open
// brings back exactly the aborts in the log and rewrites the file.
func TestTxnIndexRepairedAtOpen(t *testing.T) {
	full := []AbortedTxn{{1, 0}, {2, 1}, {1, 9}}
	ghost := appendTxnEntry(nil, abortedEntry{ProducerID: 9, FirstOffset: 20, LastOffset: 30, LastStableOffset: 31})
	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"lost", func([]byte) []byte { return nil }},
		{"lost its last entry", func(b []byte) []byte { return b[:2*txnEntryLen] }},
		{"torn last entry", func(b []byte) []byte { return b[:len(b)-5] }},
		{"bad checksum in the middle", func(b []byte) []byte { b[txnEntryLen+3] ^= 1; return b }},
		{"zeros at the end", func(b []byte) []byte { return append(b, make([]byte, 3*txnEntryLen)...) }},
		{"entry past the log end", func(b []byte) []byte { return append(b, ghost...) }},
	} {
		for _, crash := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				cfg := rollingConfig(250)
				p := openTest(t, cfg)
				openTxnLog(t, p)
				dir := p.dir
				if crash {
					p.appendMu.Lock()
					p.closed = true
					p.log.Close()
					p.index.closeFile()
					p.appendMu.Unlock()
				} else if err := p.Close(); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(dir, txnIndexName)
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, tc.damage(bytes.Clone(b)), 0o644); err != nil {
					t.Fatal(err)
				}
				p = openDir(t, dir, cfg)
				checkTxnLog(t, p, full)
				if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, b) {
					t.Fatalf("index file after Open: %d bytes, %v; want the original %d", len(got), err, len(b))
				}
			})
		}
	}
}

// TestRetentionPrunesTxnIndex: aborts whose markers retention deleted
// leave the index, on disk too.
func TestRetentionPrunesTxnIndex(t *testing.T) {
	cfg := rollingConfig(150)
	cfg.Log.RetentionMs = 1000
	p := openTest(t, cfg)
	old, recent := time.UnixMilli(1_000_000), time.Now()
	appendWant(t, p, "old txn", txnBatchAt(t, 1, 0, 0, 1, old.UnixMilli()), 0, false, nil)
	if _, err := p.AppendMarker(abort(1, 0), old); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		appendWant(t, p, "old plain", timedBatch(t, old.UnixMilli(), 0), int64(2+i), false, nil)
	}
	appendWant(t, p, "recent txn", txnBatchAt(t, 2, 0, 0, 1, recent.UnixMilli()), 5, false, nil)
	if _, err := p.AppendMarker(abort(2, 0), recent); err != nil {
		t.Fatal(err)
	}
	wantAborted(t, p, 0, 7, AbortedTxn{1, 0}, AbortedTxn{2, 5})
	if err := p.ApplyRetention(recent); err != nil {
		t.Fatal(err)
	}
	if start := p.LogStartOffset(); start <= 1 || start > 5 {
		t.Fatalf("log start %d after retention, want the old abort gone and the recent kept", start)
	}
	wantAborted(t, p, 0, 7, AbortedTxn{2, 5})
	if st, err := os.Stat(filepath.Join(p.dir, txnIndexName)); err != nil || st.Size() != txnEntryLen {
		t.Fatalf("index file after pruning: %v, %v; want one entry", st, err)
	}
	p = reopen(t, p, true, cfg)
	wantAborted(t, p, 0, 7, AbortedTxn{2, 5})
	wantOffsets(t, p, 7, 7)
}

func TestTxnIndexDecode(t *testing.T) {
	entries := []abortedEntry{{1, 0, 2, 1}, {2, 1, 6, 7}, {1, 9, 10, 11}}
	var b []byte
	for _, e := range entries {
		b = appendTxnEntry(b, e)
	}
	got, n := decodeTxnIndex(b)
	if !reflect.DeepEqual(got, entries) || n != len(b) {
		t.Fatalf("decode: %+v, %d bytes", got, n)
	}
	outOfOrder := appendTxnEntry(b, abortedEntry{3, 4, 5, 6})
	if got, n := decodeTxnIndex(outOfOrder); len(got) != 3 || n != len(b) {
		t.Fatalf("entry with an older marker accepted: %+v", got)
	}
	backwards := appendTxnEntry(nil, abortedEntry{3, 7, 5, 6})
	if got, n := decodeTxnIndex(backwards); len(got) != 0 || n != 0 {
		t.Fatalf("entry whose first offset is past its marker accepted: %+v", got)
	}
}

func TestSnapshotVersion1IsUnusable(t *testing.T) {
	b := marshalSnapshot(snapshot{producers: producers{}, abortedUpTo: -1})
	b[1] = 1 // the version is not under the checksum
	if _, err := unmarshalSnapshot(b); err == nil {
		t.Fatal("version 1 snapshot accepted")
	}
}
