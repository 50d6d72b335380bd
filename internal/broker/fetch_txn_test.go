package broker

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// txnPartition creates topic name with one partition and returns it, for
// tests that write transactional batches and markers directly.
func txnPartition(t *testing.T, b *Broker, name string) *partition.Partition {
	t.Helper()
	if _, err := b.CreateTopic(CreateTopic{Name: name, Partitions: 1, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	return b.lookup(name).partitions[0]
}

// appendTxn appends n records, transactional from producer id unless id
// is -1, stamped now so that they share a segment.
func appendTxn(t *testing.T, p *partition.Partition, id int64, n int) int64 {
	t.Helper()
	h := batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: time.Now().UnixMilli()}
	if id >= 0 {
		h.Attributes, h.ProducerID, h.ProducerEpoch, h.BaseSequence = 0x10, id, 0, 0
	}
	raw, err := batch.Build(h, make([]batch.Record, n)...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Append(raw, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res.BaseOffset
}

func readCommitted(name string, offset int64, wait time.Duration) FetchRequest {
	return FetchRequest{MaxWait: wait, MinBytes: 1, MaxBytes: 1 << 20, Isolation: partition.ReadCommitted,
		Parts: []FetchPart{{Topic: name, Offset: offset, MaxBytes: 1 << 20}}}
}

// TestFetchReadCommitted: a read_committed fetch stops at the last stable
// offset, its long poll returns once a marker moves it, and it lists the
// aborted transactions in what it returns; read_uncommitted reads on.
func TestFetchReadCommitted(t *testing.T) {
	b := open(t, t.TempDir(), nil)
	defer b.Close()
	p := txnPartition(t, b, "rc")
	// 0-1 plain, 2 p1 txn, 3 plain, 4 p1 abort, 5 p2 txn (open), 6 plain
	appendTxn(t, p, -1, 2)
	first := appendTxn(t, p, 1, 1)
	appendTxn(t, p, -1, 1)
	if _, err := p.AppendMarker(partition.Marker{ProducerID: 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	openTxn := appendTxn(t, p, 2, 1)
	appendTxn(t, p, -1, 1)

	res := b.Fetch(context.Background(), readCommitted("rc", 0, 0))[0]
	res.Records.Release()
	want := []partition.AbortedTxn{{ProducerID: 1, FirstOffset: first}}
	if res.Err != nil || res.LastStable != openTxn || res.HighWatermark != 7 || !reflect.DeepEqual(res.AbortedTransactions, want) {
		t.Fatalf("read_committed: %+v; want lso %d hwm 7 aborted %+v", res, openTxn, want)
	}
	short := b.Fetch(context.Background(), readCommitted("rc", openTxn, 50*time.Millisecond))[0]
	if short.Err != nil || short.Records.Len() != 0 || short.AbortedTransactions != nil {
		t.Fatalf("read_committed at the last stable offset: %+v; want nothing", short)
	}
	unc := b.Fetch(context.Background(), FetchRequest{MaxBytes: 1 << 20, Parts: []FetchPart{{Topic: "rc", Offset: openTxn, MaxBytes: 1 << 20}}})[0]
	unc.Records.Release()
	if unc.Err != nil || unc.Records.Len() == 0 || unc.LastStable != openTxn || unc.AbortedTransactions != nil {
		t.Fatalf("read_uncommitted: %+v; want the open transaction's data", unc)
	}

	done := make(chan FetchResult)
	go func() { done <- b.Fetch(context.Background(), readCommitted("rc", openTxn, time.Minute))[0] }()
	// Give the fetch time to park; had it not, it would still only return
	// after the marker, just without going through the wake-up.
	time.Sleep(20 * time.Millisecond)
	if _, err := p.AppendMarker(partition.Marker{ProducerID: 2, Commit: true}, time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-done:
		res.Records.Release()
		if res.Err != nil || res.Records.Len() == 0 || res.LastStable != 8 || len(res.AbortedTransactions) != 0 {
			t.Fatalf("woken read_committed fetch: %+v; want the committed data, lso 8", res)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("read_committed long poll did not wake on the marker")
	}
}

func TestListOffsetReadCommitted(t *testing.T) {
	b := open(t, t.TempDir(), nil)
	defer b.Close()
	p := txnPartition(t, b, "lo")
	appendTxn(t, p, -1, 2)
	appendTxn(t, p, 1, 1)
	appendTxn(t, p, -1, 1)
	for _, tt := range []struct {
		iso  partition.Isolation
		want int64
	}{{partition.ReadUncommitted, 4}, {partition.ReadCommitted, 2}} {
		if off, _, err := b.ListOffset("lo", 0, partition.Latest, tt.iso); err != nil || off != tt.want {
			t.Errorf("latest at isolation %d: %d, %v; want %d", tt.iso, off, err, tt.want)
		}
	}
}
