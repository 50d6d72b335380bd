package kafka_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// versionCheck sends one valid request of its key at version v and fails
// the test unless the broker answers it correctly.
type versionCheck func(t *testing.T, c *rawConn, v int16)

// versionChecks must cover every key ApiVersions advertises: advertising a
// version means it is implemented and tested, and this is the test.
var versionChecks = map[int16]versionCheck{
	0:  checkProduce,
	1:  checkFetch,
	2:  checkListOffsets,
	3:  checkMetadata,
	18: checkApiVersions,
	19: checkCreateTopics,
	20: checkDeleteTopics,
	37: checkCreatePartitions,
	60: checkDescribeCluster,
}

func TestEveryAdvertisedVersion(t *testing.T) {
	b := samsatest.Start(t, samsatest.Config("group.initial.rebalance.delay.ms", "0"))
	c := dial(t, b.Addr())
	avReq := kmsg.NewPtrApiVersionsRequest()
	avReq.ClientSoftwareName, avReq.ClientSoftwareVersion = "samsa-test", "1.0"
	av := c.roundTrip(avReq, 3).(*kmsg.ApiVersionsResponse)
	if av.ErrorCode != 0 {
		t.Fatal(kerr.ErrorForCode(av.ErrorCode))
	}
	createTopic(t, c, "versions", 2)
	for _, k := range av.ApiKeys {
		check, ok := versionChecks[k.ApiKey]
		if !ok {
			t.Errorf("%s (key %d) is advertised but has no version test", kmsg.NameForKey(k.ApiKey), k.ApiKey)
			continue
		}
		for v := k.MinVersion; v <= k.MaxVersion; v++ {
			t.Run(fmt.Sprintf("%s/v%d", kmsg.NameForKey(k.ApiKey), v), func(t *testing.T) {
				check(t, c, v)
			})
		}
	}
}

func createTopic(t *testing.T, c *rawConn, name string, partitions int32) {
	t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = name, partitions, -1
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, 7).(*kmsg.CreateTopicsResponse)
	if code := resp.Topics[0].ErrorCode; code != 0 {
		t.Fatalf("creating %s: %v", name, kerr.ErrorForCode(code))
	}
}

func topicID(t *testing.T, c *rawConn, name string) [16]byte {
	t.Helper()
	req := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = &name
	req.Topics = append(req.Topics, mt)
	resp := c.roundTrip(req, 12).(*kmsg.MetadataResponse)
	if len(resp.Topics) != 1 || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("metadata for %s: %+v", name, resp.Topics)
	}
	return resp.Topics[0].TopicID
}

func checkProduce(t *testing.T, c *rawConn, v int16) {
	before := endOffset(t, c, "versions")
	req := produceReq("versions", plainBatch(t, 2))
	if v >= 13 {
		req.Topics[0].Topic, req.Topics[0].TopicID = "", topicID(t, c, "versions")
	}
	resp := c.roundTrip(req, v).(*kmsg.ProduceResponse)
	p := resp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 || p.BaseOffset != before {
		t.Fatalf("error %v base offset %d, want none and %d", kerr.ErrorForCode(p.ErrorCode), p.BaseOffset, before)
	}
	if v >= 13 && resp.Topics[0].TopicID != req.Topics[0].TopicID {
		t.Fatal("v13 response does not echo the topic id")
	}
}

func checkFetch(t *testing.T, c *rawConn, v int16) {
	if code, _ := produceCode(t, c, "versions", plainBatch(t, 3)); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	req := kmsg.NewPtrFetchRequest()
	req.MaxWaitMillis, req.MaxBytes, req.SessionEpoch = 10, 1<<20, -1
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = "versions"
	if v >= 13 {
		rt.Topic, rt.TopicID = "", topicID(t, c, "versions")
	}
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.PartitionMaxBytes = 1 << 20
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.FetchResponse)
	if resp.ErrorCode != 0 || len(resp.Topics) != 1 {
		t.Fatalf("error %v, %d topics", kerr.ErrorForCode(resp.ErrorCode), len(resp.Topics))
	}
	p := resp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 || p.HighWatermark < 3 {
		t.Fatalf("error %v hwm %d", kerr.ErrorForCode(p.ErrorCode), p.HighWatermark)
	}
	var rb kmsg.RecordBatch
	if err := rb.ReadFrom(p.RecordBatches); err != nil || rb.FirstOffset != 0 {
		t.Fatalf("first batch: %v, base offset %d", err, rb.FirstOffset)
	}
}

func checkListOffsets(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = "versions"
	for _, ts := range []int64{-2, -1} {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp = 1, ts
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.ListOffsetsResponse)
	for _, p := range resp.Topics[0].Partitions {
		if p.ErrorCode != 0 || p.Offset != 0 {
			t.Fatalf("partition %d: error %v offset %d, want 0 on an empty partition", p.Partition, kerr.ErrorForCode(p.ErrorCode), p.Offset)
		}
	}
}

func checkMetadata(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrMetadataRequest()
	name := "versions"
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = &name
	req.Topics = append(req.Topics, mt)
	resp := c.roundTrip(req, v).(*kmsg.MetadataResponse)
	if len(resp.Brokers) != 1 || len(resp.Topics) != 1 {
		t.Fatalf("%d brokers, %d topics", len(resp.Brokers), len(resp.Topics))
	}
	rt := resp.Topics[0]
	if rt.ErrorCode != 0 || len(rt.Partitions) != 2 || rt.Partitions[0].Leader != resp.Brokers[0].NodeID {
		t.Fatalf("topic %+v", rt)
	}
	if v >= 10 && rt.TopicID == [16]byte{} {
		t.Fatal("no topic id")
	}
}

func checkApiVersions(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName, req.ClientSoftwareVersion = "samsa-test", "1.0"
	resp := c.roundTrip(req, v).(*kmsg.ApiVersionsResponse)
	if resp.ErrorCode != 0 || len(resp.ApiKeys) < 9 {
		t.Fatalf("error %v, %d keys", kerr.ErrorForCode(resp.ErrorCode), len(resp.ApiKeys))
	}
}

func checkCreateTopics(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = fmt.Sprintf("created-v%d", v), 3, 1
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.CreateTopicsResponse)
	got := resp.Topics[0]
	if got.ErrorCode != 0 {
		t.Fatal(kerr.ErrorForCode(got.ErrorCode))
	}
	if v >= 5 && (got.NumPartitions != 3 || len(got.Configs) == 0) {
		t.Fatalf("v5+ response: %d partitions, %d configs", got.NumPartitions, len(got.Configs))
	}
	if v >= 7 && got.TopicID == [16]byte{} {
		t.Fatal("no topic id")
	}
}

func checkDeleteTopics(t *testing.T, c *rawConn, v int16) {
	name := fmt.Sprintf("deleted-v%d", v)
	createTopic(t, c, name, 1)
	req := kmsg.NewPtrDeleteTopicsRequest()
	if v >= 6 {
		dt := kmsg.NewDeleteTopicsRequestTopic()
		dt.TopicID = topicID(t, c, name)
		req.Topics = append(req.Topics, dt)
	} else {
		req.TopicNames = []string{name}
	}
	resp := c.roundTrip(req, v).(*kmsg.DeleteTopicsResponse)
	got := resp.Topics[0]
	if got.ErrorCode != 0 || got.Topic == nil || *got.Topic != name {
		t.Fatalf("error %v topic %v", kerr.ErrorForCode(got.ErrorCode), got.Topic)
	}
}

func checkCreatePartitions(t *testing.T, c *rawConn, v int16) {
	name := fmt.Sprintf("grown-v%d", v)
	createTopic(t, c, name, 1)
	req := kmsg.NewPtrCreatePartitionsRequest()
	rt := kmsg.NewCreatePartitionsRequestTopic()
	rt.Topic, rt.Count = name, 3
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.CreatePartitionsResponse)
	if code := resp.Topics[0].ErrorCode; code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
}

func checkDescribeCluster(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrDescribeClusterRequest()
	req.EndpointType = 1
	resp := c.roundTrip(req, v).(*kmsg.DescribeClusterResponse)
	if resp.ErrorCode != 0 || resp.ClusterID == "" || len(resp.Brokers) != 1 {
		t.Fatalf("error %v cluster %q brokers %d", kerr.ErrorForCode(resp.ErrorCode), resp.ClusterID, len(resp.Brokers))
	}
}
