package clients

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// startOffset is a partition's log start offset as ListOffsets reports it.
func startOffset(t *testing.T, adm *kadm.Client, topic string, partition int32) int64 {
	t.Helper()
	starts, err := adm.ListStartOffsets(testContext(t), topic)
	if err != nil {
		t.Fatalf("ListStartOffsets: %v", err)
	}
	o, ok := starts.Lookup(topic, partition)
	if !ok || o.Err != nil {
		t.Fatalf("start offset of %s/%d: %+v", topic, partition, o)
	}
	return o.Offset
}

// fetchAt fetches one partition at offset and returns its answer.
func fetchAt(t *testing.T, cl *kgo.Client, topic string, id kadm.TopicID, partition int32, offset int64) kmsg.FetchResponseTopicPartition {
	t.Helper()
	resp := request[*kmsg.FetchResponse](t, testContext(t), cl, fetchReq(topic, id, 0, fetchPart{partition, offset, 0}))
	return fetched(t, resp)[partition]
}

// TestRetentionByTime: segments whose newest record is older than
// retention.ms are deleted and the log start offset moves past them;
// recent records stay.
func TestRetentionByTime(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t, samsatest.Config("log.retention.check.interval.ms", "50"))
	const topic = "retention-time"
	id := createTopic(t, adm, topic, 1, map[string]*string{"retention.ms": kadm.StringPtr("600000"), "segment.bytes": kadm.StringPtr("1024")})
	cl := newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.NoCompression()))
	old := time.Now().Add(-time.Hour)
	const oldRecords, newRecords = 60, 20
	for i := range oldRecords + newRecords {
		ts := time.Now()
		if i < oldRecords {
			ts = old.Add(time.Duration(i) * time.Millisecond)
		}
		r := &kgo.Record{Topic: topic, Value: fmt.Appendf(nil, "record %d with some padding to fill segments", i), Timestamp: ts}
		if err := cl.ProduceSync(testContext(t), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	var start int64
	waitFor(t, "retention to delete the old segments", func() error {
		if start = startOffset(t, adm, topic, 0); start == 0 {
			return errors.New("log start offset still 0")
		}
		return nil
	})
	if start > oldRecords {
		t.Fatalf("log start offset %d: retention deleted records newer than retention.ms (the first is at %d)", start, oldRecords)
	}
	checkStartHolds(t, cl, topic, id, start, oldRecords+newRecords)
}

// TestRetentionBySize: the oldest segments go while the log is larger than
// retention.bytes.
func TestRetentionBySize(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t, samsatest.Config("log.retention.check.interval.ms", "50"))
	const topic = "retention-bytes"
	const retentionBytes, segmentBytes = 4000, 1000
	id := createTopic(t, adm, topic, 1, map[string]*string{
		"retention.bytes": kadm.StringPtr(fmt.Sprint(retentionBytes)), "segment.bytes": kadm.StringPtr(fmt.Sprint(segmentBytes)),
	})
	cl := newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.NoCompression()))
	const n = 200
	for i := range n {
		produceOne(t, cl, topic, 0, fmt.Appendf(nil, "record %03d padded to about a hundred bytes ..........................", i))
	}
	var start int64
	waitFor(t, "retention to trim the log to retention.bytes", func() error {
		// Each record is its own batch of about 130 bytes: the log keeps
		// retention.bytes plus at most one segment.
		if start = startOffset(t, adm, topic, 0); (n-start)*130 > retentionBytes+segmentBytes {
			return fmt.Errorf("log start offset %d, %d records left", start, n-start)
		}
		return nil
	})
	checkStartHolds(t, cl, topic, id, start, n)
}

// checkStartHolds checks what a log start offset means to a consumer: the
// first record is there, everything below is OFFSET_OUT_OF_RANGE.
func checkStartHolds(t *testing.T, cl *kgo.Client, topic string, id kadm.TopicID, start, end int64) {
	t.Helper()
	rp := fetchAt(t, cl, topic, id, 0, start)
	batches, _ := batchesOf(t, rp.RecordBatches)
	if rp.ErrorCode != 0 || rp.LogStartOffset != start || rp.HighWatermark != end || len(batches) == 0 || batches[0].FirstOffset != start {
		t.Fatalf("fetch at the log start %d: %v, log start %d, high watermark %d, %d batches", start, kerr.ErrorForCode(rp.ErrorCode),
			rp.LogStartOffset, rp.HighWatermark, len(batches))
	}
	if rp := fetchAt(t, cl, topic, id, 0, start-1); rp.ErrorCode != kerr.OffsetOutOfRange.Code {
		t.Fatalf("fetch below the log start: %v, want OFFSET_OUT_OF_RANGE", kerr.ErrorForCode(rp.ErrorCode))
	}
}

// TestDeleteRecordsKadm: kadm's DeleteRecords moves the log start offset
// (to the high watermark for -1), the move survives a restart, and bad
// requests get Kafka's codes.
func TestDeleteRecordsKadm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, adm := startBroker(t, samsatest.DataDir(dir))
	const topic = "delete-records"
	id := createTopic(t, adm, topic, 2, nil)
	createTopic(t, adm, "compact-only", 1, map[string]*string{"cleanup.policy": kadm.StringPtr("compact")})
	cl := newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.NoCompression()))
	for i := range 30 {
		produceOne(t, cl, topic, int32(i%2), fmt.Appendf(nil, "r%d", i))
	}
	ctx := testContext(t)
	os := make(kadm.Offsets)
	os.Add(kadm.Offset{Topic: topic, Partition: 0, At: 7})
	os.Add(kadm.Offset{Topic: topic, Partition: 1, At: -1})
	resps, err := adm.DeleteRecords(ctx, os)
	if err != nil || resps.Error() != nil {
		t.Fatalf("DeleteRecords: %v %v", err, resps.Error())
	}
	for p, want := range map[int32]int64{0: 7, 1: 15} {
		if r, _ := resps.Lookup(topic, p); r.LowWatermark != want {
			t.Errorf("partition %d low watermark %d, want %d", p, r.LowWatermark, want)
		}
		if got := startOffset(t, adm, topic, p); got != want {
			t.Errorf("partition %d log start offset %d, want %d", p, got, want)
		}
	}
	checkStartHolds(t, cl, topic, id, 7, 15)

	for _, c := range []struct {
		topic     string
		partition int32
		offset    int64
		want      error
	}{
		{topic, 0, 16, kerr.OffsetOutOfRange},
		{"compact-only", 0, 0, kerr.PolicyViolation},
	} { // (kadm resolves topics first; unknown and internal ones: internal/kafka's raw tests)
		os := make(kadm.Offsets)
		os.Add(kadm.Offset{Topic: c.topic, Partition: c.partition, At: c.offset})
		resps, err := adm.DeleteRecords(ctx, os)
		if err != nil {
			t.Fatalf("DeleteRecords(%s/%d at %d): %v", c.topic, c.partition, c.offset, err)
		}
		if r, _ := resps.Lookup(c.topic, c.partition); !errors.Is(r.Err, c.want) {
			t.Errorf("DeleteRecords(%s/%d at %d): %v, want %v", c.topic, c.partition, c.offset, r.Err, c.want)
		}
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = samsatest.Start(t, samsatest.DataDir(dir))
	adm = newAdmin(t, b.Addr())
	if got := startOffset(t, adm, topic, 0); got != 7 {
		t.Fatalf("log start offset %d after a restart, want 7", got)
	}
}
