package txnlog

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/partition"
	"github.com/samsa-streaming/samsa/internal/txn"
)

func openPartition(t *testing.T, dir string) *partition.Partition {
	t.Helper()
	p, err := partition.Open(dir, "__transaction_state", 0, partition.Config{MaxMessageBytes: 1 << 20}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSaveAndReplay: the latest record per id wins, tombstones delete, and
// every field survives the round trip through Kafka's record format.
func TestSaveAndReplay(t *testing.T) {
	dir := t.TempDir()
	p := openPartition(t, dir)
	l, loaded, err := Open(p, nil)
	if err != nil || len(loaded) != 0 {
		t.Fatalf("empty log: %v, %v", loaded, err)
	}
	a := txn.Snapshot{ID: "a", ProducerID: 5, ProducerEpoch: 2, Timeout: time.Minute, State: txn.Ongoing,
		Partitions: []txn.TopicPartition{{Topic: "x", Partition: 0}, {Topic: "x", Partition: 3}, {Topic: "y", Partition: 1}},
		LastUpdate: 1234, Start: 1200, PrevProducerID: 3, NextProducerID: -1, V2: true}
	for _, s := range []txn.Snapshot{
		{ID: "a", ProducerID: 5, ProducerEpoch: 1, Timeout: time.Minute, State: txn.Empty, Start: -1, PrevProducerID: -1, NextProducerID: -1},
		a,
		{ID: "gone", ProducerID: 6, State: txn.CompleteCommit, Start: -1, PrevProducerID: -1, NextProducerID: -1},
	} {
		if err := l.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Delete("gone"); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p = openPartition(t, dir)
	defer p.Close()
	_, loaded, err = Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 {
		t.Fatalf("loaded %+v, want only a", loaded)
	}
	got := loaded[0]
	if got.ID != a.ID || got.ProducerID != a.ProducerID || got.ProducerEpoch != a.ProducerEpoch || got.Timeout != a.Timeout ||
		got.State != a.State || got.LastUpdate != a.LastUpdate || got.Start != a.Start || !slices.Equal(got.Partitions, a.Partitions) ||
		got.PrevProducerID != a.PrevProducerID || got.NextProducerID != a.NextProducerID || got.V2 != a.V2 {
		t.Fatalf("loaded %+v, want %+v", got, a)
	}
}
