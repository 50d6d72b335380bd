package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// OffsetDelete v0
//
// Behavior: from the group coordinator (internal/group): deletes committed
// offsets of topics the group's members do not subscribe to.
func (c *conn) handleOffsetDelete(r *request) outcome {
	req := r.kreq.(*kmsg.OffsetDeleteRequest)
	return outcome{wait: func() outcome {
		resp := c.s.b.Groups().OffsetDelete(req)
		r.noteError(resp.ErrorCode)
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				r.noteError(p.ErrorCode)
			}
		}
		return respond(resp)
	}}
}
