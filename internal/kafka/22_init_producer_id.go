package kafka

import (
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
//   - The producer id and epoch (v3+) must both be -1 or both be set, else
//     INVALID_REQUEST.
//   - With a transactional id: not supported yet (transactions are not
//     implemented); the answer is UNSUPPORTED_VERSION, which clients treat
//     as fatal instead of retrying.
//
// Version notes: v2 flexible; v3 producer id and epoch (KIP-360); v4
// PRODUCER_FENCED for transactional producers; v5 (KIP-890) the same.
func (c *conn) handleInitProducerID(r *request) outcome {
	req := r.kreq.(*kmsg.InitProducerIDRequest)
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = -1, -1
	var err error
	switch {
	case (req.ProducerID == -1) != (req.ProducerEpoch == -1):
		err = kerr.InvalidRequest
	case req.TransactionalID != nil:
		c.lg.Info("InitProducerId with a transactional id refused: transactions are not supported", "transactional_id", *req.TransactionalID)
		err = kerr.UnsupportedVersion
	default:
		resp.ProducerID, err = c.s.b.NewProducerID()
		if err == nil {
			resp.ProducerEpoch = 0
		}
	}
	resp.ErrorCode = r.code(err)
	return respond(resp)
}
