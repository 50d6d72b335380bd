package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

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
		resp.Groups[i].AuthorizedOperations = authorizedOps(req.IncludeAuthorizedOperations, groupOps)
	}
	return respond(resp)
}
