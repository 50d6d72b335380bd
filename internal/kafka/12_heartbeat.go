package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// Heartbeat v0-4
//
// Behavior: the classic group protocol (internal/group).
//
// Version notes: v3 group.instance.id; v4 flexible.
func (c *conn) handleHeartbeat(r *request) outcome {
	resp := c.s.b.Groups().Heartbeat(r.kreq.(*kmsg.HeartbeatRequest))
	r.noteError(resp.ErrorCode)
	return respond(resp)
}
