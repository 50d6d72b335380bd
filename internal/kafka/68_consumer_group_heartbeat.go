package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// ConsumerGroupHeartbeat v0-1
//
// Behavior: the KIP-848 consumer group protocol, implemented by the group
// coordinator (internal/group): server-side assignment ("uniform" or
// "range"), member epochs, partitions revoked before they are reassigned.
// Membership of these groups is not persisted yet: after a broker restart
// members rejoin (UNKNOWN_MEMBER_ID), while committed offsets survive.
//
// Version notes: v1 client-generated member ids and regex subscriptions.
func (c *conn) handleConsumerGroupHeartbeat(r *request) outcome {
	req := r.kreq.(*kmsg.ConsumerGroupHeartbeatRequest)
	resp := c.s.b.Groups().ConsumerGroupHeartbeatFrom(req, clientID(r), c.clientHost())
	r.noteError(resp.ErrorCode)
	return respond(resp)
}
