package kafka

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/broker"
)

// DescribeTopicPartitions v0
//
// Behavior (KIP-966, as a Kafka 4 broker answers it):
//   - The topics asked for (none: every topic), by name, each once, in name
//     order, from the cursor's topic on. Each partition: leader this node in
//     epoch 0, replicas and ISR [this node], no offline replicas, empty
//     eligible leader replicas and last known ELR (one replica: the ISR
//     never shrinks). Topic ids, internal flag, and the authorized
//     operations of a topic (from the authorizer, authz_ops.go). Listing
//     every topic leaves out those the principal may not DESCRIBE;
//     topics asked for by name are checked before (authz_topics.go).
//   - Pagination: at most ResponsePartitionLimit partitions (capped at
//     2000, Kafka's max.request.partition.size.limit default, and at least
//     1); the cursor's topic starts at the cursor's partition. When the
//     limit falls inside a topic, NextCursor names the next partition; when
//     it falls between topics, the next topic and partition 0.
//   - Unknown topics asked for are UNKNOWN_TOPIC_OR_PARTITION (illegal names
//     INVALID_TOPIC_EXCEPTION) and take none of the limit.
//   - A cursor topic missing from the topics asked for, or a negative cursor
//     partition, fails the request: INVALID_REQUEST for each topic asked for.
//
// Version notes: flexible from v0.
func (c *conn) handleDescribeTopicPartitions(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeTopicPartitionsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeTopicPartitionsResponse)
	names, err := c.topicsToDescribe(req)
	if err != nil {
		for _, t := range req.Topics {
			rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
			name := t.Topic
			rt.Topic, rt.ErrorCode, rt.Partitions = &name, r.code(err), []kmsg.DescribeTopicPartitionsResponseTopicPartition{}
			resp.Topics = append(resp.Topics, rt)
		}
		return respond(resp)
	}
	remaining := max(min(maxDescribedPartitions, req.ResponsePartitionLimit), 1)
	for _, name := range names {
		if remaining == 0 {
			resp.NextCursor = &kmsg.DescribeTopicPartitionsResponseNextCursor{Topic: name}
			break
		}
		info, ok := c.s.b.Topic(name)
		if !ok {
			if len(req.Topics) > 0 { // a topic deleted meanwhile is just skipped when listing all
				resp.Topics = append(resp.Topics, r.unknownDescribedTopic(name))
			}
			continue
		}
		rt, next := c.describedTopic(info, cursorStart(req.Cursor, name), remaining)
		resp.Topics = append(resp.Topics, rt)
		if next >= 0 {
			resp.NextCursor = &kmsg.DescribeTopicPartitionsResponseNextCursor{Topic: name, Partition: next}
			break
		}
		remaining -= int32(len(rt.Partitions))
	}
	return respond(resp)
}

// maxDescribedPartitions is Kafka's max.request.partition.size.limit
// default, the most partitions one response describes.
const maxDescribedPartitions = 2000

// topicsToDescribe is the sorted, distinct names to describe, from the
// cursor's topic on.
func (c *conn) topicsToDescribe(req *kmsg.DescribeTopicPartitionsRequest) ([]string, error) {
	from := ""
	if req.Cursor != nil {
		from = req.Cursor.Topic
	}
	var names []string
	if len(req.Topics) == 0 {
		for _, info := range c.s.b.Topics() {
			if c.mayDescribeTopic(info.Name) { // listing all: unauthorized topics are left out before paging (authz_topics.go)
				names = append(names, info.Name)
			}
		}
	} else {
		for _, t := range req.Topics {
			names = append(names, t.Topic)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	names = slices.DeleteFunc(names, func(n string) bool { return n < from })
	if req.Cursor != nil && len(req.Topics) > 0 && !slices.Contains(names, req.Cursor.Topic) {
		return nil, kerr.InvalidRequest
	}
	if req.Cursor != nil && req.Cursor.Partition < 0 {
		return nil, kerr.InvalidRequest
	}
	return names, nil
}

func cursorStart(cursor *kmsg.DescribeTopicPartitionsRequestCursor, topic string) int32 {
	if cursor != nil && cursor.Topic == topic {
		return cursor.Partition
	}
	return 0
}

// describedTopic describes at most limit partitions of a topic from start,
// returning the next partition to describe, or -1 if none is left.
func (c *conn) describedTopic(info broker.TopicInfo, start, limit int32) (kmsg.DescribeTopicPartitionsResponseTopic, int32) {
	rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
	name := info.Name
	rt.Topic, rt.TopicID, rt.IsInternal = &name, info.ID, info.Internal
	rt.AuthorizedOperations = c.authorizedOps(true, auth.ResourceTopic, name)
	rt.Partitions = []kmsg.DescribeTopicPartitionsResponseTopicPartition{}
	end := int32(min(int64(info.Partitions), int64(start)+int64(limit))) // a cursor near 2^31 must not wrap
	node := c.s.b.NodeID()
	for i := start; i < end; i++ {
		p := kmsg.NewDescribeTopicPartitionsResponseTopicPartition()
		p.Partition, p.LeaderID, p.LeaderEpoch = i, node, broker.LeaderEpoch
		p.Replicas, p.ISR, p.OfflineReplicas = []int32{node}, []int32{node}, []int32{}
		p.EligibleLeaderReplicas, p.LastKnownELR = []int32{}, []int32{}
		rt.Partitions = append(rt.Partitions, p)
	}
	if end < info.Partitions {
		return rt, end
	}
	return rt, -1
}

func (r *request) unknownDescribedTopic(name string) kmsg.DescribeTopicPartitionsResponseTopic {
	rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
	rt.Topic, rt.IsInternal = &name, name == broker.OffsetsTopic || name == broker.TransactionsTopic
	var err error = kerr.UnknownTopicOrPartition
	if broker.ValidateTopicName(name) != nil {
		err = kerr.InvalidTopicException
	}
	rt.ErrorCode = r.code(err)
	rt.AuthorizedOperations = r.conn.authorizedOps(true, auth.ResourceTopic, name)
	rt.Partitions = []kmsg.DescribeTopicPartitionsResponseTopicPartition{}
	return rt
}
