package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// DescribeGroups v0-6
//
// Behavior: from the group coordinator (internal/group); with no
// authorizer every group operation is authorized when asked for.
//
// Version notes: v3 authorized operations; v4 group.instance.id; v5
// flexible; v6 error message.
func (c *conn) handleDescribeGroups(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeGroupsRequest)
	resp := c.s.b.Groups().DescribeGroups(req)
	for i := range resp.Groups {
		r.noteError(resp.Groups[i].ErrorCode)
		resp.Groups[i].AuthorizedOperations = c.authorizedOps(req.IncludeAuthorizedOperations, auth.ResourceGroup, resp.Groups[i].Group)
	}
	return respond(resp)
}
