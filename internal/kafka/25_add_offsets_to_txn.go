package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// AddOffsetsToTxn v0-4
//
// Behavior: the group's partition of __consumer_offsets joins the
// producer's transaction, so that TxnOffsetCommit may follow; errors as
// AddPartitionsToTxn. Creates __consumer_offsets if needed, as Kafka does.
//
// Version notes: v2 PRODUCER_FENCED; v3 flexible; v4
// TRANSACTION_ABORTABLE (never sent here).
func (c *conn) handleAddOffsetsToTxn(r *request) outcome {
	req := r.kreq.(*kmsg.AddOffsetsToTxnRequest)
	return outcome{wait: func() outcome {
		err := c.s.b.AddOffsetsToTxn(req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Group)
		resp := req.ResponseKind().(*kmsg.AddOffsetsToTxnResponse)
		resp.ErrorCode = r.code(fencedFor(err, req.Version, 2))
		return respond(resp)
	}}
}
