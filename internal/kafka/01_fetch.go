package kafka

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/commitlog"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// Fetch v4-18
//
// Behavior:
//   - Long-polls up to MaxWaitMillis until MinBytes are available; errors
//     answer at once.
//   - MaxBytes bounds the response and PartitionMaxBytes each partition,
//     but the first partition with data always returns at least one whole
//     batch, however large (KIP-74).
//   - Record bytes are sent from the segment files with sendfile(2).
//   - Incremental fetch sessions (KIP-227, v7+): see fetchsession.go.
//   - An offset outside [log start, high watermark] is OFFSET_OUT_OF_RANGE.
//   - LastStableOffset is the first offset of the oldest open transaction,
//     or the high watermark if none is open (whatever the isolation level).
//   - read_committed (IsolationLevel 1) returns whole batches below the
//     last stable offset only, and AbortedTransactions lists the aborted
//     transactions overlapping them: marker at or after the fetch offset,
//     first offset before the end of the last batch returned (an empty
//     list, never null, when there are none). A long poll wakes on any
//     append to its partitions, transaction markers included, so it
//     returns once the last stable offset moves. read_uncommitted answers
//     AbortedTransactions null. Any isolation level other than 1 reads
//     uncommitted.
//   - Single replica: the leader epoch is 0; a client epoch above it is
//     UNKNOWN_LEADER_EPOCH.
//   - consumer_byte_rate caps max bytes; over it the answer is empty with
//     ThrottleMillis and the connection is muted (throttle.go).
//
// Version notes: v4 isolation level, last stable offset, aborted
// transactions; v5 log start offset; v7 sessions; v11 rack and preferred
// read replica (-1); v12 flexible; v13 topic ids (UNKNOWN_TOPIC_ID).
func (c *conn) handleFetch(r *request) outcome {
	req := r.kreq.(*kmsg.FetchRequest)
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	plan, code := c.planFetch(req)
	if code != 0 {
		r.failed = true
		resp.ErrorCode = code
		return respond(resp)
	}
	return outcome{wait: func() outcome {
		quota := c.fetchQuota(r) // quotas (throttle.go): consumer_byte_rate
		minBytes, maxBytes := fetchBytesUnderQuota(quota, req)
		results := c.s.b.Fetch(c.ctx, broker.FetchRequest{
			MaxWait:   time.Duration(req.MaxWaitMillis) * time.Millisecond,
			MinBytes:  minBytes,
			MaxBytes:  maxBytes,
			Isolation: partition.Isolation(req.IsolationLevel),
			Parts:     plan.parts,
		})
		return c.fetchResponseUnderQuota(quota, r, req, plan, results)
	}}
}

// fetchPlan is what one fetch reads: every partition of the request (full
// fetch) or of the session (incremental fetch), in response order.
type fetchPlan struct {
	session     *fetchSession // nil without a session
	incremental bool
	keys        []sessionKey
	parts       []broker.FetchPart
	epochErr    []bool // client leader epoch unknown to us
}

func (c *conn) planFetch(req *kmsg.FetchRequest) (*fetchPlan, int16) {
	plan := &fetchPlan{}
	if req.Version < 7 || req.SessionEpoch <= 0 {
		if req.Version >= 7 && req.SessionID != 0 {
			c.s.sessions.remove(req.SessionID)
		}
		if req.Version >= 7 && req.SessionEpoch == 0 {
			plan.session = c.s.sessions.create(time.Now())
		}
		if plan.session != nil {
			plan.session.mu.Lock()
			defer plan.session.mu.Unlock()
		}
		c.planFull(req, plan)
		return plan, 0
	}
	s := c.s.sessions.get(req.SessionID)
	if s == nil {
		return nil, kerr.FetchSessionIDNotFound.Code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.SessionEpoch != s.epoch {
		return nil, kerr.InvalidFetchSessionEpoch.Code
	}
	s.epoch++
	s.lastUsed = time.Now()
	plan.session, plan.incremental = s, true
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			s.upsert(topicKey(req, t.Topic, t.TopicID, p.Partition), p.FetchOffset, p.PartitionMaxBytes)
		}
	}
	for _, t := range req.ForgottenTopics {
		for _, p := range t.Partitions {
			s.forget(topicKey(req, t.Topic, t.TopicID, p))
		}
	}
	for _, sp := range s.parts {
		plan.add(sp.key, sp.offset, sp.maxBytes, false)
	}
	return plan, 0
}

func (c *conn) planFull(req *kmsg.FetchRequest, plan *fetchPlan) {
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			key := topicKey(req, t.Topic, t.TopicID, p.Partition)
			plan.add(key, p.FetchOffset, p.PartitionMaxBytes, p.CurrentLeaderEpoch > 0)
			if plan.session != nil {
				plan.session.upsert(key, p.FetchOffset, p.PartitionMaxBytes)
			}
		}
	}
}

func (plan *fetchPlan) add(key sessionKey, offset int64, maxBytes int32, epochErr bool) {
	plan.keys = append(plan.keys, key)
	plan.epochErr = append(plan.epochErr, epochErr)
	part := broker.FetchPart{Topic: key.topic, TopicID: key.topicID, Partition: key.partition, Offset: offset, MaxBytes: maxBytes}
	if epochErr {
		part.MaxBytes = 0 // answered with an error; read nothing
	}
	plan.parts = append(plan.parts, part)
}

// topicKey names a partition by topic name before v13 and by id from v13.
func topicKey(req *kmsg.FetchRequest, name string, id [16]byte, partition int32) sessionKey {
	if req.Version >= 13 {
		return sessionKey{topicID: id, partition: partition}
	}
	return sessionKey{topic: name, partition: partition}
}

func (c *conn) fetchResponse(r *request, req *kmsg.FetchRequest, plan *fetchPlan, results []broker.FetchResult) outcome {
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	out := outcome{resp: resp, marker: binary.BigEndian.AppendUint64(nil, rand.Uint64())}
	var hadData map[sessionKey]bool
	if plan.session != nil {
		resp.SessionID = plan.session.id
		plan.session.mu.Lock()
		defer plan.session.mu.Unlock()
		hadData = make(map[sessionKey]bool)
	}
	var rt *kmsg.FetchResponseTopic
	for i, key := range plan.keys {
		res := &results[i]
		if plan.epochErr[i] {
			res.Records.Release()
			res.Records, res.Err, res.AbortedTransactions = commitlog.Chunk{}, kerr.UnknownLeaderEpoch, nil
		}
		if plan.incremental && !plan.session.changed(key, res) {
			res.Records.Release()
			continue
		}
		if rt == nil || rt.Topic != key.topic || rt.TopicID != key.topicID {
			resp.Topics = append(resp.Topics, kmsg.NewFetchResponseTopic())
			rt = &resp.Topics[len(resp.Topics)-1]
			rt.Topic, rt.TopicID = key.topic, key.topicID
		}
		rt.Partitions = append(rt.Partitions, c.fetchPartition(r, req, key, res, &out))
		if hadData != nil {
			plan.session.remember(key, res)
			if res.Records.Len() > 0 {
				hadData[key] = true
			}
		}
	}
	if plan.session != nil {
		plan.session.rotate(hadData)
	}
	return out
}

func (c *conn) fetchPartition(r *request, req *kmsg.FetchRequest, key sessionKey, res *broker.FetchResult, out *outcome) kmsg.FetchResponseTopicPartition {
	rp := kmsg.NewFetchResponseTopicPartition()
	rp.Partition = key.partition
	rp.ErrorCode = r.code(res.Err)
	rp.HighWatermark, rp.LastStableOffset, rp.LogStartOffset = res.HighWatermark, res.LastStable, res.LogStartOffset
	if req.IsolationLevel == 1 {
		rp.AbortedTransactions = make([]kmsg.FetchResponseTopicPartitionAbortedTransaction, 0, len(res.AbortedTransactions))
		for _, a := range res.AbortedTransactions {
			at := kmsg.NewFetchResponseTopicPartitionAbortedTransaction()
			at.ProducerID, at.FirstOffset = a.ProducerID, a.FirstOffset
			rp.AbortedTransactions = append(rp.AbortedTransactions, at)
		}
	}
	rp.RecordBatches = []byte{}
	if res.Records.Len() > 0 {
		rp.RecordBatches = markerFor(out.marker, len(out.chunks))
		out.chunks = append(out.chunks, res.Records)
	}
	return rp
}

// changed reports whether an incremental response must include the
// partition: it has data or an error, or its offsets moved since the last
// response that included it.
func (s *fetchSession) changed(key sessionKey, res *broker.FetchResult) bool {
	p := s.index[key]
	if p == nil || !p.sent || res.Err != nil || res.Records.Len() > 0 {
		return true
	}
	return p.sentHWM != res.HighWatermark || p.sentLSO != res.LastStable || p.sentLStart != res.LogStartOffset
}

func (s *fetchSession) remember(key sessionKey, res *broker.FetchResult) {
	if p := s.index[key]; p != nil {
		p.sent = true
		p.sentHWM, p.sentLSO, p.sentLStart = res.HighWatermark, res.LastStable, res.LogStartOffset
	}
}
