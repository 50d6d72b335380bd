package clients

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// listOffset sends one raw ListOffsets for a partition.
func listOffset(t *testing.T, cl *kgo.Client, topic string, partition int32, timestamp int64) kmsg.ListOffsetsResponseTopicPartition {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = partition, timestamp, -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := request[*kmsg.ListOffsetsResponse](t, testContext(t), cl, req)
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("ListOffsets: response %+v, want one partition", resp.Topics)
	}
	return resp.Topics[0].Partitions[0]
}

// TestListOffsets lists start, end, by-time and max-timestamp offsets of a
// partition written as one multi-record batch, single-record batches and a
// batch whose timestamps are out of order.
func TestListOffsets(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	ctx := testContext(t)
	const topic = "times"
	createTopic(t, adm, topic, 2, nil) // partition 1 stays empty
	base := time.UnixMilli(1_700_000_000_000)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	rec := func(ms int) *kgo.Record { return &kgo.Record{Topic: topic, Timestamp: at(ms), Value: []byte("v")} }

	// Offsets 0-4 at +0..+40 in one batch (the linger lets them gather).
	batcher := newClient(t, b.Addr(), kgo.ProducerLinger(100*time.Millisecond))
	if err := batcher.ProduceSync(ctx, rec(0), rec(10), rec(20), rec(30), rec(40)).FirstErr(); err != nil {
		t.Fatal(err)
	}
	// Offsets 5-9 at +50..+90, one batch each.
	single := newClient(t, b.Addr())
	for ms := 50; ms < 100; ms += 10 {
		if err := single.ProduceSync(ctx, rec(ms)).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// Offsets 10-12 at +100, +130, +120: the maximum is not the last record.
	if err := batcher.ProduceSync(ctx, rec(100), rec(130), rec(120)).FirstErr(); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T, what string, l kadm.ListedOffsets, err error, p int32, offset, timestamp int64) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		o, ok := l.Lookup(topic, p)
		switch {
		case !ok:
			t.Errorf("%s: partition %d missing", what, p)
		case o.Err != nil:
			t.Errorf("%s: partition %d: %v", what, p, o.Err)
		case o.Offset != offset || (timestamp != 0 && o.Timestamp != timestamp):
			t.Errorf("%s: partition %d at offset %d timestamp %d, want %d %d", what, p, o.Offset, o.Timestamp, offset, timestamp)
		}
	}
	t.Run("start-end", func(t *testing.T) {
		l, err := adm.ListStartOffsets(ctx, topic)
		check(t, "start", l, err, 0, 0, 0)
		check(t, "start", l, err, 1, 0, 0)
		l, err = adm.ListEndOffsets(ctx, topic)
		check(t, "end", l, err, 0, 13, 0)
		check(t, "end", l, err, 1, 0, 0)
	})
	t.Run("by-time", func(t *testing.T) {
		for _, c := range []struct {
			ms             int
			offset, tsWant int64
		}{
			{-1000, 0, at(0).UnixMilli()},
			{0, 0, at(0).UnixMilli()},
			{5, 1, at(10).UnixMilli()},
			{40, 4, at(40).UnixMilli()},
			{41, 5, at(50).UnixMilli()},
			{75, 8, at(80).UnixMilli()},
			{100, 10, at(100).UnixMilli()},
			{101, 11, at(130).UnixMilli()}, // first record at or after, not the closest
			{121, 11, at(130).UnixMilli()},
		} {
			l, err := adm.ListOffsetsAfterMilli(ctx, at(c.ms).UnixMilli(), topic)
			check(t, "after "+at(c.ms).Sub(base).String(), l, err, 0, c.offset, c.tsWant)
		}
		// Past the last timestamp Kafka answers -1 (kadm then lists the end).
		if rp := listOffset(t, single, topic, 0, at(131).UnixMilli()); rp.ErrorCode != 0 || rp.Offset != -1 || rp.Timestamp != -1 {
			t.Errorf("after the last timestamp: offset %d timestamp %d err %v, want -1 -1", rp.Offset, rp.Timestamp, kerr.ErrorForCode(rp.ErrorCode))
		}
		if rp := listOffset(t, single, topic, 1, base.UnixMilli()); rp.ErrorCode != 0 || rp.Offset != -1 || rp.Timestamp != -1 {
			t.Errorf("empty partition: offset %d timestamp %d err %v, want -1 -1", rp.Offset, rp.Timestamp, kerr.ErrorForCode(rp.ErrorCode))
		}
	})
	t.Run("max-timestamp", func(t *testing.T) {
		l, err := adm.ListMaxTimestampOffsets(ctx, topic)
		check(t, "max timestamp", l, err, 0, 11, at(130).UnixMilli())
		check(t, "max timestamp of an empty partition", l, err, 1, -1, -1)
	})
	t.Run("unknown-partition", func(t *testing.T) {
		if rp := listOffset(t, single, topic, 7, -1); rp.ErrorCode != kerr.UnknownTopicOrPartition.Code {
			t.Errorf("partition 7: %v, want UNKNOWN_TOPIC_OR_PARTITION", kerr.ErrorForCode(rp.ErrorCode))
		}
		if rp := listOffset(t, single, "no-such-topic", 0, -1); rp.ErrorCode != kerr.UnknownTopicOrPartition.Code {
			t.Errorf("unknown topic: %v, want UNKNOWN_TOPIC_OR_PARTITION", kerr.ErrorForCode(rp.ErrorCode))
		}
	})
}
