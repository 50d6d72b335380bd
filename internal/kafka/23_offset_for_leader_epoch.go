package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetForLeaderEpoch v2-4
//
// Behavior (KIP-320; consumers use it to detect log truncation):
//   - Every partition is in leader epoch 0, the only epoch in its log:
//     epoch 0 ends at the log end offset; a later epoch, or -1, is
//     unknown (leader epoch -1, end offset -1, no error); an epoch below
//     -1 predates the log and ends at the log start offset. This is what
//     Kafka's leader epoch cache answers with one entry.
//   - CurrentLeaderEpoch (unless -1) older than 0 is FENCED_LEADER_EPOCH,
//     newer UNKNOWN_LEADER_EPOCH.
//   - Unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION.
//   - ReplicaID (v3+) does not change the answer, as in Kafka: a consumer
//     (-1) or debug client (-2) sees the same end offsets as a follower
//     would (with one replica the log end is the high watermark).
//
// Version notes: v0-1 are gone in Kafka 4; v3 replica id; v4 flexible.
func (c *conn) handleOffsetForLeaderEpoch(r *request) outcome {
	req := r.kreq.(*kmsg.OffsetForLeaderEpochRequest)
	resp := req.ResponseKind().(*kmsg.OffsetForLeaderEpochResponse)
	for _, t := range req.Topics {
		rt := kmsg.NewOffsetForLeaderEpochResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
			rp.Partition = p.Partition
			rp.LeaderEpoch, rp.EndOffset = -1, -1
			end, err := c.s.b.EndOffsetForEpoch(t.Topic, p.Partition, p.CurrentLeaderEpoch, p.LeaderEpoch)
			if rp.ErrorCode = r.code(err); err == nil {
				rp.LeaderEpoch, rp.EndOffset = end.LeaderEpoch, end.EndOffset
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}
