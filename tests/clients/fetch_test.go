package clients

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// These tests send raw Fetch requests, to check the semantics clients rely
// on but hide: long polling, size limits, sessions, topic ids, errors.

type fetchPart struct {
	partition int32
	offset    int64
	maxBytes  int32 // 0 = 1 MiB
}

// fetchReq is a sessionless fetch of one topic, named by both name and id
// so that it works at any version (v13+ sends only the id).
func fetchReq(topic string, id kadm.TopicID, maxWait time.Duration, parts ...fetchPart) *kmsg.FetchRequest {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID = -1
	req.MaxWaitMillis = int32(maxWait.Milliseconds())
	req.MinBytes = 1
	req.MaxBytes = 50 << 20
	req.SessionEpoch = -1
	if len(parts) > 0 {
		req.Topics = append(req.Topics, fetchTopic(topic, id, parts...))
	}
	return req
}

func fetchTopic(topic string, id kadm.TopicID, parts ...fetchPart) kmsg.FetchRequestTopic {
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic, rt.TopicID = topic, id
	for _, p := range parts {
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.Partition, rp.FetchOffset, rp.PartitionMaxBytes = p.partition, p.offset, p.maxBytes
		if rp.PartitionMaxBytes == 0 {
			rp.PartitionMaxBytes = 1 << 20
		}
		rt.Partitions = append(rt.Partitions, rp)
	}
	return rt
}

// fetched indexes a response's partitions by number (one topic).
func fetched(t *testing.T, resp *kmsg.FetchResponse) map[int32]kmsg.FetchResponseTopicPartition {
	t.Helper()
	if resp.ErrorCode != 0 {
		t.Fatalf("fetch: top-level error %v", kerr.ErrorForCode(resp.ErrorCode))
	}
	m := make(map[int32]kmsg.FetchResponseTopicPartition)
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			m[rp.Partition] = rp
		}
	}
	return m
}

// fetchSetup starts a broker with a topic and returns a raw client that
// also produces uncompressed batches (so their sizes are predictable).
func fetchSetup(t *testing.T, topic string, partitions int32) (addr string, cl *kgo.Client, id kadm.TopicID) {
	t.Helper()
	b, adm := startBroker(t)
	id = createTopic(t, adm, topic, partitions, nil)
	return b.Addr(), newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.NoCompression())), id
}

// produceOne writes one record as its own batch.
func produceOne(t *testing.T, cl *kgo.Client, topic string, partition int32, value []byte) {
	t.Helper()
	if err := cl.ProduceSync(testContext(t), &kgo.Record{Topic: topic, Partition: partition, Value: value}).FirstErr(); err != nil {
		t.Fatalf("produce to %s/%d: %v", topic, partition, err)
	}
}

func TestFetchLongPoll(t *testing.T) {
	t.Parallel()
	const topic = "poll"
	addr, cl, id := fetchSetup(t, topic, 1)
	ctx := testContext(t)

	t.Run("times-out-empty", func(t *testing.T) {
		const maxWait = 2 * time.Second
		start := time.Now()
		resp := request[*kmsg.FetchResponse](t, ctx, cl, fetchReq(topic, id, maxWait, fetchPart{0, 0, 0}))
		elapsed := time.Since(start)
		rp := fetched(t, resp)[0]
		if rp.ErrorCode != 0 || len(rp.RecordBatches) != 0 || rp.HighWatermark != 0 {
			t.Errorf("error %v, %d bytes, high watermark %d; want nothing at 0", kerr.ErrorForCode(rp.ErrorCode), len(rp.RecordBatches), rp.HighWatermark)
		}
		if elapsed < maxWait-150*time.Millisecond {
			t.Errorf("returned after %v, before MaxWait %v", elapsed, maxWait)
		}
	})
	t.Run("zero-max-wait", func(t *testing.T) {
		start := time.Now()
		resp := request[*kmsg.FetchResponse](t, ctx, cl, fetchReq(topic, id, 0, fetchPart{0, 0, 0}))
		if rp := fetched(t, resp)[0]; rp.ErrorCode != 0 || len(rp.RecordBatches) != 0 {
			t.Errorf("error %v, %d bytes; want nothing", kerr.ErrorForCode(rp.ErrorCode), len(rp.RecordBatches))
		}
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("MaxWait 0 took %v", elapsed)
		}
	})
	t.Run("wakes-on-produce", func(t *testing.T) {
		const maxWait = 5 * time.Second
		// The produce is the stimulus, not a wait: it lands while the fetch
		// is (most likely) parked, and the fetch must answer right away.
		prod := newClient(t, addr)
		timer := time.AfterFunc(300*time.Millisecond, func() {
			prod.Produce(ctx, &kgo.Record{Topic: topic, Value: []byte("wake up")}, nil)
		})
		defer timer.Stop()
		start := time.Now()
		resp := request[*kmsg.FetchResponse](t, ctx, cl, fetchReq(topic, id, maxWait, fetchPart{0, 0, 0}))
		elapsed := time.Since(start)
		rp := fetched(t, resp)[0]
		batches, _ := batchesOf(t, rp.RecordBatches)
		if rp.ErrorCode != 0 || len(batches) != 1 || batches[0].FirstOffset != 0 || rp.HighWatermark != 1 {
			t.Errorf("error %v, %d batches, high watermark %d; want the new record at 0", kerr.ErrorForCode(rp.ErrorCode), len(batches), rp.HighWatermark)
		}
		if elapsed > maxWait-time.Second {
			t.Errorf("fetch returned after %v: the produce did not wake it", elapsed)
		}
	})
	t.Run("min-bytes-not-reached", func(t *testing.T) {
		// Less than MinBytes is there: wait MaxWait, then return what there is.
		const maxWait = time.Second
		req := fetchReq(topic, id, maxWait, fetchPart{0, 0, 0})
		req.MinBytes = 1 << 20
		start := time.Now()
		resp := request[*kmsg.FetchResponse](t, ctx, cl, req)
		elapsed := time.Since(start)
		if batches, _ := batchesOf(t, fetched(t, resp)[0].RecordBatches); len(batches) != 1 {
			t.Errorf("%d batches, want the one there is", len(batches))
		}
		if elapsed < maxWait-150*time.Millisecond {
			t.Errorf("returned after %v, before MaxWait %v, with less than MinBytes", elapsed, maxWait)
		}
	})
	t.Run("min-bytes-reached", func(t *testing.T) {
		start := time.Now()
		resp := request[*kmsg.FetchResponse](t, ctx, cl, fetchReq(topic, id, 5*time.Second, fetchPart{0, 0, 0}))
		if batches, _ := batchesOf(t, fetched(t, resp)[0].RecordBatches); len(batches) != 1 {
			t.Errorf("%d batches, want 1", len(batches))
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("data was there but the fetch waited %v", elapsed)
		}
	})
}

// TestFetchLimits checks PartitionMaxBytes and MaxBytes: limits are soft
// for the first partition that has data (it always gets one whole batch,
// KIP-74) and hard after it.
func TestFetchLimits(t *testing.T) {
	t.Parallel()
	const topic = "limits"
	_, cl, id := fetchSetup(t, topic, 3)
	ctx := testContext(t)
	big := bytes.Repeat([]byte("x"), 10_000)
	for p := range int32(3) {
		produceOne(t, cl, topic, p, big)
		produceOne(t, cl, topic, p, big)
	}
	// All six batches are the same size; learn it.
	resp := request[*kmsg.FetchResponse](t, ctx, cl, fetchReq(topic, id, 0, fetchPart{0, 0, 0}))
	all, partial := batchesOf(t, fetched(t, resp)[0].RecordBatches)
	if len(all) != 2 || partial != 0 {
		t.Fatalf("partition 0: %d whole batches and %d stray bytes, want 2 and 0", len(all), partial)
	}
	size := int(all[0].Length) + 12

	type want struct {
		whole    map[int32]int // whole batches per partition
		maxTotal int           // bound on all record bytes in the response
	}
	for _, c := range []struct {
		name     string
		maxBytes int32
		parts    []fetchPart
		want     want
	}{
		{"partition-max-below-first-batch", 50 << 20, []fetchPart{{0, 0, 100}},
			want{map[int32]int{0: 1}, size}},
		{"partition-max-between-batches", 50 << 20, []fetchPart{{0, 0, int32(size + 100)}},
			want{map[int32]int{0: 1}, size + 100}},
		{"partition-max-per-partition", 50 << 20, []fetchPart{{0, 0, 100}, {1, 0, 100}, {2, 0, int32(2 * size)}},
			// Only the first partition may exceed its limit.
			want{map[int32]int{0: 1, 1: 0, 2: 2}, 3 * size}},
		{"max-bytes-below-first-batch", 100, []fetchPart{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}},
			want{map[int32]int{0: 1, 1: 0, 2: 0}, size}},
		{"max-bytes-across-partitions", int32(size + size/2), []fetchPart{{0, 1, 0}, {1, 0, 0}, {2, 0, 0}},
			want{map[int32]int{0: 1, 1: 0, 2: 0}, size + size/2}},
		{"max-bytes-fits-three", int32(3*size + 10), []fetchPart{{0, 1, 0}, {1, 1, 0}, {2, 1, 0}},
			want{map[int32]int{0: 1, 1: 1, 2: 1}, 3*size + 10}},
		{"first-with-data-gets-a-batch", 100, []fetchPart{{0, 2, 0}, {1, 1, 0}, {2, 0, 0}},
			want{map[int32]int{0: 0, 1: 1, 2: 0}, size}},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := fetchReq(topic, id, 0, c.parts...)
			req.MaxBytes = c.maxBytes
			got := fetched(t, request[*kmsg.FetchResponse](t, ctx, cl, req))
			total := 0
			for _, fp := range c.parts {
				rp := got[fp.partition]
				batches, _ := batchesOf(t, rp.RecordBatches)
				total += len(rp.RecordBatches)
				if rp.ErrorCode != 0 || len(batches) != c.want.whole[fp.partition] {
					t.Errorf("partition %d: error %v, %d whole batches, want %d", fp.partition, kerr.ErrorForCode(rp.ErrorCode), len(batches), c.want.whole[fp.partition])
				}
				if len(batches) > 0 && batches[0].FirstOffset != fp.offset {
					t.Errorf("partition %d: first batch at %d, want %d", fp.partition, batches[0].FirstOffset, fp.offset)
				}
			}
			if total > c.want.maxTotal {
				t.Errorf("%d record bytes in the response, limit %d", total, c.want.maxTotal)
			}
		})
	}
}

// TestFetchSessions walks an incremental fetch session (KIP-227) through
// its life: open, incremental fetches that name only what changed, forgotten
// partitions, epoch and id errors, and closing.
func TestFetchSessions(t *testing.T) {
	t.Parallel()
	const topic = "sessions"
	_, cl, id := fetchSetup(t, topic, 4)
	ctx := testContext(t)
	for p := range int32(4) {
		produceOne(t, cl, topic, p, []byte("first"))
	}

	var sessionID, epoch int32
	// send issues the next fetch of the session; parts are the partitions
	// whose fetch state changed, forget the ones to drop.
	send := func(t *testing.T, parts []fetchPart, forget []int32) *kmsg.FetchResponse {
		t.Helper()
		req := fetchReq(topic, id, 300*time.Millisecond, parts...)
		req.SessionID, req.SessionEpoch = sessionID, epoch
		if len(forget) > 0 {
			ft := kmsg.NewFetchRequestForgottenTopic()
			ft.Topic, ft.TopicID, ft.Partitions = topic, id, forget
			req.ForgottenTopics = append(req.ForgottenTopics, ft)
		}
		resp := request[*kmsg.FetchResponse](t, ctx, cl, req)
		if req.Version < 7 {
			t.Fatalf("fetch sent at v%d; sessions need v7", req.Version)
		}
		return resp
	}
	// expect checks which partitions an answer names and which have data.
	expect := func(t *testing.T, resp *kmsg.FetchResponse, withData ...int32) {
		t.Helper()
		got := fetched(t, resp)
		if resp.SessionID != sessionID {
			t.Errorf("session id %d, want %d", resp.SessionID, sessionID)
		}
		var names []int32
		for p, rp := range got {
			names = append(names, p)
			if rp.ErrorCode != 0 {
				t.Errorf("partition %d: %v", p, kerr.ErrorForCode(rp.ErrorCode))
			}
		}
		if len(got) != len(withData) {
			t.Errorf("response names partitions %v, want exactly %v", names, withData)
		}
		for _, p := range withData {
			if len(got[p].RecordBatches) == 0 {
				t.Errorf("partition %d: no data in %v", p, names)
			}
		}
	}
	all := []fetchPart{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 0}}
	atOne := []fetchPart{{0, 1, 0}, {1, 1, 0}, {2, 1, 0}, {3, 1, 0}}

	t.Run("open", func(t *testing.T) {
		resp := send(t, all, nil)
		if resp.SessionID == 0 {
			t.Fatal("epoch 0 opened no session (session id 0)")
		}
		sessionID, epoch = resp.SessionID, 1
		expect(t, resp, 0, 1, 2, 3)
	})
	t.Run("nothing-new", func(t *testing.T) {
		// The fetch offsets moved to 1; no partition has data or changed
		// offsets, so the incremental answer names none.
		resp := send(t, atOne, nil)
		epoch++
		expect(t, resp)
	})
	t.Run("only-new-data", func(t *testing.T) {
		produceOne(t, cl, topic, 2, []byte("second"))
		resp := send(t, nil, nil)
		epoch++
		expect(t, resp, 2)
	})
	t.Run("forget", func(t *testing.T) {
		resp := send(t, []fetchPart{{2, 2, 0}}, []int32{3})
		epoch++
		expect(t, resp)
		produceOne(t, cl, topic, 1, []byte("third"))
		produceOne(t, cl, topic, 3, []byte("third"))
		resp = send(t, nil, nil)
		epoch++
		expect(t, resp, 1) // not 3: it was forgotten
	})
	t.Run("wrong-epoch", func(t *testing.T) {
		for _, bad := range []int32{epoch + 1, epoch - 1} {
			req := fetchReq(topic, id, 0)
			req.SessionID, req.SessionEpoch = sessionID, bad
			if resp := request[*kmsg.FetchResponse](t, ctx, cl, req); resp.ErrorCode != kerr.InvalidFetchSessionEpoch.Code {
				t.Errorf("epoch %d (want %d): %v, want INVALID_FETCH_SESSION_EPOCH", bad, epoch, kerr.ErrorForCode(resp.ErrorCode))
			}
		}
		// The session survives a bad epoch.
		resp := send(t, []fetchPart{{1, 2, 0}}, nil)
		epoch++
		expect(t, resp)
	})
	t.Run("unknown-id", func(t *testing.T) {
		req := fetchReq(topic, id, 0)
		req.SessionID, req.SessionEpoch = sessionID^0x5a5a5a, 1
		if resp := request[*kmsg.FetchResponse](t, ctx, cl, req); resp.ErrorCode != kerr.FetchSessionIDNotFound.Code {
			t.Errorf("%v, want FETCH_SESSION_ID_NOT_FOUND", kerr.ErrorForCode(resp.ErrorCode))
		}
	})
	t.Run("close", func(t *testing.T) {
		// Epoch -1 closes the session and is a sessionless full fetch.
		req := fetchReq(topic, id, 0, all...)
		req.SessionID, req.SessionEpoch = sessionID, -1
		resp := request[*kmsg.FetchResponse](t, ctx, cl, req)
		if resp.ErrorCode != 0 || resp.SessionID != 0 || len(fetched(t, resp)) != 4 {
			t.Errorf("closing fetch: error %v, session %d, %d partitions; want none, 0, 4", kerr.ErrorForCode(resp.ErrorCode), resp.SessionID, len(fetched(t, resp)))
		}
		req = fetchReq(topic, id, 0)
		req.SessionID, req.SessionEpoch = sessionID, epoch
		if resp := request[*kmsg.FetchResponse](t, ctx, cl, req); resp.ErrorCode != kerr.FetchSessionIDNotFound.Code {
			t.Errorf("closed session: %v, want FETCH_SESSION_ID_NOT_FOUND", kerr.ErrorForCode(resp.ErrorCode))
		}
	})
}

// TestFetchTopicIDs fetches by topic id (v13+) and by name (v12).
func TestFetchTopicIDs(t *testing.T) {
	t.Parallel()
	const topic = "ids"
	b, adm := startBroker(t)
	id := createTopic(t, adm, topic, 2, nil)
	cl := newClient(t, b.Addr())
	produceOne(t, cl, topic, 1, []byte("v"))
	ctx := testContext(t)
	v12 := kversion.Stable()
	v12.SetMaxKeyVersion(1, 12)
	byName := newClient(t, b.Addr(), kgo.MaxVersions(v12))

	for _, c := range []struct {
		name      string
		cl        *kgo.Client
		topic     string
		id        kadm.TopicID
		partition int32
		want      error
	}{
		{"id", cl, "", id, 1, nil},
		{"unknown-id", cl, "", kadm.TopicID{0xde, 0xad}, 0, kerr.UnknownTopicID},
		{"id-unknown-partition", cl, "", id, 9, kerr.UnknownTopicOrPartition},
		{"name-v12", byName, topic, kadm.TopicID{}, 1, nil},
		{"unknown-name-v12", byName, "no-such-topic", kadm.TopicID{}, 0, kerr.UnknownTopicOrPartition},
		{"name-v12-unknown-partition", byName, topic, kadm.TopicID{}, 9, kerr.UnknownTopicOrPartition},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := fetchReq(c.topic, c.id, 0, fetchPart{c.partition, 0, 0})
			resp := request[*kmsg.FetchResponse](t, ctx, c.cl, req)
			if byID := c.id != (kadm.TopicID{}); byID != (req.Version >= 13) {
				t.Fatalf("fetch sent at v%d", req.Version)
			}
			if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
				t.Fatalf("response %+v, want one partition", resp.Topics)
			}
			rt := resp.Topics[0]
			if rt.Topic != c.topic || rt.TopicID != c.id {
				t.Errorf("response topic %q %v, want %q %v", rt.Topic, kadm.TopicID(rt.TopicID), c.topic, c.id)
			}
			rp := rt.Partitions[0]
			if err := kerr.ErrorForCode(rp.ErrorCode); err != c.want {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if c.want == nil {
				if batches, _ := batchesOf(t, rp.RecordBatches); len(batches) != 1 || rp.HighWatermark != 1 {
					t.Errorf("%d batches, high watermark %d; want the one record", len(batches), rp.HighWatermark)
				}
			}
		})
	}
}

func TestFetchOffsetOutOfRange(t *testing.T) {
	t.Parallel()
	const topic = "range"
	_, cl, id := fetchSetup(t, topic, 1)
	ctx := testContext(t)
	for i := range 3 {
		produceOne(t, cl, topic, 0, fmt.Appendf(nil, "r%d", i))
	}
	for _, c := range []struct {
		offset    int64
		want      error
		wantFirst int64 // first batch offset when there is data, -1 for none
	}{
		{0, nil, 0},
		{1, nil, 1},
		{3, nil, -1}, // at the high watermark: nothing yet, not an error
		{4, kerr.OffsetOutOfRange, -1},
		{1 << 40, kerr.OffsetOutOfRange, -1},
		{-1, kerr.OffsetOutOfRange, -1},
	} {
		t.Run(fmt.Sprint(c.offset), func(t *testing.T) {
			// Errors answer at once, whatever MaxWait says; the one
			// case without error and data waits 200ms.
			maxWait := 5 * time.Second
			if c.want == nil && c.wantFirst < 0 {
				maxWait = 200 * time.Millisecond
			}
			start := time.Now()
			rp := fetched(t, request[*kmsg.FetchResponse](t, ctx, cl, fetchReq(topic, id, maxWait, fetchPart{0, c.offset, 0})))[0]
			if err := kerr.ErrorForCode(rp.ErrorCode); err != c.want {
				t.Errorf("error %v, want %v", err, c.want)
			}
			if c.want != nil && time.Since(start) > 2*time.Second {
				t.Errorf("error took %v: it should not wait for MaxWait", time.Since(start))
			}
			if rp.HighWatermark != 3 || rp.LastStableOffset != 3 || rp.LogStartOffset != 0 {
				t.Errorf("high watermark %d, last stable %d, log start %d; want 3 3 0", rp.HighWatermark, rp.LastStableOffset, rp.LogStartOffset)
			}
			batches, _ := batchesOf(t, rp.RecordBatches)
			switch {
			case c.wantFirst < 0 && len(batches) > 0:
				t.Errorf("%d batches, want none", len(batches))
			case c.wantFirst >= 0 && (len(batches) == 0 || batches[0].FirstOffset != c.wantFirst):
				t.Errorf("%d batches, want the first at %d", len(batches), c.wantFirst)
			}
		})
	}
}

// TestFetchLeaderEpoch: the single replica leads at epoch 0 (as Metadata
// says); a client that claims a newer epoch is told UNKNOWN_LEADER_EPOCH.
func TestFetchLeaderEpoch(t *testing.T) {
	t.Parallel()
	const topic = "epochs"
	_, cl, id := fetchSetup(t, topic, 1)
	produceOne(t, cl, topic, 0, []byte("v"))
	for _, c := range []struct {
		epoch int32
		want  error
	}{
		{-1, nil}, // no epoch given
		{0, nil},
		{5, kerr.UnknownLeaderEpoch},
	} {
		t.Run(fmt.Sprint(c.epoch), func(t *testing.T) {
			req := fetchReq(topic, id, 0, fetchPart{0, 0, 0})
			req.Topics[0].Partitions[0].CurrentLeaderEpoch = c.epoch
			rp := fetched(t, request[*kmsg.FetchResponse](t, testContext(t), cl, req))[0]
			if err := kerr.ErrorForCode(rp.ErrorCode); err != c.want {
				t.Errorf("error %v, want %v", err, c.want)
			}
			if batches, _ := batchesOf(t, rp.RecordBatches); (len(batches) == 1) != (c.want == nil) {
				t.Errorf("%d batches with error %v", len(batches), kerr.ErrorForCode(rp.ErrorCode))
			}
		})
	}
}

// TestLogAppendTime: on a topic with message.timestamp.type=LogAppendTime
// the broker stamps each batch with its own clock (max timestamp and the
// timestamp-type attribute bit, CRC recomputed), and clients see that time.
func TestLogAppendTime(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	createTopic(t, adm, "log-time", 1, map[string]*string{"message.timestamp.type": kadm.StringPtr("LogAppendTime")})
	createTopic(t, adm, "create-time", 1, nil)
	ctx := testContext(t)
	old := time.UnixMilli(1_000_000_000_000) // 2001

	before := time.Now().Truncate(time.Millisecond)
	for _, codec := range kgoCodecs {
		cl := newClient(t, b.Addr(), kgo.ProducerBatchCompression(codec.codec), kgo.ProducerLinger(20*time.Millisecond))
		var rs []*kgo.Record
		for i := range 5 {
			for _, topic := range []string{"log-time", "create-time"} {
				rs = append(rs, &kgo.Record{Topic: topic, Value: []byte(codec.name), Timestamp: old.Add(time.Duration(i) * time.Millisecond)})
			}
		}
		if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
	after := time.Now()
	n := 5 * len(kgoCodecs)
	brokerTime := func(ts time.Time) bool { return !ts.Before(before) && !ts.After(after) }

	t.Run("consumed", func(t *testing.T) {
		for _, kr := range consumeKgoRecords(t, b.Addr(), "log-time", n) {
			if !brokerTime(kr.Timestamp) || kr.Attrs.TimestampType() != 1 {
				t.Errorf("offset %d: timestamp %v type %d, want LogAppendTime in [%v, %v]", kr.Offset, kr.Timestamp, kr.Attrs.TimestampType(), before, after)
			}
		}
		for _, kr := range consumeKgoRecords(t, b.Addr(), "create-time", n) {
			if kr.Timestamp.Before(old) || kr.Timestamp.After(old.Add(5*time.Millisecond)) || kr.Attrs.TimestampType() != 0 {
				t.Errorf("create-time offset %d: timestamp %v type %d, want the producer's CreateTime", kr.Offset, kr.Timestamp, kr.Attrs.TimestampType())
			}
		}
	})
	t.Run("batches", func(t *testing.T) {
		for _, topic := range []string{"log-time", "create-time"} {
			tds, err := adm.ListTopics(ctx, topic)
			if err != nil {
				t.Fatal(err)
			}
			id := tds[topic].ID
			cl := newClient(t, b.Addr())
			rp := fetched(t, request[*kmsg.FetchResponse](t, ctx, cl, fetchReq(topic, id, 0, fetchPart{0, 0, 50 << 20})))[0]
			batches, _ := batchesOf(t, rp.RecordBatches) // checks CRCs
			if len(batches) == 0 {
				t.Fatalf("%s: no batches", topic)
			}
			for _, bt := range batches {
				logAppend := bt.Attributes&0x08 != 0
				switch {
				case topic == "log-time" && (!logAppend || !brokerTime(time.UnixMilli(bt.MaxTimestamp))):
					t.Errorf("%s batch at %d: LogAppendTime bit %v, max timestamp %d; want set, broker time", topic, bt.FirstOffset, logAppend, bt.MaxTimestamp)
				case topic == "create-time" && (logAppend || bt.MaxTimestamp < old.UnixMilli() || bt.MaxTimestamp > old.UnixMilli()+4):
					t.Errorf("%s batch at %d: LogAppendTime bit %v, max timestamp %d; want clear, the producer's", topic, bt.FirstOffset, logAppend, bt.MaxTimestamp)
				}
			}
		}
	})
	t.Run("list-offsets", func(t *testing.T) {
		// Lookups by time use the broker's time too.
		l, err := adm.ListOffsetsAfterMilli(ctx, old.UnixMilli(), "log-time")
		if o, _ := l.Lookup("log-time", 0); err != nil || o.Offset != 0 || !brokerTime(time.UnixMilli(o.Timestamp)) {
			t.Errorf("offset after 2001: %+v %v, want 0 at broker time", o, err)
		}
		l, err = adm.ListMaxTimestampOffsets(ctx, "log-time")
		if o, _ := l.Lookup("log-time", 0); err != nil || !brokerTime(time.UnixMilli(o.Timestamp)) {
			t.Errorf("max timestamp: %+v %v, want broker time", o, err)
		}
	})
}

// consumeKgoRecords reads n records of partition 0 as kgo returns them.
func consumeKgoRecords(t *testing.T, addr, topic string, n int) []*kgo.Record {
	t.Helper()
	return pollRecords(t, newClient(t, addr, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}})), n)
}
