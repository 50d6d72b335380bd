package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// DeleteGroups v0-3
//
// Behavior: from the group coordinator (internal/group): only empty groups
// can be deleted, with their offsets.
//
// Version notes: v2 flexible; v3 group type mismatch errors (none here).
func (c *conn) handleDeleteGroups(r *request) outcome {
	req := r.kreq.(*kmsg.DeleteGroupsRequest)
	return outcome{wait: func() outcome {
		resp := c.s.b.Groups().DeleteGroups(req)
		for _, g := range resp.Groups {
			r.noteError(g.ErrorCode)
		}
		return respond(resp)
	}}
}
