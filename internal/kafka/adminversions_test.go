package kafka_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Version checks of the admin APIs about leaders, replicas, log
// directories, quotas and config resources, against the "versions" topic
// (two partitions) of TestEveryAdvertisedVersion.

func init() {
	versionChecks[23] = checkOffsetForLeaderEpoch
	versionChecks[35] = checkDescribeLogDirs
	versionChecks[43] = checkElectLeaders
	versionChecks[45] = checkAlterPartitionReassignments
	versionChecks[46] = checkListPartitionReassignments
	versionChecks[48] = checkDescribeClientQuotas
	versionChecks[49] = checkAlterClientQuotas
	versionChecks[74] = checkListConfigResources
	versionChecks[75] = checkDescribeTopicPartitions
}

func offsetForEpochReq(topic string, partition, current, epoch int32) *kmsg.OffsetForLeaderEpochRequest {
	req := kmsg.NewPtrOffsetForLeaderEpochRequest()
	req.ReplicaID = -1
	rt := kmsg.NewOffsetForLeaderEpochRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewOffsetForLeaderEpochRequestTopicPartition()
	rp.Partition, rp.CurrentLeaderEpoch, rp.LeaderEpoch = partition, current, epoch
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

func checkOffsetForLeaderEpoch(t *testing.T, c *rawConn, v int16) {
	if code, _ := produceCode(t, c, "versions", plainBatch(t, 2)); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	end := endOffset(t, c, "versions")
	resp := c.roundTrip(offsetForEpochReq("versions", 0, 0, 0), v).(*kmsg.OffsetForLeaderEpochResponse)
	p := resp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 || p.LeaderEpoch != 0 || p.EndOffset != end {
		t.Fatalf("error %v epoch %d end %d, want epoch 0 ending at the log end %d", kerr.ErrorForCode(p.ErrorCode), p.LeaderEpoch, p.EndOffset, end)
	}
}

func checkDescribeLogDirs(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrDescribeLogDirsRequest()
	rt := kmsg.NewDescribeLogDirsRequestTopic()
	rt.Topic, rt.Partitions = "versions", []int32{0, 1}
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.DescribeLogDirsResponse)
	if resp.ErrorCode != 0 || len(resp.Dirs) != 1 {
		t.Fatalf("error %v, %d dirs; want one", kerr.ErrorForCode(resp.ErrorCode), len(resp.Dirs))
	}
	d := resp.Dirs[0]
	if d.ErrorCode != 0 || !filepath.IsAbs(d.Dir) || len(d.Topics) != 1 || len(d.Topics[0].Partitions) != 2 {
		t.Fatalf("dir %+v, want the absolute data dir with both partitions of versions", d)
	}
	if v >= 4 && (d.TotalBytes <= 0 || d.UsableBytes < 0 || d.UsableBytes > d.TotalBytes) {
		t.Fatalf("v%d volume: total %d usable %d", v, d.TotalBytes, d.UsableBytes)
	}
	if v >= 5 && d.IsCordoned {
		t.Fatal("log dir reported cordoned")
	}
}

func electReq(electionType int8, topic string, partitions ...int32) *kmsg.ElectLeadersRequest {
	req := kmsg.NewPtrElectLeadersRequest()
	req.ElectionType, req.TimeoutMillis = electionType, 5000
	rt := kmsg.NewElectLeadersRequestTopic()
	rt.Topic, rt.Partitions = topic, partitions
	req.Topics = append(req.Topics, rt)
	return req
}

func checkElectLeaders(t *testing.T, c *rawConn, v int16) {
	resp := c.roundTrip(electReq(0, "versions", 0, 1), v).(*kmsg.ElectLeadersResponse)
	if resp.ErrorCode != 0 || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 2 {
		t.Fatalf("error %v, topics %+v", kerr.ErrorForCode(resp.ErrorCode), resp.Topics)
	}
	for _, p := range resp.Topics[0].Partitions {
		if p.ErrorCode != kerr.ElectionNotNeeded.Code {
			t.Errorf("partition %d: %v, want ELECTION_NOT_NEEDED", p.Partition, kerr.ErrorForCode(p.ErrorCode))
		}
	}
}

func reassignReq(topic string, partition int32, replicas []int32) *kmsg.AlterPartitionAssignmentsRequest {
	req := kmsg.NewPtrAlterPartitionAssignmentsRequest()
	req.TimeoutMillis = 5000
	rt := kmsg.NewAlterPartitionAssignmentsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewAlterPartitionAssignmentsRequestTopicPartition()
	rp.Partition, rp.Replicas = partition, replicas
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

func checkAlterPartitionReassignments(t *testing.T, c *rawConn, v int16) {
	req := reassignReq("versions", 1, []int32{1})
	req.AllowReplicationFactorChange = false
	resp := c.roundTrip(req, v).(*kmsg.AlterPartitionAssignmentsResponse)
	if resp.ErrorCode != 0 || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("reassigning to this node: %v / %v", kerr.ErrorForCode(resp.ErrorCode), kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode))
	}
	if v >= 1 && resp.AllowReplicationFactorChange {
		t.Error("AllowReplicationFactorChange not echoed as false")
	}
}

func checkListPartitionReassignments(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrListPartitionReassignmentsRequest()
	req.TimeoutMillis = 5000
	resp := c.roundTrip(req, v).(*kmsg.ListPartitionReassignmentsResponse)
	if resp.ErrorCode != 0 || len(resp.Topics) != 0 {
		t.Fatalf("error %v, ongoing %+v; want none", kerr.ErrorForCode(resp.ErrorCode), resp.Topics)
	}
}

func quotaEntry(typ string, name *string, ops ...kmsg.AlterClientQuotasRequestEntryOp) kmsg.AlterClientQuotasRequestEntry {
	e := kmsg.NewAlterClientQuotasRequestEntry()
	ent := kmsg.NewAlterClientQuotasRequestEntryEntity()
	ent.Type, ent.Name = typ, name
	e.Entity = append(e.Entity, ent)
	e.Ops = ops
	return e
}

func setQuota(key string, value float64) kmsg.AlterClientQuotasRequestEntryOp {
	op := kmsg.NewAlterClientQuotasRequestEntryOp()
	op.Key, op.Value = key, value
	return op
}

func alterQuotas(t *testing.T, c *rawConn, v int16, entries ...kmsg.AlterClientQuotasRequestEntry) []kmsg.AlterClientQuotasResponseEntry {
	t.Helper()
	req := kmsg.NewPtrAlterClientQuotasRequest()
	req.Entries = entries
	resp := c.roundTrip(req, v).(*kmsg.AlterClientQuotasResponse)
	if len(resp.Entries) != len(entries) {
		t.Fatalf("%d answers to %d entries", len(resp.Entries), len(entries))
	}
	return resp.Entries
}

func describeQuotas(t *testing.T, c *rawConn, v int16, strict bool, comps ...kmsg.DescribeClientQuotasRequestComponent) *kmsg.DescribeClientQuotasResponse {
	t.Helper()
	req := kmsg.NewPtrDescribeClientQuotasRequest()
	req.Components, req.Strict = comps, strict
	return c.roundTrip(req, v).(*kmsg.DescribeClientQuotasResponse)
}

func quotaComponent(typ string, match kmsg.QuotasMatchType, name *string) kmsg.DescribeClientQuotasRequestComponent {
	comp := kmsg.NewDescribeClientQuotasRequestComponent()
	comp.EntityType, comp.MatchType, comp.Match = typ, match, name
	return comp
}

func checkDescribeClientQuotas(t *testing.T, c *rawConn, v int16) {
	user := fmt.Sprintf("describe-v%d", v)
	got := alterQuotas(t, c, 1, quotaEntry("user", &user, setQuota("consumer_byte_rate", 2048)))
	wantCode(t, "alter", got[0].ErrorCode)
	resp := describeQuotas(t, c, v, false, quotaComponent("user", 0, &user))
	if resp.ErrorCode != 0 || len(resp.Entries) != 1 {
		t.Fatalf("error %v, entries %+v; want the one user", kerr.ErrorForCode(resp.ErrorCode), resp.Entries)
	}
	e := resp.Entries[0]
	if len(e.Values) != 1 || e.Values[0].Key != "consumer_byte_rate" || e.Values[0].Value != 2048 {
		t.Fatalf("values %+v", e.Values)
	}
}

func checkAlterClientQuotas(t *testing.T, c *rawConn, v int16) {
	client := fmt.Sprintf("alter-v%d", v)
	got := alterQuotas(t, c, v, quotaEntry("client-id", &client, setQuota("request_percentage", 12.5)))
	wantCode(t, "alter", got[0].ErrorCode)
	if n := got[0].Entity; len(n) != 1 || n[0].Type != "client-id" || *n[0].Name != client {
		t.Fatalf("answer for entity %+v", n)
	}
	resp := describeQuotas(t, c, 1, true, quotaComponent("client-id", 0, &client))
	if len(resp.Entries) != 1 || resp.Entries[0].Values[0].Value != 12.5 {
		t.Fatalf("after alter: %+v", resp.Entries)
	}
}

func checkListConfigResources(t *testing.T, c *rawConn, v int16) {
	resp := c.roundTrip(kmsg.NewPtrListConfigResourcesRequest(), v).(*kmsg.ListConfigResourcesResponse)
	if resp.ErrorCode != 0 {
		t.Fatal(kerr.ErrorForCode(resp.ErrorCode))
	}
	if v == 0 {
		if len(resp.ConfigResources) != 0 {
			t.Fatalf("client metrics resources %+v, want none", resp.ConfigResources)
		}
		return
	}
	found := map[string]bool{}
	for _, r := range resp.ConfigResources {
		found[fmt.Sprintf("%d/%s", r.Type, r.Name)] = true
	}
	for _, want := range []string{"2/versions", "4/1"} {
		if !found[want] {
			t.Errorf("no %s in %+v", want, resp.ConfigResources)
		}
	}
}

func describePartitionsReq(limit int32, cursor *kmsg.DescribeTopicPartitionsRequestCursor, topics ...string) *kmsg.DescribeTopicPartitionsRequest {
	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	req.ResponsePartitionLimit, req.Cursor = limit, cursor
	for _, name := range topics {
		rt := kmsg.NewDescribeTopicPartitionsRequestTopic()
		rt.Topic = name
		req.Topics = append(req.Topics, rt)
	}
	return req
}

func checkDescribeTopicPartitions(t *testing.T, c *rawConn, v int16) {
	resp := c.roundTrip(describePartitionsReq(2000, nil, "versions"), v).(*kmsg.DescribeTopicPartitionsResponse)
	if len(resp.Topics) != 1 || resp.NextCursor != nil {
		t.Fatalf("topics %+v, cursor %+v", resp.Topics, resp.NextCursor)
	}
	rt := resp.Topics[0]
	if rt.ErrorCode != 0 || rt.TopicID != topicID(t, c, "versions") || len(rt.Partitions) != 2 {
		t.Fatalf("topic %+v", rt)
	}
	for _, p := range rt.Partitions {
		if p.LeaderID != 1 || p.LeaderEpoch != 0 || len(p.ISR) != 1 || len(p.Replicas) != 1 {
			t.Errorf("partition %+v, want led by node 1 in epoch 0", p)
		}
	}
}
