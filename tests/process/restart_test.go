//go:build unix

package process

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRestart stops the broker with SIGTERM and starts it again on the
// same data directory: every record comes back identical (offset, key,
// value, headers, timestamp), the batches keep their codecs, and new
// records continue at the old end offset. A second round does the same
// after SIGKILL.
func TestRestart(t *testing.T) {
	t.Parallel()
	const topic, parts = "restart", 2
	b := startBroker(t)
	createTopic(t, newClient(t, b.Addr()), topic, parts)

	var produced []*kgo.Record
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond) // CreateTime, kept as sent
	for round, c := range crashCodecs {
		produced = append(produced, produceSync(t, b.Addr(), c, restartRecords(round, base, parts))...)
	}
	before := snapshot(t, b, topic, parts)
	checkSnapshot(t, "before restart", before, produced)
	// One batch per codec and partition (the linger), stored as sent.
	for p, attrs := range before.attrs {
		var got []int16
		for _, a := range attrs {
			got = append(got, a&7)
		}
		if want := []int16{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
			t.Errorf("p%d: batch codecs %v, want %v", p, got, want)
		}
	}

	for _, restart := range []struct {
		name string
		stop func()
	}{{"SIGTERM", b.Stop}, {"SIGKILL", b.Kill}} {
		restart.stop()
		b.Start()
		after := snapshot(t, b, topic, parts)
		checkSnapshot(t, "after "+restart.name, after, produced)
		if !slices.EqualFunc(before.attrs, after.attrs, slices.Equal) {
			t.Errorf("after %s: batch attributes %v, before %v", restart.name, after.attrs, before.attrs)
		}
		// Appends continue where the log ended.
		more := produceSync(t, b.Addr(), kgo.NoCompression(), restartRecords(len(produced), base, parts))
		for _, r := range more {
			if want := after.ends[r.Partition]; r.Offset < want {
				t.Errorf("after %s: new record at p%d@%d, below the end offset %d", restart.name, r.Partition, r.Offset, want)
			}
		}
		produced = append(produced, more...)
		before = snapshot(t, b, topic, parts)
		checkSnapshot(t, "after producing more", before, produced)
	}
}

// restartRecords makes a few records per partition with keys, headers
// and distinct timestamps, one null value among them.
func restartRecords(round int, base time.Time, parts int32) []*kgo.Record {
	var rs []*kgo.Record
	for i := range 12 {
		n := round*100 + i
		r := &kgo.Record{
			Topic:     "restart",
			Partition: int32(i) % parts,
			Key:       fmt.Appendf(nil, "key-%d", n),
			Value:     fmt.Appendf(nil, "value-%d %s", n, bytes.Repeat([]byte("r"), i*10)),
			Headers:   []kgo.RecordHeader{{Key: "n", Value: fmt.Appendf(nil, "%d", n)}, {Key: "empty", Value: []byte{}}},
			Timestamp: base.Add(time.Duration(n) * time.Millisecond),
		}
		if i == 5 {
			r.Value = nil
		}
		rs = append(rs, r)
	}
	return rs
}

// produceSync produces rs in one go with acks=all and returns them with
// the offsets the broker gave.
func produceSync(t *testing.T, addr string, codec kgo.CompressionCodec, rs []*kgo.Record) []*kgo.Record {
	t.Helper()
	cl := newClient(t, addr,
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DisableIdempotentWrite(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchCompression(codec),
		// A long linger puts each partition's records in one batch.
		kgo.ProducerLinger(50*time.Millisecond),
	)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	return rs
}

type logSnapshot struct {
	ends    []int64
	records [][]*kgo.Record
	attrs   [][]int16
}

func snapshot(t *testing.T, b *broker, topic string, parts int32) logSnapshot {
	t.Helper()
	cl := newClient(t, b.Addr())
	var s logSnapshot
	if starts := listOffsets(t, cl, topic, parts, -2); slices.ContainsFunc(starts, func(o int64) bool { return o != 0 }) {
		t.Errorf("log start offsets %v, want all 0", starts)
	}
	s.ends = listOffsets(t, cl, topic, parts, -1)
	s.attrs = checkBatches(t, cl, topic, s.ends)
	s.records = consumeAll(t, b.Addr(), topic, s.ends)
	return s
}

// checkSnapshot requires the log to hold exactly the produced records.
func checkSnapshot(t *testing.T, when string, s logSnapshot, produced []*kgo.Record) {
	t.Helper()
	n := 0
	for _, rs := range s.records {
		n += len(rs)
	}
	if n != len(produced) {
		t.Errorf("%s: %d records in the log, produced %d", when, n, len(produced))
	}
	for _, want := range produced {
		rs := s.records[want.Partition]
		if want.Offset >= int64(len(rs)) {
			t.Errorf("%s: p%d@%d missing (partition has %d records)", when, want.Partition, want.Offset, len(rs))
			continue
		}
		if diff := recordDiff(rs[want.Offset], want); diff != "" {
			t.Errorf("%s: p%d@%d: %s", when, want.Partition, want.Offset, diff)
		}
	}
}

func recordDiff(got, want *kgo.Record) string {
	switch {
	case got.Offset != want.Offset:
		return fmt.Sprintf("offset %d, want %d", got.Offset, want.Offset)
	case !bytes.Equal(got.Key, want.Key) || (got.Key == nil) != (want.Key == nil):
		return fmt.Sprintf("key %q, want %q", got.Key, want.Key)
	case !bytes.Equal(got.Value, want.Value) || (got.Value == nil) != (want.Value == nil):
		return fmt.Sprintf("value %q (nil %v), want %q (nil %v)", got.Value, got.Value == nil, want.Value, want.Value == nil)
	case !got.Timestamp.Equal(want.Timestamp):
		return fmt.Sprintf("timestamp %v, want %v", got.Timestamp, want.Timestamp)
	case got.Attrs.TimestampType() != 0:
		return fmt.Sprintf("timestamp type %d, want 0 (CreateTime)", got.Attrs.TimestampType())
	case !slices.EqualFunc(got.Headers, want.Headers, func(a, b kgo.RecordHeader) bool {
		return a.Key == b.Key && bytes.Equal(a.Value, b.Value)
	}):
		return fmt.Sprintf("headers %v, want %v", got.Headers, want.Headers)
	}
	return ""
}
