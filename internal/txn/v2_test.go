package txn

import (
	"math"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TestV2EpochBumpPerTransaction: with protocol v2 the first batch adds the
// partition, EndTxn bumps the epoch and writes the markers with it, a
// retry of EndTxn gets the same answer, and the old epoch is fenced.
func TestV2EpochBumpPerTransaction(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	wantErr(t, "implicit add", f.c.AddImplicit(pid, epoch, tpA), nil)
	wantErr(t, "verify after the implicit add", f.c.Verify(pid, epoch, tpA), nil)
	p2, e2, err := f.c.EndTxn("t", pid, epoch, true, true)
	if err != nil || p2 != pid || e2 != epoch+1 {
		t.Fatalf("EndTxn v2: %d/%d, %v; want %d/%d", p2, e2, err, pid, epoch+1)
	}
	if m := f.markers.last(t); !m.commit || m.epoch != epoch+1 {
		t.Fatalf("markers %+v, want a commit at the bumped epoch %d", m, epoch+1)
	}
	if s := f.store.saved["t"]; s.State != CompleteCommit || s.ProducerEpoch != epoch+1 || !s.V2 {
		t.Fatalf("persisted %+v", s)
	}
	p3, e3, err := f.c.EndTxn("t", pid, epoch, true, true)
	if err != nil || p3 != pid || e3 != epoch+1 {
		t.Fatalf("retried EndTxn: %d/%d, %v", p3, e3, err)
	}
	_, _, err = f.c.EndTxn("t", pid, epoch, false, true)
	wantErr(t, "retry asking for the other outcome", err, kerr.InvalidTxnState)
	wantErr(t, "old epoch adds", f.c.AddImplicit(pid, epoch, tpB), kerr.InvalidProducerEpoch)
	wantErr(t, "next transaction", f.c.AddImplicit(pid, e2, tpB), nil)
	_, _, err = f.c.EndTxn("t", pid, epoch, true, true)
	wantErr(t, "old epoch ends the next transaction", err, kerr.ProducerFenced)
}

func TestV2EmptyAbortBumps(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	_, e, err := f.c.EndTxn("t", pid, epoch, false, true)
	if err != nil || e != epoch+1 {
		t.Fatalf("empty abort: epoch %d, %v; want %d", e, err, epoch+1)
	}
	_, _, err = f.c.EndTxn("t", pid, e, true, true)
	wantErr(t, "empty commit", err, kerr.InvalidTxnState)
}

// TestV2EpochOverflow: at the last epoch the transaction completes with
// its markers at that epoch and the producer moves to a new id.
func TestV2EpochOverflow(t *testing.T) {
	last := int16(math.MaxInt16 - 1)
	f := newFixture(t, Snapshot{ID: "t", ProducerID: 7, ProducerEpoch: last, Timeout: time.Minute, State: CompleteCommit,
		Start: -1, PrevProducerID: -1, NextProducerID: -1, V2: true})
	wantErr(t, "implicit add", f.c.AddImplicit(7, last, tpA), nil)
	pid, epoch, err := f.c.EndTxn("t", 7, last, true, true)
	if err != nil || pid != 101 || epoch != 0 {
		t.Fatalf("EndTxn at the last epoch: %d/%d, %v; want the new id 101 at epoch 0", pid, epoch, err)
	}
	if m := f.markers.last(t); m.pid != 7 || m.epoch != last {
		t.Fatalf("markers %+v, want producer 7 at epoch %d", m, last)
	}
	if s := f.store.saved["t"]; s.ProducerID != 101 || s.PrevProducerID != 7 || s.State != CompleteCommit {
		t.Fatalf("persisted %+v", s)
	}
	if p, e, err := f.c.EndTxn("t", 7, last, true, true); err != nil || p != 101 || e != 0 {
		t.Fatalf("retry with the old id: %d/%d, %v", p, e, err)
	}
	wantErr(t, "the new id starts a transaction", f.c.AddImplicit(101, 0, tpB), nil)
	wantErr(t, "the old id is gone", f.c.AddImplicit(7, last, tpB), kerr.InvalidProducerIDMapping)
}
