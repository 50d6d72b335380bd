package txnlog

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/commitlog"
	"github.com/samsa-streaming/samsa/internal/partition"
	"github.com/samsa-streaming/samsa/internal/txn"
)

// TestReplayAfterCompaction: __transaction_state is compacted, so what its
// replay loads must not change when the cleaner runs, before and after
// delete.retention.ms removes the tombstones of deleted ids.
func TestReplayAfterCompaction(t *testing.T) {
	cfg := partition.Config{
		MaxMessageBytes: 1 << 20,
		Compact:         true,
		Compaction:      partition.Compaction{DeleteRetentionMs: 1000},
		Log:             commitlog.Config{SegmentBytes: 1500, RetentionMs: -1, RetentionBytes: -1},
	}
	dir := t.TempDir()
	open := func() (*partition.Partition, *Log, []txn.Snapshot) {
		t.Helper()
		p, err := partition.Open(dir, "__transaction_state", 0, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		l, loaded, err := Open(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(loaded, func(a, b txn.Snapshot) int { return strings.Compare(a.ID, b.ID) })
		return p, l, loaded
	}
	p, l, _ := open()
	for i := range 300 {
		id := fmt.Sprintf("id-%d", i%17)
		if i%9 == 4 {
			if err := l.Delete(id); err != nil {
				t.Fatal(err)
			}
			continue
		}
		s := txn.Snapshot{ID: id, ProducerID: int64(i % 17), ProducerEpoch: int16(i), Timeout: time.Minute, State: txn.Ongoing,
			Partitions: []txn.TopicPartition{{Topic: "x", Partition: int32(i % 3)}}, LastUpdate: int64(i), Start: int64(i), PrevProducerID: -1, NextProducerID: -1}
		if err := l.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Save(txn.Snapshot{ID: "tail", State: txn.Empty, Start: -1, PrevProducerID: -1, NextProducerID: -1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p, _, want := open()
	before := p.Size()
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(2 * time.Second)} {
		if _, err := p.Clean(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		var got []txn.Snapshot
		p, _, got = open()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after cleaning at %v loaded %+v, want %+v", at, got, want)
		}
	}
	defer p.Close()
	if after := p.Size(); after >= before/2 {
		t.Fatalf("log of %d bytes is %d after cleaning", before, after)
	}
}
