package partition

import (
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// idemBatch builds a batch of n records from producer id/epoch starting at
// sequence seq.
func idemBatch(t *testing.T, id int64, epoch int16, seq int32, n int) []byte {
	t.Helper()
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{Value: []byte("v")}
	}
	b, err := batch.Build(batch.Header{ProducerID: id, ProducerEpoch: epoch, BaseSequence: seq, BaseTimestamp: time.Now().UnixMilli()}, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// appendWant appends b and checks the outcome: wantErr, or a success at
// wantOffset (dup tells whether it must be a duplicate) that moved the log
// end only if it was not one.
func appendWant(t *testing.T, p *Partition, name string, b []byte, wantOffset int64, dup bool, wantErr error) {
	t.Helper()
	end := p.HighWatermark()
	res, err := p.Append(b, time.Now())
	switch {
	case wantErr != nil:
		if !errors.Is(err, wantErr) {
			t.Fatalf("%s: err %v, want %v", name, err, wantErr)
		}
		if p.HighWatermark() != end {
			t.Fatalf("%s: rejected batch moved the log end %d -> %d", name, end, p.HighWatermark())
		}
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	case res.BaseOffset != wantOffset || res.Duplicate != dup:
		t.Fatalf("%s: offset %d duplicate %v, want %d %v", name, res.BaseOffset, res.Duplicate, wantOffset, dup)
	case dup && p.HighWatermark() != end:
		t.Fatalf("%s: duplicate was appended (log end %d -> %d)", name, end, p.HighWatermark())
	}
}

func TestIdempotentAppend(t *testing.T) {
	p := openTest(t, Config{})
	appendWant(t, p, "first batch", idemBatch(t, 7, 1, 0, 3), 0, false, nil)
	appendWant(t, p, "next batch", idemBatch(t, 7, 1, 3, 2), 3, false, nil)
	appendWant(t, p, "retry of the first", idemBatch(t, 7, 1, 0, 3), 0, true, nil)
	appendWant(t, p, "retry of the last", idemBatch(t, 7, 1, 3, 2), 3, true, nil)
	appendWant(t, p, "gap", idemBatch(t, 7, 1, 6, 1), 0, false, kerr.OutOfOrderSequenceNumber)
	appendWant(t, p, "overlap that is no retry", idemBatch(t, 7, 1, 1, 4), 0, false, kerr.OutOfOrderSequenceNumber)
	appendWant(t, p, "older epoch", idemBatch(t, 7, 0, 5, 1), 0, false, kerr.InvalidProducerEpoch)
	appendWant(t, p, "new epoch not at 0", idemBatch(t, 7, 2, 5, 1), 0, false, kerr.OutOfOrderSequenceNumber)
	appendWant(t, p, "new epoch at 0", idemBatch(t, 7, 2, 0, 1), 5, false, nil)
	appendWant(t, p, "old epoch after the bump", idemBatch(t, 7, 1, 5, 1), 0, false, kerr.InvalidProducerEpoch)
	appendWant(t, p, "unknown producer at any sequence", idemBatch(t, 8, 3, 42, 1), 6, false, nil)
	appendWant(t, p, "plain batch", timedBatch(t, 1, 0), 7, false, nil)
}

// TestIdempotentWindow: only the last five batches of a producer are
// remembered; an older retry is out of sequence, as in Kafka.
func TestIdempotentWindow(t *testing.T) {
	p := openTest(t, Config{})
	for i := range 6 {
		appendWant(t, p, "batch", idemBatch(t, 1, 0, int32(i), 1), int64(i), false, nil)
	}
	appendWant(t, p, "retry of the sixth-last", idemBatch(t, 1, 0, 0, 1), 0, false, kerr.OutOfOrderSequenceNumber)
	appendWant(t, p, "retry of the fifth-last", idemBatch(t, 1, 0, 1, 1), 1, true, nil)
}

func TestIdempotentSequenceWraps(t *testing.T) {
	p := openTest(t, Config{})
	appendWant(t, p, "ends at MaxInt32", idemBatch(t, 1, 0, math.MaxInt32-1, 2), 0, false, nil)
	appendWant(t, p, "wraps to 0", idemBatch(t, 1, 0, 0, 1), 2, false, nil)
	if got := lastSequence(batch.Header{BaseSequence: math.MaxInt32, LastOffsetDelta: 2}); got != 1 {
		t.Fatalf("lastSequence across the wrap = %d, want 1", got)
	}
}

func TestIdempotentDuplicateLogAppendTime(t *testing.T) {
	p := openTest(t, Config{LogAppendTime: true})
	first, err := p.Append(idemBatch(t, 1, 0, 0, 1), time.UnixMilli(5000))
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Append(idemBatch(t, 1, 0, 0, 1), time.UnixMilli(9000))
	if err != nil || !again.Duplicate || again.LogAppendTime != first.LogAppendTime {
		t.Fatalf("retry: %+v, %v; want the original's append time %d", again, err, first.LogAppendTime)
	}
}

// reopen closes p (cleanly unless crash) and opens its directory again.
func reopen(t *testing.T, p *Partition, crash bool, cfg Config) *Partition {
	t.Helper()
	if crash {
		p.appendMu.Lock()
		p.closed = true
		p.log.Close() // the log itself closes; no producer snapshot is written
		p.appendMu.Unlock()
	} else if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = 1 << 20
	}
	q, err := Open(p.dir, "t", 0, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// TestProducerStateSurvivesRestart: after a clean close (snapshot), after
// a crash with no snapshot at all (full replay), and after a crash with
// snapshots from segment rolls (replay of the tail), retries are still
// recognised and gaps still refused.
func TestProducerStateSurvivesRestart(t *testing.T) {
	for _, tc := range []struct {
		name        string
		crash       bool
		segmentSize int64
	}{
		{"clean close", false, 1 << 30},
		{"crash without snapshots", true, 1 << 30},
		{"crash after rolls", true, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Log: commitlog.Config{SegmentBytes: tc.segmentSize, SegmentMs: math.MaxInt64, RetentionMs: -1, RetentionBytes: -1, IndexIntervalBytes: 4096}}
			p := openTest(t, cfg)
			for i := range 10 {
				appendWant(t, p, "batch", idemBatch(t, 3, 2, int32(i*2), 2), int64(i*2), false, nil)
			}
			p = reopen(t, p, tc.crash, cfg)
			appendWant(t, p, "retry after restart", idemBatch(t, 3, 2, 16, 2), 16, true, nil)
			appendWant(t, p, "gap after restart", idemBatch(t, 3, 2, 21, 1), 0, false, kerr.OutOfOrderSequenceNumber)
			appendWant(t, p, "old epoch after restart", idemBatch(t, 3, 1, 20, 1), 0, false, kerr.InvalidProducerEpoch)
			appendWant(t, p, "next after restart", idemBatch(t, 3, 2, 20, 1), 20, false, nil)
		})
	}
}

// TestBadSnapshotsAreIgnored: a snapshot beyond the log end (the log lost
// its tail) or with a bad checksum is removed and the state replayed.
func TestBadSnapshotsAreIgnored(t *testing.T) {
	cfg := Config{}
	p := openTest(t, cfg)
	appendWant(t, p, "batch", idemBatch(t, 3, 0, 0, 1), 0, false, nil)
	dir := p.dir
	ghost := producers{3: {Epoch: 0, TxnFirstOffset: -1, Batches: []batchMeta{{FirstSeq: 0, LastSeq: 50, FirstOffset: 0, LastOffset: 50}}}}
	if err := writeSnapshot(dir, 99, snapshot{producers: ghost, abortedUpTo: -1}, true); err != nil {
		t.Fatal(err)
	}
	p = reopen(t, p, true, cfg)
	if _, err := os.Stat(filepath.Join(dir, snapshotName(99))); !os.IsNotExist(err) {
		t.Fatalf("snapshot beyond the log end still there: %v", err)
	}
	appendWant(t, p, "next after a ghost snapshot", idemBatch(t, 3, 0, 1, 1), 1, false, nil)

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, snapshotName(2))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 0xff
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	p = reopen(t, p, true, cfg)
	appendWant(t, p, "retry after a corrupt snapshot", idemBatch(t, 3, 0, 1, 1), 1, true, nil)
}

func TestSnapshotRoundTrip(t *testing.T) {
	ps := producers{
		1: {Epoch: 4, LastTimestamp: 77, CoordinatorEpoch: 3, TxnFirstOffset: 11, Batches: []batchMeta{{1, 2, 10, 11, 70}, {3, 3, 12, 12, 77}}},
		9: {Epoch: 0, LastTimestamp: -1, CoordinatorEpoch: -1, TxnFirstOffset: -1},
	}
	s, err := unmarshalSnapshot(marshalSnapshot(snapshot{producers: ps, abortedUpTo: 8}))
	if err != nil {
		t.Fatal(err)
	}
	got := s.producers
	if s.abortedUpTo != 8 || len(got) != 2 || got[1].Epoch != 4 || len(got[1].Batches) != 2 || got[1].Batches[1] != ps[1].Batches[1] ||
		got[1].CoordinatorEpoch != 3 || got[1].TxnFirstOffset != 11 || got[9].LastTimestamp != -1 || got[9].TxnFirstOffset != -1 {
		t.Fatalf("round trip: %+v", s)
	}
	b := marshalSnapshot(snapshot{producers: ps, abortedUpTo: 8})
	for i := range b {
		if _, err := unmarshalSnapshot(b[:i]); err == nil {
			t.Fatalf("truncated snapshot of %d bytes accepted", i)
		}
	}
}

func TestProducerExpiry(t *testing.T) {
	p := openTest(t, Config{ProducerIDExpirationMs: 1000})
	b := idemBatch(t, 5, 0, 0, 1)
	appendWant(t, p, "batch", b, 0, false, nil)
	h, _ := batch.ParseHeader(b)
	if err := p.ApplyRetention(time.UnixMilli(h.MaxTimestamp + 999)); err != nil {
		t.Fatal(err)
	}
	if len(p.Producers()) != 1 {
		t.Fatal("producer expired early")
	}
	if err := p.ApplyRetention(time.UnixMilli(h.MaxTimestamp + 1000)); err != nil {
		t.Fatal(err)
	}
	if len(p.Producers()) != 0 {
		t.Fatal("producer did not expire")
	}
	appendWant(t, p, "expired producer starts anywhere", idemBatch(t, 5, 0, 9, 1), 1, false, nil)
}
