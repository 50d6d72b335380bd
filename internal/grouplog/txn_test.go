package grouplog

import (
	"reflect"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/group"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// TestTxnOffsetsReplay: transactional offset commits count once their
// producer's commit marker follows, vanish with an abort marker, and come
// back pending while their transaction is open; sequences continue across
// calls and restarts so the partition accepts every batch.
func TestTxnOffsetsReplay(t *testing.T) {
	s := newStore(t)
	marker := func(pid int64, commit bool) {
		t.Helper()
		if _, err := s.p.AppendMarker(partition.Marker{ProducerID: pid, ProducerEpoch: 0, Commit: commit}, time.Now()); err != nil {
			t.Fatal(err)
		}
		s.l.CompleteTxn(pid, commit)
	}
	must(t, s.l.CommitOffsets("g", []group.Offset{off("t", 0, 1, "plain")}))
	must(t, s.l.CommitTxnOffsets("g", 7, 0, []group.Offset{off("t", 0, 5, "committed")}))
	must(t, s.l.CommitTxnOffsets("g", 7, 0, []group.Offset{off("t", 1, 6, "committed too")}))
	marker(7, true)
	must(t, s.l.CommitTxnOffsets("g", 8, 0, []group.Offset{off("t", 0, 99, "aborted")}))
	marker(8, false)
	must(t, s.l.CommitTxnOffsets("g", 7, 0, []group.Offset{off("t", 2, 9, "open")}))
	index := liveIndex(s.l)

	loaded := s.reopen()
	want := map[string][]group.Offset{"g": {off("t", 0, 5, "committed"), off("t", 1, 6, "committed too")}}
	if !reflect.DeepEqual(loaded.Offsets, want) {
		t.Fatalf("offsets %s, want %s", dump(group.Loaded{Offsets: loaded.Offsets}), dump(group.Loaded{Offsets: want}))
	}
	pending := map[int64]map[string][]group.Offset{7: {"g": {off("t", 2, 9, "open")}}}
	if !reflect.DeepEqual(loaded.PendingTxnOffsets, pending) {
		t.Fatalf("pending %+v, want %+v", loaded.PendingTxnOffsets, pending)
	}
	if got := liveIndex(s.l); !reflect.DeepEqual(got, index) {
		t.Fatalf("index after replay %v, before %v", got, index)
	}
	// The open transaction goes on after the restart: its next batch
	// continues the producer's sequence, and its commit applies both.
	must(t, s.l.CommitTxnOffsets("g", 7, 0, []group.Offset{off("t", 3, 10, "after restart")}))
	marker(7, true)
	loaded = s.reopen()
	if n := len(loaded.Offsets["g"]); n != 4 || loaded.PendingTxnOffsets != nil {
		t.Fatalf("after the commit: %s pending %+v", dump(loaded), loaded.PendingTxnOffsets)
	}
}
