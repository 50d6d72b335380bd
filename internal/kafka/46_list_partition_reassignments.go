package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ListPartitionReassignments v0
//
// Behavior: no reassignment is ever in progress (one broker; see
// AlterPartitionReassignments), so the answer lists no topics, whatever
// topics are asked for, unknown ones included, as Kafka's controller
// lists only partitions being reassigned.
//
// Version notes: flexible from v0.
func (c *conn) handleListPartitionReassignments(r *request) outcome {
	req := r.kreq.(*kmsg.ListPartitionReassignmentsRequest)
	return respond(req.ResponseKind())
}
