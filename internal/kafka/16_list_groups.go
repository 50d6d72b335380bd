package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// ListGroups v0-5
//
// Behavior: from the group coordinator (internal/group).
//
// Version notes: v3 flexible; v4 states filter; v5 types filter.
func (c *conn) handleListGroups(r *request) outcome {
	resp := c.s.b.Groups().ListGroups(r.kreq.(*kmsg.ListGroupsRequest))
	r.noteError(resp.ErrorCode)
	return respond(resp)
}
