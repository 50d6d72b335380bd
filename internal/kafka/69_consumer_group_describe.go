package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// ConsumerGroupDescribe v0-1
//
// Behavior: from the group coordinator (internal/group); classic groups
// are answered as Kafka does (GROUP_ID_NOT_FOUND, not a consumer group).
// With no authorizer every group operation is authorized when asked for.
//
// Version notes: v1 adds the member type.
func (c *conn) handleConsumerGroupDescribe(r *request) outcome {
	req := r.kreq.(*kmsg.ConsumerGroupDescribeRequest)
	resp := c.s.b.Groups().ConsumerGroupDescribe(req)
	for i := range resp.Groups {
		r.noteError(resp.Groups[i].ErrorCode)
		resp.Groups[i].AuthorizedOperations = c.authorizedOps(req.IncludeAuthorizedOperations, auth.ResourceGroup, resp.Groups[i].Group)
	}
	return respond(resp)
}
