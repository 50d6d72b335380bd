package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/batch"
)

// Rules of the APIs that read and write partitions (KafkaApis'
// handleProduceRequest, handleFetchRequest, handleListOffsetRequest,
// handleOffsetForLeaderEpochRequest, handleDeleteRecordsRequest,
// handleDescribeProducersRequest): each topic is checked once, and a
// refused topic's partitions get TOPIC_AUTHORIZATION_FAILED while the
// others are served.

// authorizeProduce: a request with a transactional batch needs WRITE on
// its transactional id, else every partition is
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED and nothing is written. Each topic
// needs WRITE. Samsa creates unknown topics on produce (Kafka 4 does
// not): that needs CREATE on the cluster or the topic, else the
// partitions are UNKNOWN_TOPIC_OR_PARTITION, what Kafka answers. An
// acks=0 produce has no answer: refused partitions are just not written
// (Kafka closes the connection).
func authorizeProduce(z *authzCheck, req *kmsg.ProduceRequest) verdict {
	if hasTransactionalBatch(req) && (req.TransactionID == nil || !z.txnID(auth.OpWrite, *req.TransactionID)) {
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		resp.Topics = producePartitionsRefused(req.Topics, func(int) int16 { return txnDenied })
		return deny(resp)
	}
	write := z.topics(auth.OpWrite)
	var codes []int16
	refused := split(&req.Topics, func(t *kmsg.ProduceRequestTopic) bool {
		code := z.produceCode(req.Version, t, write)
		if code != 0 {
			codes = append(codes, code)
		}
		return code == 0
	})
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.ProduceResponse)
		resp.Topics = append(resp.Topics, producePartitionsRefused(refused, func(i int) int16 { return codes[i] })...)
		z.failed(len(refused))
	}}
}

func (z *authzCheck) produceCode(version int16, t *kmsg.ProduceRequestTopic, write func(string) bool) int16 {
	name, known := z.topicName(t.Topic, t.TopicID, version >= 13)
	switch {
	case !known: // the handler answers UNKNOWN_TOPIC_ID
		return 0
	case !write(name):
		return topicDenied
	case !z.topicExists(name) && !z.mayCreateTopic(name):
		return kerr.UnknownTopicOrPartition.Code
	}
	return 0
}

// hasTransactionalBatch is Kafka's RequestUtils.hasTransactionalRecords.
func hasTransactionalBatch(req *kmsg.ProduceRequest) bool {
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			if h, err := batch.ParseHeader(p.Records); err == nil && h.IsTransactional() {
				return true
			}
		}
	}
	return false
}

// producePartitionsRefused answers every partition of topics with the
// code of its topic (by index).
func producePartitionsRefused(topics []kmsg.ProduceRequestTopic, code func(int) int16) []kmsg.ProduceResponseTopic {
	var out []kmsg.ProduceResponseTopic
	for i, t := range topics {
		rt := kmsg.NewProduceResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewProduceResponseTopicPartition()
			rp.Partition, rp.ErrorCode, rp.BaseOffset = p.Partition, code(i), -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}

// authorizeListOffsets: DESCRIBE on each topic.
func authorizeListOffsets(z *authzCheck, req *kmsg.ListOffsetsRequest) verdict {
	describe := z.topics(auth.OpDescribe)
	refused := split(&req.Topics, func(t *kmsg.ListOffsetsRequestTopic) bool { return describe(t.Topic) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.ListOffsetsResponse)
		for _, t := range refused {
			rt := kmsg.NewListOffsetsResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewListOffsetsResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, topicDenied
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		z.failed(len(refused))
	}}
}

// authorizeOffsetForLeaderEpoch: CLUSTER_ACTION on the cluster (brokers),
// else DESCRIBE on each topic (consumers, KIP-320).
func authorizeOffsetForLeaderEpoch(z *authzCheck, req *kmsg.OffsetForLeaderEpochRequest) verdict {
	if z.cluster(auth.OpClusterAction) {
		return verdict{}
	}
	describe := z.topics(auth.OpDescribe)
	refused := split(&req.Topics, func(t *kmsg.OffsetForLeaderEpochRequestTopic) bool { return describe(t.Topic) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.OffsetForLeaderEpochResponse)
		for _, t := range refused {
			rt := kmsg.NewOffsetForLeaderEpochResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, topicDenied
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		z.failed(len(refused))
	}}
}

// authorizeDeleteRecords: DELETE on each topic.
func authorizeDeleteRecords(z *authzCheck, req *kmsg.DeleteRecordsRequest) verdict {
	del := z.topics(auth.OpDelete)
	refused := split(&req.Topics, func(t *kmsg.DeleteRecordsRequestTopic) bool { return del(t.Topic) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.DeleteRecordsResponse)
		for _, t := range refused {
			rt := kmsg.NewDeleteRecordsResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewDeleteRecordsResponseTopicPartition()
				rp.Partition, rp.ErrorCode, rp.LowWatermark = p.Partition, topicDenied, -1
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		z.failed(len(refused))
	}}
}

// authorizeDescribeProducers: READ on each topic.
func authorizeDescribeProducers(z *authzCheck, req *kmsg.DescribeProducersRequest) verdict {
	read := z.topics(auth.OpRead)
	refused := split(&req.Topics, func(t *kmsg.DescribeProducersRequestTopic) bool { return read(t.Topic) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.DescribeProducersResponse)
		for _, t := range refused {
			rt := kmsg.NewDescribeProducersResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewDescribeProducersResponseTopicPartition()
				rp.Partition, rp.ErrorCode, rp.ErrorMessage = p, topicDenied, errorMessage(topicDenied)
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		z.failed(len(refused))
	}}
}
