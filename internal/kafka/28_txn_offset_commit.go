package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// TxnOffsetCommit v0-4
//
// Behavior: offsets of the producer's transaction, stored by the group
// coordinator (internal/group, TxnOffsetCommit) durably before the answer,
// off the read loop; they become the group's committed offsets when the
// transaction commits. Before v5 the group's offsets partition must be
// part of the transaction (AddOffsetsToTxn first), else INVALID_TXN_STATE,
// as with Kafka's server-side verification; v5 (transaction protocol v2)
// adds it implicitly.
//
// Version notes: v2 leader epoch; v3 member fields (KIP-447), flexible,
// PRODUCER_FENCED; v4 TRANSACTION_ABORTABLE (never sent here); v5
// implicit AddOffsetsToTxn.
func (c *conn) handleTxnOffsetCommit(r *request) outcome {
	req := r.kreq.(*kmsg.TxnOffsetCommitRequest)
	return outcome{wait: func() outcome {
		resp := c.s.b.TxnOffsetCommit(req)
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				r.noteError(p.ErrorCode)
			}
		}
		return respond(resp)
	}}
}
