package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/txn"
)

// ListTransactions v0-1
//
// Behavior: the transactional ids matching every filter given: states
// (names Kafka uses; unknown names are echoed in UnknownStateFilters and
// match nothing), producer ids, and (v1) a minimum running time in ms,
// counted from -1 for ids without a transaction as Kafka does. v2's
// transactional id pattern is not implemented and not advertised.
func (c *conn) handleListTransactions(r *request) outcome {
	req := r.kreq.(*kmsg.ListTransactionsRequest)
	resp := req.ResponseKind().(*kmsg.ListTransactionsResponse)
	f := txn.ListFilter{ProducerIDs: req.ProducerIDFilters, MinDurationMs: -1}
	if req.Version >= 1 {
		f.MinDurationMs = req.DurationFilterMillis
	}
	for _, name := range req.StateFilters {
		if s, ok := txn.ParseState(name); ok {
			f.States = append(f.States, s)
		} else {
			resp.UnknownStateFilters = append(resp.UnknownStateFilters, name)
		}
	}
	if len(req.StateFilters) > 0 && len(f.States) == 0 {
		return respond(resp) // only unknown states: nothing matches
	}
	for _, s := range c.s.b.Transactions().List(f) {
		st := kmsg.NewListTransactionsResponseTransactionState()
		st.TransactionalID, st.ProducerID, st.TransactionState = s.ID, s.ProducerID, s.State.String()
		resp.TransactionStates = append(resp.TransactionStates, st)
	}
	return respond(resp)
}
