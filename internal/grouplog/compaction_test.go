package grouplog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/commitlog"
	"github.com/samsa-streaming/samsa/internal/group"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// TestReplayAfterCompaction: __consumer_offsets is compacted, so what its
// replay loads must not change when the cleaner runs: not while the
// tombstones are kept (before delete.retention.ms), not once they are gone,
// and not for transactional offset commits whose aborted batches and
// markers the cleaner removes.
func TestReplayAfterCompaction(t *testing.T) {
	cfg := partition.Config{
		MaxMessageBytes: 1 << 20,
		Compact:         true,
		Compaction:      partition.Compaction{DeleteRetentionMs: 1000},
		Log:             commitlog.Config{SegmentBytes: 2000, RetentionMs: -1, RetentionBytes: -1},
	}
	s := newStoreWith(t, cfg, discard)
	writeGroupHistory(t, s)
	want := s.reopen()
	index := liveIndex(s.l)
	before := s.p.Size()

	now := time.Now()
	for _, at := range []time.Time{now, now.Add(2 * time.Second)} { // tombstones kept, then removed
		if _, err := s.p.Clean(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		got := s.reopen()
		checkLoaded(t, got, want)
		if li := liveIndex(s.l); !reflect.DeepEqual(li, index) {
			t.Fatalf("live keys after cleaning %v, before %v", li, index)
		}
	}
	if after := s.p.Size(); after >= before/2 {
		t.Fatalf("log of %d bytes is %d after cleaning; the cleaner removed too little", before, after)
	}
	tombstones := 0
	for _, r := range rawRecords(t, s.p) {
		if r.value == nil && r.offset < s.p.HighWatermark()-50 {
			tombstones++
		}
	}
	if tombstones != 0 {
		t.Fatalf("%d tombstones left in the cleaned part after delete.retention.ms", tombstones)
	}
}

// writeGroupHistory writes commits, group metadata, deletions of offsets
// and groups, and committed and aborted transactional commits.
func writeGroupHistory(t *testing.T, s *store) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 400 {
		g := fmt.Sprintf("g%d", rng.IntN(8))
		switch rng.IntN(12) {
		case 0:
			must(t, s.l.DeleteGroup(g))
		case 1:
			must(t, s.l.DeleteOffsets(g, []group.TopicPartition{tp("t", rng.Int32N(4))}))
		case 2:
			must(t, s.l.SaveGroup(snapshot(g, int32(i), "m1", "m2")))
		default:
			must(t, s.l.CommitOffsets(g, []group.Offset{off("t", rng.Int32N(4), int64(i), "md")}))
		}
		if i%50 == 10 {
			pid, commit := int64(7+i%3), rng.IntN(2) == 0
			must(t, s.l.CommitTxnOffsets(g, pid, 0, []group.Offset{off("txn", rng.Int32N(2), int64(i), "txn")}))
			if _, err := s.p.AppendMarker(partition.Marker{ProducerID: pid, Commit: commit}, time.Now()); err != nil {
				t.Fatal(err)
			}
			s.l.CompleteTxn(pid, commit)
		}
	}
	// Everything above is now in sealed segments, which the cleaner may
	// rewrite; this lands in the active one.
	for i := range 50 {
		must(t, s.l.CommitOffsets("tail", []group.Offset{off("t", 0, int64(i), "tail")}))
	}
}
