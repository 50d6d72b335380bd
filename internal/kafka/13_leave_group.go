package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// LeaveGroup v0-5
//
// Behavior: the classic group protocol (internal/group).
//
// Version notes: v3 batched members by id or group.instance.id; v4
// flexible; v5 reason.
func (c *conn) handleLeaveGroup(r *request) outcome {
	resp := c.s.b.Groups().LeaveGroup(r.kreq.(*kmsg.LeaveGroupRequest))
	r.noteError(resp.ErrorCode)
	for _, m := range resp.Members {
		r.noteError(m.ErrorCode)
	}
	return respond(resp)
}
