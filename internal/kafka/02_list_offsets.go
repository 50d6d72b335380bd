package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/partition"
)

// ListOffsets v1-11
//
// Behavior:
//   - -1 latest (the high watermark; the last stable offset for
//     read_committed), -2 earliest, -3 the record with the largest
//     timestamp (v7+), -4 earliest local (v8+, the same as earliest without
//     tiered storage), -5 latest tiered and -6 earliest pending upload
//     (v9+/v11+, -1 without tiered storage), otherwise the first offset
//     with a timestamp at or after the given one, -1 if none.
//   - As in Kafka, lookups by timestamp (-3 included) answer -1 when the
//     record found is at or past the last fetchable offset: the high
//     watermark, or the last stable offset for read_committed. Earliest is
//     not bounded.
//   - A special timestamp below its version is UNSUPPORTED_VERSION.
//   - Leader epoch is 0 (single replica); a client epoch above it is
//     UNKNOWN_LEADER_EPOCH.
//
// Version notes: v2 isolation level; v4 leader epochs; v6 flexible; v10
// timeout.
func (c *conn) handleListOffsets(r *request) outcome {
	req := r.kreq.(*kmsg.ListOffsetsRequest)
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	iso := partition.Isolation(req.IsolationLevel)
	for _, t := range req.Topics {
		rt := kmsg.NewListOffsetsResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, c.listOffset(r, req.Version, iso, t.Topic, p))
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}

// minVersionFor is the first ListOffsets version allowed to send each
// special timestamp.
var minVersionFor = map[int64]int16{-1: 0, -2: 0, -3: 7, -4: 8, -5: 9, -6: 11}

func (c *conn) listOffset(r *request, version int16, iso partition.Isolation, topic string, p kmsg.ListOffsetsRequestTopicPartition) kmsg.ListOffsetsResponseTopicPartition {
	rp := kmsg.NewListOffsetsResponseTopicPartition()
	rp.Partition = p.Partition
	rp.Timestamp, rp.Offset, rp.LeaderEpoch = -1, -1, -1
	if p.Timestamp < 0 {
		if min, ok := minVersionFor[p.Timestamp]; !ok || version < min {
			rp.ErrorCode = r.code(kerr.UnsupportedVersion)
			return rp
		}
	}
	if p.CurrentLeaderEpoch > 0 {
		rp.ErrorCode = r.code(kerr.UnknownLeaderEpoch)
		return rp
	}
	ts := p.Timestamp
	switch ts {
	case -4:
		ts = -2
	case -5, -6:
		if _, _, err := c.s.b.PartitionOffsets(topic, p.Partition); err != nil {
			rp.ErrorCode = r.code(err)
		}
		return rp
	}
	offset, found, err := c.s.b.ListOffset(topic, p.Partition, ts, iso)
	if err != nil {
		rp.ErrorCode = r.code(err)
		return rp
	}
	rp.Offset, rp.Timestamp = offset, found
	if offset >= 0 {
		rp.LeaderEpoch = 0
	}
	return rp
}
