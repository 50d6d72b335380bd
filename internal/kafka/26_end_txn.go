package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// EndTxn v0-4
//
// Behavior: commits or aborts the producer's transaction: the decision is
// persisted, then the markers are written to every partition and fsynced,
// all before the answer (off the read loop), so the producer's next
// transaction can start at once. See txn.Coordinator.EndTxn for errors.
// v5 (transaction protocol v2, an epoch bump per transaction) is not
// implemented and not advertised.
//
// Version notes: v2 PRODUCER_FENCED; v3 flexible; v4
// TRANSACTION_ABORTABLE (never sent here).
func (c *conn) handleEndTxn(r *request) outcome {
	req := r.kreq.(*kmsg.EndTxnRequest)
	return outcome{wait: func() outcome {
		err := c.s.b.Transactions().EndTxn(req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit)
		resp := req.ResponseKind().(*kmsg.EndTxnResponse)
		resp.ErrorCode = r.code(fencedFor(err, req.Version, 2))
		return respond(resp)
	}}
}
