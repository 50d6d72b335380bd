package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeProducers v0
//
// Behavior:
//   - For each partition, the idempotent and transactional producers whose
//     state it keeps: producer id, epoch, last sequence (-1 when its
//     entry holds no batch, e.g. after a marker bumped its epoch), the
//     timestamp of its last batch or marker, the coordinator epoch of its
//     last marker (-1 before any) and the first offset of its ongoing
//     transaction (-1 when none).
//   - An unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION for that
//     partition.
func (c *conn) handleDescribeProducers(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeProducersRequest)
	resp := req.ResponseKind().(*kmsg.DescribeProducersResponse)
	for _, t := range req.Topics {
		rt := kmsg.NewDescribeProducersResponseTopic()
		rt.Topic = t.Topic
		for _, idx := range t.Partitions {
			rp := kmsg.NewDescribeProducersResponseTopicPartition()
			rp.Partition = idx
			states, err := c.s.b.DescribeProducers(t.Topic, idx)
			rp.ErrorCode = r.code(err)
			for _, st := range states {
				ap := kmsg.NewDescribeProducersResponseTopicPartitionActiveProducer()
				ap.ProducerID, ap.ProducerEpoch = st.ProducerID, int32(st.Epoch)
				ap.LastSequence, ap.LastTimestamp = st.LastSequence, st.LastTimestamp
				ap.CoordinatorEpoch, ap.CurrentTxnStartOffset = st.CoordinatorEpoch, st.CurrentTxnStartOffset
				rp.ActiveProducers = append(rp.ActiveProducers, ap)
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}
