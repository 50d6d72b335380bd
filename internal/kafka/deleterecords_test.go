package kafka_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

func init() {
	versionChecks[21] = checkDeleteRecords
}

func deleteRecordsReq(topic string, partition int32, offset int64) *kmsg.DeleteRecordsRequest {
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = partition, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

func deleteRecords(t *testing.T, c *rawConn, v int16, topic string, partition int32, offset int64) kmsg.DeleteRecordsResponseTopicPartition {
	t.Helper()
	resp := c.roundTrip(deleteRecordsReq(topic, partition, offset), v).(*kmsg.DeleteRecordsResponse)
	if len(resp.Topics) != 1 || resp.Topics[0].Topic != topic || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("response %+v", resp)
	}
	return resp.Topics[0].Partitions[0]
}

// fetchCode fetches topic partition 0 at offset and returns the code.
func fetchCode(t *testing.T, c *rawConn, topic string, offset int64) int16 {
	t.Helper()
	req := kmsg.NewPtrFetchRequest()
	req.MaxBytes, req.SessionEpoch = 1<<20, -1
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset, rp.PartitionMaxBytes = offset, 1<<20
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, 12).(*kmsg.FetchResponse)
	return resp.Topics[0].Partitions[0].ErrorCode
}

// checkDeleteRecords deletes the first records of a topic of its own at v:
// the low watermark moves, and fetching below it is out of range.
func checkDeleteRecords(t *testing.T, c *rawConn, v int16) {
	topic := fmt.Sprintf("delete-records-v%d", v)
	createTopic(t, c, topic, 1)
	wantCode(t, "produce", mustProduce(t, c, topic, 5))
	p := deleteRecords(t, c, v, topic, 0, 3)
	if p.ErrorCode != 0 || p.LowWatermark != 3 {
		t.Fatalf("DeleteRecords: %v, low watermark %d; want 3", kerr.ErrorForCode(p.ErrorCode), p.LowWatermark)
	}
	if code := fetchCode(t, c, topic, 2); code != kerr.OffsetOutOfRange.Code {
		t.Fatalf("fetch below the low watermark: %v, want OFFSET_OUT_OF_RANGE", kerr.ErrorForCode(code))
	}
	if code := fetchCode(t, c, topic, 3); code != 0 {
		t.Fatalf("fetch at the low watermark: %v", kerr.ErrorForCode(code))
	}
}

func mustProduce(t *testing.T, c *rawConn, topic string, n int) int16 {
	t.Helper()
	code, _ := produceCode(t, c, topic, plainBatch(t, n))
	return code
}

func TestDeleteRecordsErrors(t *testing.T) {
	b := samsatest.Start(t)
	c := dial(t, b.Addr())
	createTopic(t, c, "plain", 2)
	wantCode(t, "produce", mustProduce(t, c, "plain", 4))
	compact := kmsg.NewPtrCreateTopicsRequest()
	ct := kmsg.NewCreateTopicsRequestTopic()
	ct.Topic, ct.NumPartitions, ct.ReplicationFactor = "compacted", 1, -1
	policy := "compact"
	ct.Configs = []kmsg.CreateTopicsRequestTopicConfig{{Name: "cleanup.policy", Value: &policy}}
	compact.Topics = append(compact.Topics, ct)
	wantCode(t, "create compacted", c.roundTrip(compact, 7).(*kmsg.CreateTopicsResponse).Topics[0].ErrorCode)
	for _, tc := range []struct {
		name      string
		topic     string
		partition int32
		offset    int64
		code      *kerr.Error
		low       int64
	}{
		{"past the high watermark", "plain", 0, 5, kerr.OffsetOutOfRange, -1},
		{"negative", "plain", 0, -2, kerr.OffsetOutOfRange, -1},
		{"unknown topic", "nope", 0, 0, kerr.UnknownTopicOrPartition, -1},
		{"unknown partition", "plain", 2, 0, kerr.UnknownTopicOrPartition, -1},
		{"internal topic", "__consumer_offsets", 0, 0, kerr.InvalidTopicException, -1},
		{"compact-only topic", "compacted", 0, 0, kerr.PolicyViolation, -1},
		{"to the high watermark", "plain", 0, -1, nil, 4},
		{"below the start: nothing moves", "plain", 0, 1, nil, 4},
		{"empty partition", "plain", 1, 0, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := deleteRecords(t, c, 2, tc.topic, tc.partition, tc.offset)
			if kerr.ErrorForCode(p.ErrorCode) != tc.code && !(tc.code == nil && p.ErrorCode == 0) || p.LowWatermark != tc.low {
				t.Fatalf("error %v low watermark %d; want %v %d", kerr.ErrorForCode(p.ErrorCode), p.LowWatermark, tc.code, tc.low)
			}
		})
	}
}
