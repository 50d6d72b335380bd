package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// CreatePartitions v0-3
//
// Behavior:
//   - Grows a topic to Count partitions; fewer or equal is INVALID_PARTITIONS,
//     an unknown topic UNKNOWN_TOPIC_OR_PARTITION, a name given twice
//     INVALID_REQUEST.
//   - Manual assignments must list one replica, this node, per new partition
//     (INVALID_REPLICA_ASSIGNMENT otherwise).
//   - ValidateOnly checks and changes nothing.
//
// Version notes: v2 flexible.
func (c *conn) handleCreatePartitions(r *request) outcome {
	req := r.kreq.(*kmsg.CreatePartitionsRequest)
	resp := req.ResponseKind().(*kmsg.CreatePartitionsResponse)
	dups := duplicates(len(req.Topics), func(i int) string { return req.Topics[i].Topic })
	for _, t := range req.Topics {
		rt := kmsg.NewCreatePartitionsResponseTopic()
		rt.Topic = t.Topic
		var err error
		switch {
		case dups[t.Topic]:
			err = kerr.InvalidRequest
		default:
			if err = c.checkNewAssignment(t); err == nil {
				err = c.s.b.CreatePartitions(t.Topic, t.Count, req.ValidateOnly)
			}
		}
		if err == nil && !req.ValidateOnly {
			c.lg.Info("partitions created", "topic", t.Topic, "count", t.Count)
		}
		rt.ErrorCode, rt.ErrorMessage = r.code(err), message(err)
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}

func (c *conn) checkNewAssignment(t kmsg.CreatePartitionsRequestTopic) error {
	if t.Assignment == nil {
		return nil
	}
	info, ok := c.s.b.Topic(t.Topic)
	if !ok {
		return kerr.UnknownTopicOrPartition
	}
	if int32(len(t.Assignment)) != t.Count-info.Partitions {
		return &broker.Error{Code: kerr.InvalidReplicaAssignment, Message: "one assignment is needed for each new partition"}
	}
	for _, a := range t.Assignment {
		if len(a.Replicas) != 1 || a.Replicas[0] != c.s.b.NodeID() {
			return &broker.Error{Code: kerr.InvalidReplicaAssignment, Message: "each new partition must be assigned to this node only"}
		}
	}
	return nil
}
