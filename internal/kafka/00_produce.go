package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/broker"
)

// Produce v3-13
//
// Behavior:
//   - Each partition's records must be exactly one v2 batch (Kafka 4.x):
//     more than one is INVALID_RECORD, a torn one CORRUPT_MESSAGE; the core
//     validates the batch itself (CRC, counts, size).
//   - acks must be -1, 0 or 1, else INVALID_REQUIRED_ACKS everywhere.
//   - Appends happen before the next request on the connection is read, so
//     pipelined produces keep their order; waiting for fsync (acks=all)
//     does not hold the connection's reader.
//   - acks=0 gets no response at all, as in Kafka.
//   - Over producer_byte_rate: ThrottleMillis set, connection muted (throttle.go).
//
// Version notes: v5 log start offset; v8 error message and record errors;
// v9 flexible; v12 transaction protocol v2: a transactional batch adds its
// partition to the producer's transaction (KIP-890) instead of having to
// be added by AddPartitionsToTxn first; v13 topic ids instead of names
// (UNKNOWN_TOPIC_ID).
func (c *conn) handleProduce(r *request) outcome {
	req := r.kreq.(*kmsg.ProduceRequest)
	parts := produceParts(req)
	var results []broker.ProduceResult
	switch req.Acks {
	case broker.AcksAll, broker.AcksLeader, broker.AcksNone:
	default:
		results = make([]broker.ProduceResult, len(parts))
		for i := range results {
			results[i] = broker.ProduceResult{Err: kerr.InvalidRequiredAcks, BaseOffset: -1, LogAppendTime: -1, LogStartOffset: -1}
		}
		return respond(produceResponse(r, req, results))
	}
	checked, rejected := checkSingleBatch(parts)
	produced := c.s.b.Produce(req.Acks, checked)
	throttle := c.throttleProduce(r) // quotas (throttle.go): mutes the connection over the quota, acks=0 too
	if req.Acks == broker.AcksNone {
		produced.Wait()
		return outcome{none: true}
	}
	return outcome{wait: func() outcome {
		results := mergeRejected(produced.Wait(), rejected)
		resp := produceResponse(r, req, results)
		resp.ThrottleMillis = throttle
		return respond(resp)
	}}
}

func produceParts(req *kmsg.ProduceRequest) []broker.ProducePart {
	var parts []broker.ProducePart
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			part := broker.ProducePart{Topic: t.Topic, Partition: p.Partition, Records: p.Records, ImplicitTxnAdd: req.Version >= 12}
			if req.Version >= 13 {
				part.Topic, part.TopicID = "", t.TopicID
			}
			parts = append(parts, part)
		}
	}
	return parts
}

// checkSingleBatch enforces one whole batch per partition. Parts that fail
// get an error result in rejected and empty records in checked, which the
// core skips without touching the log.
func checkSingleBatch(parts []broker.ProducePart) (checked []broker.ProducePart, rejected map[int]error) {
	checked = parts
	for i, p := range parts {
		var err error
		h, herr := batch.ParseHeader(p.Records)
		switch {
		case herr != nil:
			err = kerr.CorruptMessage
		case h.Size() < len(p.Records):
			err = kerr.InvalidRecord // Kafka: exactly one record batch per partition
		}
		if err != nil {
			if rejected == nil {
				rejected = make(map[int]error)
			}
			rejected[i] = err
		}
	}
	if rejected == nil {
		return parts, nil
	}
	checked = make([]broker.ProducePart, 0, len(parts))
	for i, p := range parts {
		if _, bad := rejected[i]; !bad {
			checked = append(checked, p)
		}
	}
	return checked, rejected
}

// mergeRejected interleaves rejected parts' errors with the core's results,
// restoring request order.
func mergeRejected(results []broker.ProduceResult, rejected map[int]error) []broker.ProduceResult {
	if len(rejected) == 0 {
		return results
	}
	total := len(results) + len(rejected)
	out := make([]broker.ProduceResult, 0, total)
	j := 0
	for i := 0; i < total; i++ {
		if err, bad := rejected[i]; bad {
			out = append(out, broker.ProduceResult{Err: err, BaseOffset: -1, LogAppendTime: -1, LogStartOffset: -1})
			continue
		}
		out = append(out, results[j])
		j++
	}
	return out
}

func produceResponse(r *request, req *kmsg.ProduceRequest, results []broker.ProduceResult) *kmsg.ProduceResponse {
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	i := 0
	for _, t := range req.Topics {
		rt := kmsg.NewProduceResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			res := results[i]
			i++
			rp := kmsg.NewProduceResponseTopicPartition()
			rp.Partition = p.Partition
			rp.ErrorCode = r.code(res.Err)
			rp.ErrorMessage = message(res.Err)
			rp.BaseOffset, rp.LogAppendTime, rp.LogStartOffset = res.BaseOffset, res.LogAppendTime, res.LogStartOffset
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}
