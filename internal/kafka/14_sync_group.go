package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// SyncGroup v0-5
//
// Behavior: the classic group protocol (internal/group); followers block
// until the leader's assignment arrives, so it runs off the read loop.
//
// Version notes: v3 group.instance.id; v4 flexible; v5 protocol type and
// name.
func (c *conn) handleSyncGroup(r *request) outcome {
	req := r.kreq.(*kmsg.SyncGroupRequest)
	return outcome{wait: func() outcome {
		resp := c.s.b.Groups().SyncGroup(c.ctx, req)
		r.noteError(resp.ErrorCode)
		return respond(resp)
	}}
}
