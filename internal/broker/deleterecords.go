package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// DeleteRecords moves a partition's log start offset up to offset (-1:
// the high watermark) and returns the new log start offset (Kafka's
// ReplicaManager.deleteRecordsOnLocalLog and Partition.deleteRecordsOnLeader):
//
//   - internal topics are refused with INVALID_TOPIC_EXCEPTION, before
//     anything else, as Kafka checks the name first;
//   - an unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION;
//   - a topic whose cleanup.policy lacks delete is POLICY_VIOLATION;
//   - a negative offset other than -1, or one past the high watermark, is
//     OFFSET_OUT_OF_RANGE.
//
// The new start offset is durable when DeleteRecords returns.
func (b *Broker) DeleteRecords(topicName string, index int32, offset int64) (int64, error) {
	if topicName == OffsetsTopic || topicName == TransactionsTopic {
		return -1, errorf(kerr.InvalidTopicException, "Cannot delete records of internal topic %s", topicName)
	}
	p, t, err := b.fetchPartition(FetchPart{Topic: topicName, Partition: index})
	if err != nil {
		return -1, err
	}
	if t.internal {
		return -1, errorf(kerr.InvalidTopicException, "Cannot delete records of internal topic %s", topicName)
	}
	if !b.cfg.Topic(t.configs).Delete {
		return -1, errorf(kerr.PolicyViolation, "Records of partition %s-%d can not be deleted due to the configured policy", topicName, index)
	}
	start, err := p.DeleteRecords(offset, b.now())
	if err != nil {
		return -1, err
	}
	b.lg.Info("records deleted", "topic", topicName, "partition", index, "log_start_offset", start)
	return start, nil
}
