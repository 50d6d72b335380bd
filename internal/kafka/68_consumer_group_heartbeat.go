package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// ConsumerGroupHeartbeat v0-1
//
// Behavior: the KIP-848 consumer group protocol, implemented by the group
// coordinator (internal/group): server-side assignment ("uniform" or
// "range"), member epochs, partitions revoked before they are reassigned.
// Groups are persisted in __consumer_offsets (internal/grouplog) before the
// answer, so after a broker restart members go on at their epochs.
//
// Version notes: v1 client-generated member ids and regex subscriptions.
func (c *conn) handleConsumerGroupHeartbeat(r *request) outcome {
	req := r.kreq.(*kmsg.ConsumerGroupHeartbeatRequest)
	resp := c.s.b.Groups().ConsumerGroupHeartbeatFrom(req, clientID(r), c.clientHost())
	r.noteError(resp.ErrorCode)
	return respond(resp)
}
