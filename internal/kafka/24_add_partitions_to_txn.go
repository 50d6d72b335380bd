package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/txn"
)

// AddPartitionsToTxn v0-3
//
// Behavior: the partitions join the producer's transaction (starting it),
// persisted before the answer (off the read loop); see
// txn.Coordinator.AddPartitions for the per-partition errors. v4+ is the
// batched broker-to-broker form (KIP-890), which clients never send; it is
// not advertised.
//
// Version notes: v2 PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before); v3
// flexible.
func (c *conn) handleAddPartitionsToTxn(r *request) outcome {
	req := r.kreq.(*kmsg.AddPartitionsToTxnRequest)
	return outcome{wait: func() outcome {
		var parts []txn.TopicPartition
		for _, t := range req.Topics {
			for _, p := range t.Partitions {
				parts = append(parts, txn.TopicPartition{Topic: t.Topic, Partition: p})
			}
		}
		errs := c.s.b.Transactions().AddPartitions(req.TransactionalID, req.ProducerID, req.ProducerEpoch, parts)
		resp := req.ResponseKind().(*kmsg.AddPartitionsToTxnResponse)
		i := 0
		for _, t := range req.Topics {
			rt := kmsg.NewAddPartitionsToTxnResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewAddPartitionsToTxnResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p, r.code(fencedFor(errs[i], req.Version, 2))
				i++
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return respond(resp)
	}}
}
