package kafka

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// InitProducerId v0-5
//
// Behavior:
//   - Without a transactional id (an idempotent producer): a new producer id
//     with epoch 0, unique for the data directory's lifetime, as Kafka does
//     even when the request names the producer's current id and epoch
//     (KIP-360 recovery gets a fresh id).
//   - With a transactional id: the transaction coordinator (internal/txn)
//     bumps the id's epoch, fencing earlier producers and aborting their
//     ongoing transaction; see txn.Coordinator.InitProducerID for the
//     errors. The state is on disk before the answer, which is sent off the
//     read loop.
//   - The producer id and epoch (v3+) must both be -1 or both be set, else
//     INVALID_REQUEST.
//
// Version notes: v2 flexible; v3 producer id and epoch (KIP-360); v4
// PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before); v5 TRANSACTION_ABORTABLE
// (never sent here).
func (c *conn) handleInitProducerID(r *request) outcome {
	req := r.kreq.(*kmsg.InitProducerIDRequest)
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = -1, -1
	finish := func(err error) outcome {
		resp.ErrorCode = r.code(fencedFor(err, req.Version, 4))
		return respond(resp)
	}
	switch {
	case (req.ProducerID == -1) != (req.ProducerEpoch == -1):
		return finish(kerr.InvalidRequest)
	case req.TransactionalID == nil:
		id, err := c.s.b.NewProducerID()
		if err == nil {
			resp.ProducerID, resp.ProducerEpoch = id, 0
		}
		return finish(err)
	}
	return outcome{wait: func() outcome {
		timeout := time.Duration(req.TransactionTimeoutMillis) * time.Millisecond
		id, epoch, err := c.s.b.Transactions().InitProducerID(*req.TransactionalID, timeout, req.ProducerID, req.ProducerEpoch)
		if err == nil {
			resp.ProducerID, resp.ProducerEpoch = id, epoch
		}
		return finish(err)
	}}
}
