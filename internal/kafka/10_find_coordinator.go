package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// FindCoordinator v0-6
//
// Behavior:
//   - This node coordinates every group (key type 0) and every
//     transactional id (key type 1); other key types (share groups) are
//     INVALID_REQUEST.
//   - The first group lookup creates __consumer_offsets, as in Kafka; if
//     that fails the answer is COORDINATOR_NOT_AVAILABLE (retriable).
//
// Version notes: v1 key type and error message; v3 flexible; v4 batched
// keys (KIP-699), each answered on its own.
func (c *conn) handleFindCoordinator(r *request) outcome {
	req := r.kreq.(*kmsg.FindCoordinatorRequest)
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	code := c.coordinatorFor(req.CoordinatorType)
	if req.Version < 4 {
		resp.ErrorCode = r.code(code)
		if code == nil {
			resp.NodeID, resp.Host, resp.Port = c.s.b.NodeID(), c.l.host, c.l.port
		} else {
			resp.NodeID = -1
		}
		return respond(resp)
	}
	for _, key := range req.CoordinatorKeys {
		rc := kmsg.NewFindCoordinatorResponseCoordinator()
		rc.Key, rc.ErrorCode, rc.NodeID = key, r.code(code), -1
		if code == nil {
			rc.NodeID, rc.Host, rc.Port = c.s.b.NodeID(), c.l.host, c.l.port
		}
		resp.Coordinators = append(resp.Coordinators, rc)
	}
	return respond(resp)
}

func (c *conn) coordinatorFor(keyType int8) error {
	switch keyType {
	case 0:
		if err := c.s.b.EnsureGroupStore(); err != nil {
			c.lg.Error("creating the offsets topic failed", "err", err)
			return kerr.CoordinatorNotAvailable
		}
		return nil
	case 1:
		return nil
	default:
		return kerr.InvalidRequest
	}
}
