package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DeleteRecords v0-2
//
// Behavior (broker.DeleteRecords):
//   - Moves each partition's log start offset up to the requested offset
//     (-1: the high watermark) and answers the new low watermark once it
//     is durable; segments wholly below it are deleted, and fetches below
//     it get OFFSET_OUT_OF_RANGE.
//   - An offset past the high watermark, or negative other than -1, is
//     OFFSET_OUT_OF_RANGE; an unknown topic or partition
//     UNKNOWN_TOPIC_OR_PARTITION; an internal topic
//     INVALID_TOPIC_EXCEPTION; a topic whose cleanup.policy lacks delete
//     POLICY_VIOLATION. A failed partition answers low watermark -1.
//   - With one replica there is nothing to wait for: TimeoutMillis is
//     not used.
//
// Version notes: v1 same as v0 (throttle after the response); v2 flexible.
func (c *conn) handleDeleteRecords(r *request) outcome {
	req := r.kreq.(*kmsg.DeleteRecordsRequest)
	// Off the read loop: each partition fsyncs its checkpoint.
	return outcome{wait: func() outcome {
		resp := req.ResponseKind().(*kmsg.DeleteRecordsResponse)
		for _, t := range req.Topics {
			rt := kmsg.NewDeleteRecordsResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewDeleteRecordsResponseTopicPartition()
				rp.Partition = p.Partition
				low, err := c.s.b.DeleteRecords(t.Topic, p.Partition, p.Offset)
				rp.LowWatermark, rp.ErrorCode = low, r.code(err)
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return respond(resp)
	}}
}
