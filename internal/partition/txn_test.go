package partition

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// txnBatch builds a transactional batch of n records from producer
// id/epoch starting at sequence seq.
func txnBatch(t *testing.T, id int64, epoch int16, seq int32, n int) []byte {
	t.Helper()
	return txnBatchAt(t, id, epoch, seq, n, time.Now().UnixMilli())
}

func txnBatchAt(t *testing.T, id int64, epoch int16, seq int32, n int, ts int64) []byte {
	t.Helper()
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{Value: []byte("txn")}
	}
	b, err := batch.Build(batch.Header{Attributes: 0x10, ProducerID: id, ProducerEpoch: epoch, BaseSequence: seq, BaseTimestamp: ts}, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// markerWant appends a marker and checks it landed at want (or failed with
// wantErr, writing nothing).
func markerWant(t *testing.T, p *Partition, m Marker, want int64, wantErr error) {
	t.Helper()
	end, lso := p.HighWatermark(), p.LastStableOffset()
	off, err := p.AppendMarker(m, time.Now())
	switch {
	case wantErr != nil:
		if !errors.Is(err, wantErr) {
			t.Fatalf("marker %+v: err %v, want %v", m, err, wantErr)
		}
		if p.HighWatermark() != end || p.LastStableOffset() != lso {
			t.Fatalf("rejected marker moved the offsets: hwm %d -> %d, lso %d -> %d", end, p.HighWatermark(), lso, p.LastStableOffset())
		}
	case err != nil:
		t.Fatalf("marker %+v: %v", m, err)
	case off != want:
		t.Fatalf("marker %+v at %d, want %d", m, off, want)
	}
}

func commit(id int64, epoch int16) Marker {
	return Marker{ProducerID: id, ProducerEpoch: epoch, Commit: true, CoordinatorEpoch: 0}
}

func abort(id int64, epoch int16) Marker {
	return Marker{ProducerID: id, ProducerEpoch: epoch, CoordinatorEpoch: 0}
}

func wantOffsets(t *testing.T, p *Partition, hwm, lso int64) {
	t.Helper()
	if p.HighWatermark() != hwm || p.LastStableOffset() != lso {
		t.Fatalf("hwm %d lso %d, want %d %d", p.HighWatermark(), p.LastStableOffset(), hwm, lso)
	}
}

func wantAborted(t *testing.T, p *Partition, from, to int64, want ...AbortedTxn) {
	t.Helper()
	if got := p.AbortedTransactions(from, to); !reflect.DeepEqual(got, want) {
		t.Fatalf("AbortedTransactions(%d, %d) = %+v, want %+v", from, to, got, want)
	}
}

func txnStart(t *testing.T, p *Partition, id int64) int64 {
	t.Helper()
	for _, s := range p.Producers() {
		if s.ProducerID == id {
			return s.CurrentTxnStartOffset
		}
	}
	t.Fatalf("producer %d unknown", id)
	return 0
}

// TestTransactionHoldsLastStableOffset: an open transaction holds the last
// stable offset at its first offset while other data moves the high
// watermark; markers release it, oldest transaction first.
func TestTransactionHoldsLastStableOffset(t *testing.T) {
	p := openTest(t, Config{})
	appendWant(t, p, "plain", timedBatch(t, 1, 0), 0, false, nil)
	wantOffsets(t, p, 1, 1)
	appendWant(t, p, "producer 1 begins", txnBatch(t, 1, 0, 0, 2), 1, false, nil)
	appendWant(t, p, "plain during the transaction", timedBatch(t, 1, 0), 3, false, nil)
	appendWant(t, p, "producer 2 begins", txnBatch(t, 2, 0, 0, 1), 4, false, nil)
	appendWant(t, p, "producer 1 continues", txnBatch(t, 1, 0, 2, 1), 5, false, nil)
	wantOffsets(t, p, 6, 1)
	if got := txnStart(t, p, 1); got != 1 {
		t.Fatalf("producer 1 transaction starts at %d, want 1", got)
	}

	f, err := p.ReadIsolated(0, 1<<20, ReadCommitted)
	if err != nil {
		t.Fatal(err)
	}
	if f.LastStable != 1 || f.Records.Len() != len(timedBatch(t, 1, 0)) {
		t.Fatalf("read_committed read %d bytes bounded by %d, want only the first batch, bounded by 1", f.Records.Len(), f.LastStable)
	}
	f.Records.Release()

	markerWant(t, p, commit(1, 0), 6, nil)
	wantOffsets(t, p, 7, 4)
	if got := txnStart(t, p, 1); got != -1 {
		t.Fatalf("producer 1 transaction start %d after its commit, want -1", got)
	}
	markerWant(t, p, abort(2, 0), 7, nil)
	wantOffsets(t, p, 8, 8)
	wantAborted(t, p, 0, 8, AbortedTxn{ProducerID: 2, FirstOffset: 4})
}

// abortedLog builds a log with three aborted transactions:
//
//	0 p1 txn   1 p2 txn   2 p1 abort   3 plain   4 p2 abort
//	5-6 p3 txn 7 p3 commit 8 p1 txn    9 p1 abort
func abortedLog(t *testing.T, p *Partition) {
	t.Helper()
	appendWant(t, p, "p1", txnBatch(t, 1, 0, 0, 1), 0, false, nil)
	appendWant(t, p, "p2", txnBatch(t, 2, 0, 0, 1), 1, false, nil)
	markerWant(t, p, abort(1, 0), 2, nil)
	appendWant(t, p, "plain", timedBatch(t, 1, 0), 3, false, nil)
	markerWant(t, p, abort(2, 0), 4, nil)
	appendWant(t, p, "p3", txnBatch(t, 3, 0, 0, 2), 5, false, nil)
	markerWant(t, p, commit(3, 0), 7, nil)
	appendWant(t, p, "p1 again", txnBatch(t, 1, 0, 1, 1), 8, false, nil)
	markerWant(t, p, abort(1, 0), 9, nil)
}

func TestAbortedTransactionsRanges(t *testing.T) {
	p := openTest(t, Config{})
	abortedLog(t, p)
	wantOffsets(t, p, 10, 10)
	want := []abortedEntry{{1, 0, 2, 1}, {2, 1, 4, 5}, {1, 8, 9, 10}}
	if !reflect.DeepEqual(p.index.entries, want) {
		t.Fatalf("index %+v, want %+v", p.index.entries, want)
	}
	p1, p2, p1again := AbortedTxn{1, 0}, AbortedTxn{2, 1}, AbortedTxn{1, 8}
	tests := []struct {
		from, to int64
		want     []AbortedTxn
	}{
		{0, 10, []AbortedTxn{p1, p2, p1again}},
		{0, 1, []AbortedTxn{p1}},
		{2, 3, []AbortedTxn{p1, p2}},
		{3, 10, []AbortedTxn{p2, p1again}},
		{5, 8, nil},
		{5, 9, []AbortedTxn{p1again}},
		{10, 20, nil},
	}
	for _, tt := range tests {
		wantAborted(t, p, tt.from, tt.to, tt.want...)
	}
}

// TestReadCommittedAbortedRange: a read_committed read lists the aborted
// transactions that overlap the batches it returns, not the whole log.
func TestReadCommittedAbortedRange(t *testing.T) {
	p := openTest(t, Config{})
	abortedLog(t, p)
	tests := []struct {
		offset   int64
		maxBytes int
		want     []AbortedTxn
	}{
		{0, 1, []AbortedTxn{{1, 0}}},
		{3, 1, []AbortedTxn{{2, 1}}},
		{5, 1, nil},
		{0, 1 << 20, []AbortedTxn{{1, 0}, {2, 1}, {1, 8}}},
		{10, 1 << 20, nil},
	}
	for _, tt := range tests {
		f, err := p.ReadIsolated(tt.offset, tt.maxBytes, ReadCommitted)
		if err != nil {
			t.Fatal(err)
		}
		f.Records.Release()
		if !reflect.DeepEqual(f.Aborted, tt.want) {
			t.Errorf("read at %d max %d: aborted %+v, want %+v", tt.offset, tt.maxBytes, f.Aborted, tt.want)
		}
	}
	f, err := p.ReadIsolated(0, 1<<20, ReadUncommitted)
	f.Records.Release()
	if err != nil || f.Aborted != nil {
		t.Fatalf("read_uncommitted: aborted %+v, %v; want none", f.Aborted, err)
	}
	if _, err := p.ReadIsolated(11, 1, ReadCommitted); !errors.Is(err, kerr.OffsetOutOfRange) {
		t.Fatalf("read past the high watermark: %v", err)
	}
}

// TestMarkerEpochs: Kafka's appendEndTxnMarker checks; a marker may bump
// the producer epoch (transactions v2), fencing the old one.
func TestMarkerEpochs(t *testing.T) {
	p := openTest(t, Config{})
	appendWant(t, p, "begin", txnBatch(t, 1, 2, 0, 1), 0, false, nil)
	markerWant(t, p, abort(1, 1), 0, kerr.InvalidProducerEpoch)
	markerWant(t, p, Marker{ProducerID: 1, ProducerEpoch: 2, Commit: true, CoordinatorEpoch: 5}, 1, nil)
	wantOffsets(t, p, 2, 2)
	markerWant(t, p, Marker{ProducerID: 1, ProducerEpoch: 2, CoordinatorEpoch: 4}, 0, kerr.TransactionCoordinatorFenced)
	markerWant(t, p, Marker{ProducerID: 1, ProducerEpoch: 3, CoordinatorEpoch: 5}, 2, nil)
	wantAborted(t, p, 0, 10)
	st := p.Producers()[0]
	if st.Epoch != 3 || st.CoordinatorEpoch != 5 || st.CurrentTxnStartOffset != -1 {
		t.Fatalf("producer after the epoch bump: %+v", st)
	}
	appendWant(t, p, "old epoch", txnBatch(t, 1, 2, 1, 1), 0, false, kerr.InvalidProducerEpoch)
	appendWant(t, p, "new epoch at a later sequence", txnBatch(t, 1, 3, 1, 1), 0, false, kerr.OutOfOrderSequenceNumber)
	appendWant(t, p, "new epoch from 0", txnBatch(t, 1, 3, 0, 1), 3, false, nil)
	wantOffsets(t, p, 4, 3)
}

// TestNonTransactionalWriteDuringTransaction: INVALID_TXN_STATE, whatever
// the epoch, until the marker; a retry of the transactional batch is still
// a duplicate.
func TestNonTransactionalWriteDuringTransaction(t *testing.T) {
	p := openTest(t, Config{})
	appendWant(t, p, "begin", txnBatch(t, 1, 0, 0, 2), 0, false, nil)
	appendWant(t, p, "idempotent write", idemBatch(t, 1, 0, 2, 1), 0, false, kerr.InvalidTxnState)
	appendWant(t, p, "idempotent write in a new epoch", idemBatch(t, 1, 1, 0, 1), 0, false, kerr.InvalidTxnState)
	appendWant(t, p, "retry", txnBatch(t, 1, 0, 0, 2), 0, true, nil)
	appendWant(t, p, "other producers are unaffected", idemBatch(t, 2, 0, 0, 1), 2, false, nil)
	markerWant(t, p, commit(1, 0), 3, nil)
	appendWant(t, p, "idempotent write after the commit", idemBatch(t, 1, 0, 2, 1), 4, false, nil)
	wantOffsets(t, p, 5, 5)
}

// TestMarkerWithoutTransaction: written anyway, as Kafka does, creating
// the producer's state; it ends nothing and records no abort.
func TestMarkerWithoutTransaction(t *testing.T) {
	p := openTest(t, Config{})
	markerWant(t, p, Marker{ProducerID: 9, ProducerEpoch: 4, CoordinatorEpoch: 2}, 0, nil)
	wantOffsets(t, p, 1, 1)
	wantAborted(t, p, 0, 1)
	got := p.Producers()
	if len(got) != 1 || got[0].ProducerID != 9 || got[0].Epoch != 4 || got[0].CoordinatorEpoch != 2 || got[0].LastSequence != -1 {
		t.Fatalf("producers %+v", got)
	}
}

func TestMarkerWakesWaiters(t *testing.T) {
	p := openTest(t, Config{})
	appendWant(t, p, "begin", txnBatch(t, 1, 0, 0, 1), 0, false, nil)
	w := NewWaiter()
	p.Watch(w)
	markerWant(t, p, commit(1, 0), 1, nil)
	select {
	case <-w.C:
	default:
		t.Fatal("marker did not wake the waiter")
	}
}

func TestMarkerLogAppendTime(t *testing.T) {
	p := openTest(t, Config{LogAppendTime: true})
	if _, err := p.AppendMarker(commit(1, 0), time.UnixMilli(5000)); err != nil {
		t.Fatal(err)
	}
	c, err := p.Read(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.AppendTo(nil)
	c.Release()
	if err != nil {
		t.Fatal(err)
	}
	h, err := batch.Verify(raw)
	if err != nil || !h.IsControl() || !h.LogAppendTime() || h.MaxTimestamp != 5000 {
		t.Fatalf("marker %+v, %v; want a valid LogAppendTime control batch at 5000", h, err)
	}
}

// TestListOffsetIsolation: read_committed lookups stop at the last stable
// offset, as in Kafka's fetchOffsetForTimestamp.
func TestListOffsetIsolation(t *testing.T) {
	p := openTest(t, Config{})
	appendWant(t, p, "plain", timedBatch(t, 1000, 0, 10, 20), 0, false, nil)
	appendWant(t, p, "txn", txnBatchAt(t, 1, 0, 0, 1, 2000), 3, false, nil)
	appendWant(t, p, "plain after", timedBatch(t, 3000, 0), 4, false, nil)
	tests := []struct {
		ts            int64
		iso           Isolation
		offset, found int64
	}{
		{Latest, ReadUncommitted, 5, -1},
		{Latest, ReadCommitted, 3, -1},
		{Earliest, ReadCommitted, 0, -1},
		{1005, ReadCommitted, 1, 1010},
		{2000, ReadUncommitted, 3, 2000},
		{2000, ReadCommitted, -1, -1},
		{MaxTimestamp, ReadUncommitted, 4, 3000},
		{MaxTimestamp, ReadCommitted, -1, -1},
	}
	for _, tt := range tests {
		off, found, err := p.ListOffset(tt.ts, tt.iso)
		if err != nil || off != tt.offset || found != tt.found {
			t.Errorf("ListOffset(%d, %d) = %d, %d, %v; want %d, %d", tt.ts, tt.iso, off, found, err, tt.offset, tt.found)
		}
	}
}

// TestExpiryKeepsOpenTransactions: an idle producer with an open
// transaction is kept (it still holds the last stable offset); once its
// transaction ends it expires like any other.
func TestExpiryKeepsOpenTransactions(t *testing.T) {
	p := openTest(t, Config{ProducerIDExpirationMs: 1000})
	appendWant(t, p, "txn", txnBatch(t, 1, 0, 0, 1), 0, false, nil)
	appendWant(t, p, "idempotent", idemBatch(t, 2, 0, 0, 1), 1, false, nil)
	later := time.Now().Add(time.Hour)
	if err := p.ApplyRetention(later); err != nil {
		t.Fatal(err)
	}
	if got := p.Producers(); len(got) != 1 || got[0].ProducerID != 1 {
		t.Fatalf("producers after expiry %+v, want only the one in a transaction", got)
	}
	wantOffsets(t, p, 2, 0)
	if _, err := p.AppendMarker(commit(1, 0), later); err != nil {
		t.Fatal(err)
	}
	if err := p.ApplyRetention(later.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := p.Producers(); len(got) != 0 {
		t.Fatalf("producers %+v after the commit and expiry, want none", got)
	}
}
