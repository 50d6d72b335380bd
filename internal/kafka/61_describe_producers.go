package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeProducers v0
//
// Behavior:
//   - For each partition, the idempotent producers whose state it keeps:
//     producer id, epoch, last sequence and the timestamp of its last
//     batch. Coordinator epoch is -1 and the current transaction start
//     offset -1 (no transactions yet).
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
				ap.CoordinatorEpoch, ap.CurrentTxnStartOffset = -1, -1
				rp.ActiveProducers = append(rp.ActiveProducers, ap)
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}
