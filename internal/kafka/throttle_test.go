package kafka_test

import (
	"math"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/samsatest"
)

// Quota throttling on the wire: the throttle time in the response and the
// mute that holds the connection's next request back for it (KIP-219).

// testQuota is the byte rate the tests set: 10 s of it (the most a fresh
// client may spend at once) is 100 kB.
const testQuota = 10_000

// bigBatch is one record of n bytes, enough to go over testQuota at once.
func bigBatch(t *testing.T, n int) []byte {
	t.Helper()
	h := batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: time.Now().UnixMilli()}
	b, err := batch.Build(h, batch.Record{Value: make([]byte, n)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// quotaConn is a connection whose client id ("samsa-test") has quota key
// set to testQuota, on a topic of its own.
func quotaConn(t *testing.T, key string) *rawConn {
	t.Helper()
	b := samsatest.Start(t)
	c := dial(t, b.Addr())
	createTopic(t, c, "throttled", 1)
	got := alterQuotas(t, c, 1, quotaEntry("client-id", strp("samsa-test"), setQuota(key, testQuota)))
	wantCode(t, "setting the quota", got[0].ErrorCode)
	return c
}

// expectMuted sends ApiVersions and checks its answer took at least d:
// the connection was muted, not closed.
func expectMuted(t *testing.T, c *rawConn, d time.Duration) {
	t.Helper()
	start := time.Now()
	c.roundTrip(kmsg.NewPtrApiVersionsRequest(), 3)
	if took := time.Since(start); took < d-10*time.Millisecond {
		t.Fatalf("next request answered after %v, before the %v throttle ended", took, d)
	}
}

func TestProduceOverQuotaIsThrottledAndMuted(t *testing.T) {
	c := quotaConn(t, "producer_byte_rate")
	resp := c.roundTrip(produceReq("throttled", bigBatch(t, 105_000)), 9).(*kmsg.ProduceResponse)
	if p := resp.Topics[0].Partitions[0]; p.ErrorCode != 0 || p.BaseOffset != 0 {
		t.Fatalf("over the quota the batch must still be appended: code %d offset %d", p.ErrorCode, p.BaseOffset)
	}
	// ~105 kB over 10 s is ~5% over the quota: throttled ~5% of 10 s.
	if ms := resp.ThrottleMillis; ms < 400 || ms > 700 {
		t.Fatalf("ThrottleMillis = %d, want about 500", ms)
	}
	expectMuted(t, c, time.Duration(resp.ThrottleMillis)*time.Millisecond)
}

func TestAcksZeroProduceOverQuotaIsMutedNotClosed(t *testing.T) {
	c := quotaConn(t, "producer_byte_rate")
	req := produceReq("throttled", bigBatch(t, 105_000))
	req.Acks = 0
	f := frame(req, 9, 99)
	c.write(f)
	// Kafka counts the request (less its size field) over a 10 s window.
	rate := float64(len(f)-4) / 10
	expectMuted(t, c, time.Duration(math.Round((rate-testQuota)/testQuota*10_000))*time.Millisecond)
	if got := endOffset(t, c, "throttled"); got != 1 {
		t.Fatalf("end offset %d, want the acks=0 batch appended", got)
	}
}

func fetchFromStart(c *rawConn, sessionEpoch int32) *kmsg.FetchResponse {
	req := kmsg.NewPtrFetchRequest()
	req.MaxBytes, req.SessionEpoch = 1<<20, sessionEpoch
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = "throttled"
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.PartitionMaxBytes = 1 << 20
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return c.roundTrip(req, 12).(*kmsg.FetchResponse)
}

func TestFetchOverQuotaIsAnsweredEmpty(t *testing.T) {
	c := quotaConn(t, "consumer_byte_rate")
	if code, _ := produceCode(t, c, "throttled", bigBatch(t, 105_000)); code != 0 {
		t.Fatalf("produce: code %d", code)
	}
	// The first batch is returned whole whatever the cap, and is over the
	// quota: Kafka answers empty and does not count the bytes. A full
	// fetch asking for a session gets none.
	resp := fetchFromStart(c, 0)
	if len(resp.Topics) != 0 || resp.ErrorCode != 0 || resp.SessionID != 0 {
		t.Fatalf("throttled fetch: topics %+v, code %d, session %d; want an empty answer and no session", resp.Topics, resp.ErrorCode, resp.SessionID)
	}
	if ms := resp.ThrottleMillis; ms < 400 || ms > 700 {
		t.Fatalf("ThrottleMillis = %d, want about 500", ms)
	}
	expectMuted(t, c, time.Duration(resp.ThrottleMillis)*time.Millisecond)

	got := alterQuotas(t, c, 1, quotaEntry("client-id", strp("samsa-test"), removeQuota("consumer_byte_rate")))
	wantCode(t, "removing the quota", got[0].ErrorCode)
	resp = fetchFromStart(c, 0)
	if resp.ThrottleMillis != 0 || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions[0].RecordBatches) == 0 {
		t.Fatalf("after removing the quota: throttle %d, topics %+v; want the batch", resp.ThrottleMillis, resp.Topics)
	}
	if resp.SessionID == 0 {
		t.Fatal("no session opened by an unthrottled full fetch")
	}
}
