package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/txn"
)

// DescribeTransactions v0
//
// Behavior: each transactional id's state, producer id and epoch, timeout,
// start time (-1 without a transaction) and partitions; an unknown id is
// TRANSACTIONAL_ID_NOT_FOUND.
func (c *conn) handleDescribeTransactions(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeTransactionsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeTransactionsResponse)
	for _, id := range req.TransactionalIDs {
		st := kmsg.NewDescribeTransactionsResponseTransactionState()
		st.TransactionalID = id
		s, err := c.s.b.Transactions().Describe(id)
		st.ErrorCode = r.code(err)
		if err == nil {
			st.State = s.State.String()
			st.TimeoutMillis = int32(s.Timeout.Milliseconds())
			st.StartTimestamp, st.ProducerID, st.ProducerEpoch = s.Start, s.ProducerID, s.ProducerEpoch
			st.Topics = describeTxnTopics(s.Partitions)
		}
		resp.TransactionStates = append(resp.TransactionStates, st)
	}
	return respond(resp)
}

// describeTxnTopics groups sorted partitions by topic.
func describeTxnTopics(parts []txn.TopicPartition) []kmsg.DescribeTransactionsResponseTransactionStateTopic {
	var out []kmsg.DescribeTransactionsResponseTransactionStateTopic
	for _, tp := range parts {
		if n := len(out); n == 0 || out[n-1].Topic != tp.Topic {
			t := kmsg.NewDescribeTransactionsResponseTransactionStateTopic()
			t.Topic = tp.Topic
			out = append(out, t)
		}
		last := &out[len(out)-1]
		last.Partitions = append(last.Partitions, tp.Partition)
	}
	return out
}
