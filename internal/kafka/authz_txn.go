package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/broker"
)

// Rules of the producer id and transaction APIs (KafkaApis'
// handleInitProducerIdRequest, handleAddPartitionToTxnRequest,
// handleAddOffsetsToTxnRequest, handleEndTxnRequest,
// handleTxnOffsetCommitRequest, handleDescribeTransactionsRequest,
// handleListTransactionsRequest): a transactional id needs WRITE, else
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED.

// authorizeInitProducerID: WRITE on the transactional id; without one (an
// idempotent producer), IDEMPOTENT_WRITE on the cluster or WRITE on some
// topic (KIP-679), else CLUSTER_AUTHORIZATION_FAILED.
func authorizeInitProducerID(z *authzCheck, req *kmsg.InitProducerIDRequest) verdict {
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerEpoch = -1
	switch {
	case req.TransactionalID != nil:
		if z.txnID(auth.OpWrite, *req.TransactionalID) {
			return verdict{}
		}
		resp.ErrorCode = txnDenied
	case z.cluster(auth.OpIdempotentWrite) || z.a.AuthorizeByResourceType(z.client, auth.OpWrite, auth.ResourceTopic):
		return verdict{}
	default:
		resp.ErrorCode = clusterDenied
	}
	return deny(resp)
}

// authorizeAddPartitionsToTxn: WRITE on the transactional id, else every
// partition is TRANSACTIONAL_ID_AUTHORIZATION_FAILED; WRITE on every topic
// (internal topics never qualify), else nothing is added: refused topics
// are TOPIC_AUTHORIZATION_FAILED, unknown partitions
// UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED.
func authorizeAddPartitionsToTxn(z *authzCheck, req *kmsg.AddPartitionsToTxnRequest) verdict {
	resp := req.ResponseKind().(*kmsg.AddPartitionsToTxnResponse)
	if !z.txnID(auth.OpWrite, req.TransactionalID) {
		resp.Topics = addPartitionsRefused(req.Topics, func(string, int32) int16 { return txnDenied })
		return deny(resp)
	}
	write := z.topics(auth.OpWrite)
	allowed := func(topic string) bool {
		return topic != broker.OffsetsTopic && topic != broker.TransactionsTopic && write(topic)
	}
	for _, t := range req.Topics {
		if allowed(t.Topic) {
			continue
		}
		resp.Topics = addPartitionsRefused(req.Topics, func(topic string, p int32) int16 {
			info, ok := z.c.s.b.Topic(topic)
			switch {
			case !allowed(topic):
				return topicDenied
			case !ok || p < 0 || p >= info.Partitions:
				return kerr.UnknownTopicOrPartition.Code
			}
			return kerr.OperationNotAttempted.Code
		})
		return deny(resp)
	}
	return verdict{}
}

func addPartitionsRefused(topics []kmsg.AddPartitionsToTxnRequestTopic, code func(string, int32) int16) []kmsg.AddPartitionsToTxnResponseTopic {
	var out []kmsg.AddPartitionsToTxnResponseTopic
	for _, t := range topics {
		rt := kmsg.NewAddPartitionsToTxnResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewAddPartitionsToTxnResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p, code(t.Topic, p)
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}

// authorizeAddOffsetsToTxn: WRITE on the transactional id, READ on the
// group.
func authorizeAddOffsetsToTxn(z *authzCheck, req *kmsg.AddOffsetsToTxnRequest) verdict {
	resp := req.ResponseKind().(*kmsg.AddOffsetsToTxnResponse)
	switch {
	case !z.txnID(auth.OpWrite, req.TransactionalID):
		resp.ErrorCode = txnDenied
	case !z.group(auth.OpRead, req.Group):
		resp.ErrorCode = groupDenied
	default:
		return verdict{}
	}
	return deny(resp)
}

// authorizeEndTxn: WRITE on the transactional id.
func authorizeEndTxn(z *authzCheck, req *kmsg.EndTxnRequest) verdict {
	if z.txnID(auth.OpWrite, req.TransactionalID) {
		return verdict{}
	}
	resp := req.ResponseKind().(*kmsg.EndTxnResponse)
	resp.ErrorCode = txnDenied
	return deny(resp)
}

// authorizeTxnOffsetCommit: WRITE on the transactional id, then READ on
// the group (either refusal on every partition), then READ on each topic.
func authorizeTxnOffsetCommit(z *authzCheck, req *kmsg.TxnOffsetCommitRequest) verdict {
	code := int16(0)
	switch {
	case !z.txnID(auth.OpWrite, req.TransactionalID):
		code = txnDenied
	case !z.group(auth.OpRead, req.Group):
		code = groupDenied
	}
	if code != 0 {
		resp := req.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
		resp.Topics = txnOffsetCommitRefused(req.Topics, code)
		return deny(resp)
	}
	read := z.topics(auth.OpRead)
	refused := split(&req.Topics, func(t *kmsg.TxnOffsetCommitRequestTopic) bool {
		name, known := z.topicName(t.Topic, t.TopicID, req.Version >= 6)
		return !known || read(name)
	})
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.TxnOffsetCommitResponse)
		resp.Topics = append(resp.Topics, txnOffsetCommitRefused(refused, topicDenied)...)
		z.failed(len(refused))
	}}
}

func txnOffsetCommitRefused(topics []kmsg.TxnOffsetCommitRequestTopic, code int16) []kmsg.TxnOffsetCommitResponseTopic {
	var out []kmsg.TxnOffsetCommitResponseTopic
	for _, t := range topics {
		rt := kmsg.NewTxnOffsetCommitResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p.Partition, code
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}

// authorizeDescribeTransactions: DESCRIBE on each transactional id, else
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED; of a transaction's partitions
// only those of topics the principal may DESCRIBE are shown.
func authorizeDescribeTransactions(z *authzCheck, req *kmsg.DescribeTransactionsRequest) verdict {
	refused := split(&req.TransactionalIDs, func(id *string) bool { return z.txnID(auth.OpDescribe, *id) })
	describe := z.topics(auth.OpDescribe)
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.DescribeTransactionsResponse)
		for i := range resp.TransactionStates {
			st := &resp.TransactionStates[i]
			st.Topics = keepIf(st.Topics, func(t kmsg.DescribeTransactionsResponseTransactionStateTopic) bool { return describe(t.Topic) })
		}
		for _, id := range refused {
			st := kmsg.NewDescribeTransactionsResponseTransactionState()
			st.TransactionalID, st.ErrorCode = id, txnDenied
			resp.TransactionStates = append(resp.TransactionStates, st)
		}
		z.failed(len(refused))
	}}
}

// authorizeListTransactions lists only the transactional ids the
// principal may DESCRIBE.
func authorizeListTransactions(z *authzCheck, req *kmsg.ListTransactionsRequest) verdict {
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.ListTransactionsResponse)
		resp.TransactionStates = keepIf(resp.TransactionStates, func(st kmsg.ListTransactionsResponseTransactionState) bool {
			return z.txnID(auth.OpDescribe, st.TransactionalID)
		})
	}}
}
