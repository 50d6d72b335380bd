package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// OffsetCommit v0-10
//
// Behavior: committed offsets are kept by the group coordinator
// (internal/group) and are on disk before the response. Waiting for the
// fsync runs off the read loop.
//
// Version notes: v6 leader epoch; v7 group.instance.id; v8 flexible.
func (c *conn) handleOffsetCommit(r *request) outcome {
	req := r.kreq.(*kmsg.OffsetCommitRequest)
	return outcome{wait: func() outcome {
		resp := c.s.b.Groups().OffsetCommit(req)
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				r.noteError(p.ErrorCode)
			}
		}
		return respond(resp)
	}}
}
