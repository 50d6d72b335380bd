package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// AlterPartitionReassignments v0-1
//
// Behavior (as a Kafka 4 controller answers it, with one broker):
//   - A partition's only valid target is [this node], which it already
//     has: success, nothing changes. Any other broker id is
//     INVALID_REPLICA_ASSIGNMENT ("no such broker is registered"), as are
//     an empty list and a broker listed twice.
//   - Replicas null cancels a reassignment; none is ever in progress, so
//     NO_REASSIGNMENT_IN_PROGRESS.
//   - Unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION.
//   - AllowReplicationFactorChange (v1, KIP-860) is echoed; it cannot
//     matter, since the only valid target keeps the replication factor.
//
// Version notes: flexible from v0; v1 AllowReplicationFactorChange.
func (c *conn) handleAlterPartitionReassignments(r *request) outcome {
	req := r.kreq.(*kmsg.AlterPartitionAssignmentsRequest)
	resp := req.ResponseKind().(*kmsg.AlterPartitionAssignmentsResponse)
	resp.AllowReplicationFactorChange = req.AllowReplicationFactorChange
	for _, t := range req.Topics {
		rt := kmsg.NewAlterPartitionAssignmentsResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewAlterPartitionAssignmentsResponseTopicPartition()
			err := c.s.b.ReassignPartition(t.Topic, p.Partition, p.Replicas, p.Replicas == nil)
			rp.Partition, rp.ErrorCode, rp.ErrorMessage = p.Partition, r.code(err), message(err)
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}
