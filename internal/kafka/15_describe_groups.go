package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// DescribeGroups v0-6
//
// Behavior: from the group coordinator (internal/group).
//
// Version notes: v3 authorized operations; v4 group.instance.id; v5
// flexible; v6 error message.
func (c *conn) handleDescribeGroups(r *request) outcome {
	resp := c.s.b.Groups().DescribeGroups(r.kreq.(*kmsg.DescribeGroupsRequest))
	for _, g := range resp.Groups {
		r.noteError(g.ErrorCode)
	}
	return respond(resp)
}
