package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// EndTxn v0-4
//
// Behavior: commits or aborts the producer's transaction: the decision is
// persisted, then the markers are written to every partition and fsynced,
// all before the answer (off the read loop), so the producer's next
// transaction can start at once. See txn.Coordinator.EndTxn for errors.
//
// Version notes: v2 PRODUCER_FENCED; v3 flexible; v4
// TRANSACTION_ABORTABLE (never sent here); v5 transaction protocol v2
// (KIP-890): the epoch is bumped by every EndTxn and the response carries
// the producer id and epoch to continue with.
func (c *conn) handleEndTxn(r *request) outcome {
	req := r.kreq.(*kmsg.EndTxnRequest)
	return outcome{wait: func() outcome {
		pid, epoch, err := c.s.b.Transactions().EndTxn(req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit, req.Version >= 5)
		resp := req.ResponseKind().(*kmsg.EndTxnResponse)
		resp.ErrorCode = r.code(fencedFor(err, req.Version, 2))
		resp.ProducerID, resp.ProducerEpoch = -1, -1
		if err == nil {
			resp.ProducerID, resp.ProducerEpoch = pid, epoch
		}
		return respond(resp)
	}}
}
