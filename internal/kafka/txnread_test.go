package kafka_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/partition"
	"github.com/samsa-streaming/samsa/samsatest"
)

// Reads of transactional data over the wire. Until the transaction APIs
// exist, the log is written offline: the broker creates the topic, stops,
// the test appends transactional batches and markers to the partition
// directly, and a broker on the same directory serves them.

// offlineBatch builds a batch of n records at ts, transactional from
// producer id unless id is -1.
func offlineBatch(t testing.TB, id int64, ts int64, n int) []byte {
	t.Helper()
	h := batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: ts}
	if id >= 0 {
		h = batch.Header{Attributes: 0x10, ProducerID: id, ProducerEpoch: 0, BaseSequence: 0, BaseTimestamp: ts}
	}
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{Value: []byte("value")}
	}
	b, err := batch.Build(h, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// offlineTxnLog starts a broker over a log of topic "txn" holding, with
// timestamps base+1000*offset:
//
//	0-1 plain  2 p1 txn  3 plain  4 p1 abort  5 p2 txn (open)  6 plain
func offlineTxnLog(t *testing.T, base int64) (addr string) {
	t.Helper()
	dir := t.TempDir()
	b := samsatest.Start(t, samsatest.DataDir(dir))
	createTopic(t, dial(t, b.Addr()), "txn", 1)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := partition.Open(filepath.Join(dir, "txn-0"), "txn", 0, partition.Config{MaxMessageBytes: 1 << 20}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	appendAll := func(batches ...[]byte) {
		for _, b := range batches {
			if _, err := p.Append(b, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	appendAll(offlineBatch(t, -1, base, 2), offlineBatch(t, 1, base+2000, 1), offlineBatch(t, -1, base+3000, 1))
	if _, err := p.AppendMarker(partition.Marker{ProducerID: 1, CoordinatorEpoch: 3}, time.UnixMilli(base+4000)); err != nil {
		t.Fatal(err)
	}
	appendAll(offlineBatch(t, 2, base+5000, 1), offlineBatch(t, -1, base+6000, 1))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return samsatest.Start(t, samsatest.DataDir(dir)).Addr()
}

func fetchIsolated(t *testing.T, c *rawConn, v int16, isolation int8, offset int64) kmsg.FetchResponseTopicPartition {
	t.Helper()
	req := kmsg.NewPtrFetchRequest()
	req.MaxWaitMillis, req.MaxBytes, req.SessionEpoch, req.IsolationLevel = 10, 1<<20, -1, isolation
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = "txn"
	if v >= 13 {
		rt.Topic, rt.TopicID = "", topicID(t, c, "txn")
	}
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset, rp.PartitionMaxBytes = offset, 1<<20
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.FetchResponse)
	if resp.ErrorCode != 0 || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("fetch v%d: %v, %+v", v, kerr.ErrorForCode(resp.ErrorCode), resp.Topics)
	}
	p := resp.Topics[0].Partitions[0]
	wantCode(t, "fetch", p.ErrorCode)
	return p
}

// offsetAfter is the offset after the last batch of records.
func offsetAfter(t *testing.T, records []byte) int64 {
	t.Helper()
	next := int64(-1)
	for len(records) > 0 {
		h, err := batch.ParseHeader(records)
		if err != nil || h.Size() > len(records) {
			t.Fatalf("records end in a partial batch: %v", err)
		}
		next, records = h.LastOffset()+1, records[h.Size():]
	}
	return next
}

// TestFetchReadCommittedOverWire: read_committed stops at the last stable
// offset and lists the aborted transaction; read_uncommitted reads to the
// high watermark with no list.
func TestFetchReadCommittedOverWire(t *testing.T) {
	c := dial(t, offlineTxnLog(t, time.Now().UnixMilli()-10_000))
	for _, v := range []int16{4, 12, 16} {
		p := fetchIsolated(t, c, v, 1, 0)
		want := []kmsg.FetchResponseTopicPartitionAbortedTransaction{{ProducerID: 1, FirstOffset: 2}}
		if p.HighWatermark != 7 || p.LastStableOffset != 5 || !reflect.DeepEqual(p.AbortedTransactions, want) {
			t.Fatalf("v%d read_committed: hwm %d lso %d aborted %+v; want 7 5 %+v", v, p.HighWatermark, p.LastStableOffset, p.AbortedTransactions, want)
		}
		if got := offsetAfter(t, p.RecordBatches); got != 5 {
			t.Fatalf("v%d read_committed returned batches up to %d, want 5", v, got)
		}
		at := fetchIsolated(t, c, v, 1, 5)
		if len(at.RecordBatches) != 0 || at.AbortedTransactions == nil || len(at.AbortedTransactions) != 0 {
			t.Fatalf("v%d read_committed at the last stable offset: %d bytes, aborted %+v; want none and an empty list", v, len(at.RecordBatches), at.AbortedTransactions)
		}
		unc := fetchIsolated(t, c, v, 0, 0)
		if unc.LastStableOffset != 5 || unc.AbortedTransactions != nil || offsetAfter(t, unc.RecordBatches) != 7 {
			t.Fatalf("v%d read_uncommitted: lso %d aborted %+v", v, unc.LastStableOffset, unc.AbortedTransactions)
		}
	}
}

// TestListOffsetsIsolationOverWire: read_committed answers are bounded by
// the last stable offset (5), except earliest.
func TestListOffsetsIsolationOverWire(t *testing.T) {
	base := time.Now().UnixMilli() - 10_000
	c := dial(t, offlineTxnLog(t, base))
	for _, tt := range []struct {
		isolation int8
		ts, want  int64
	}{
		{0, -1, 7},
		{1, -1, 5},
		{1, -2, 0},
		{0, -3, 6},
		{1, -3, -1},
		{1, base + 3500, 4}, // the abort marker's record
		{0, base + 4500, 5},
		{1, base + 4500, -1},
	} {
		req := kmsg.NewPtrListOffsetsRequest()
		req.IsolationLevel = tt.isolation
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = "txn"
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Timestamp = tt.ts
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		p := c.roundTrip(req, 7).(*kmsg.ListOffsetsResponse).Topics[0].Partitions[0]
		if p.ErrorCode != 0 || p.Offset != tt.want {
			t.Errorf("isolation %d timestamp %d: %v offset %d, want %d", tt.isolation, tt.ts, kerr.ErrorForCode(p.ErrorCode), p.Offset, tt.want)
		}
	}
}

func TestDescribeProducersTransactions(t *testing.T) {
	c := dial(t, offlineTxnLog(t, time.Now().UnixMilli()-10_000))
	req := kmsg.NewPtrDescribeProducersRequest()
	rt := kmsg.NewDescribeProducersRequestTopic()
	rt.Topic, rt.Partitions = "txn", []int32{0}
	req.Topics = append(req.Topics, rt)
	ps := c.roundTrip(req, 0).(*kmsg.DescribeProducersResponse).Topics[0].Partitions[0]
	wantCode(t, "describe producers", ps.ErrorCode)
	if len(ps.ActiveProducers) != 2 {
		t.Fatalf("producers %+v, want 2", ps.ActiveProducers)
	}
	aborted, open := ps.ActiveProducers[0], ps.ActiveProducers[1]
	if aborted.ProducerID != 1 || aborted.CoordinatorEpoch != 3 || aborted.CurrentTxnStartOffset != -1 {
		t.Errorf("producer after its abort: %+v", aborted)
	}
	if open.ProducerID != 2 || open.CoordinatorEpoch != -1 || open.CurrentTxnStartOffset != 5 {
		t.Errorf("producer in a transaction: %+v", open)
	}
}

// TestFranzGoReadCommitted: franz-go, reading committed, gets the plain
// records below the last stable offset and drops the aborted one, from the
// aborted transactions the broker lists.
func TestFranzGoReadCommitted(t *testing.T) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(offlineTxnLog(t, time.Now().UnixMilli()-10_000)), kgo.ConsumeTopics("txn"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []int64
	for len(got) < 3 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got = append(got, r.Offset) })
	}
	if want := []int64{0, 1, 3}; !reflect.DeepEqual(got, want) {
		t.Fatalf("read_committed offsets %v, want %v", got, want)
	}
}
