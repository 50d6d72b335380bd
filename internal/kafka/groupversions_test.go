package kafka_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Version checks of the group APIs. The broker under test runs with
// group.initial.rebalance.delay.ms=0 so a lone member's join completes at
// once.

func init() {
	versionChecks[8] = checkOffsetCommit
	versionChecks[9] = checkOffsetFetch
	versionChecks[10] = checkFindCoordinator
	versionChecks[11] = checkJoinGroup
	versionChecks[12] = checkHeartbeat
	versionChecks[13] = checkLeaveGroup
	versionChecks[14] = checkSyncGroup
	versionChecks[15] = checkDescribeGroups
	versionChecks[16] = checkListGroups
	versionChecks[42] = checkDeleteGroups
	versionChecks[47] = checkOffsetDelete
}

func wantCode(t *testing.T, what string, code int16) {
	t.Helper()
	if code != 0 {
		t.Fatalf("%s: %v", what, kerr.ErrorForCode(code))
	}
}

func joinReq(group, member string) *kmsg.JoinGroupRequest {
	req := kmsg.NewPtrJoinGroupRequest()
	req.Group, req.MemberID, req.ProtocolType = group, member, "consumer"
	req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = 10000, 10000
	meta := kmsg.NewConsumerMemberMetadata()
	meta.Topics = []string{"versions"}
	p := kmsg.NewJoinGroupRequestProtocol()
	p.Name, p.Metadata = "range", meta.AppendTo(nil)
	req.Protocols = append(req.Protocols, p)
	return req
}

// join joins group at version v, answering MEMBER_ID_REQUIRED (v4+) by
// rejoining with the id the broker handed out.
func join(t *testing.T, c *rawConn, group string, v int16) *kmsg.JoinGroupResponse {
	t.Helper()
	resp := c.roundTrip(joinReq(group, ""), v).(*kmsg.JoinGroupResponse)
	if resp.ErrorCode == kerr.MemberIDRequired.Code {
		if v < 4 {
			t.Fatalf("MEMBER_ID_REQUIRED at v%d", v)
		}
		resp = c.roundTrip(joinReq(group, resp.MemberID), v).(*kmsg.JoinGroupResponse)
	} else if v >= 4 {
		t.Fatalf("v%d first join: %v, want MEMBER_ID_REQUIRED", v, kerr.ErrorForCode(resp.ErrorCode))
	}
	wantCode(t, "join", resp.ErrorCode)
	if resp.LeaderID != resp.MemberID || resp.Generation < 1 {
		t.Fatalf("lone member is not leader of a new generation: %+v", resp)
	}
	return resp
}

func syncReq(group string, j *kmsg.JoinGroupResponse) *kmsg.SyncGroupRequest {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Group, req.Generation, req.MemberID = group, j.Generation, j.MemberID
	pt, proto := "consumer", "range"
	req.ProtocolType, req.Protocol = &pt, &proto
	a := kmsg.NewConsumerMemberAssignment()
	a.Topics = []kmsg.ConsumerMemberAssignmentTopic{{Topic: "versions", Partitions: []int32{0, 1}}}
	ga := kmsg.NewSyncGroupRequestGroupAssignment()
	ga.MemberID, ga.MemberAssignment = j.MemberID, a.AppendTo(nil)
	req.GroupAssignment = append(req.GroupAssignment, ga)
	return req
}

// stableGroup makes a one-member Stable group and returns its join answer.
func stableGroup(t *testing.T, c *rawConn, group string) *kmsg.JoinGroupResponse {
	t.Helper()
	j := join(t, c, group, 9)
	resp := c.roundTrip(syncReq(group, j), 5).(*kmsg.SyncGroupResponse)
	wantCode(t, "sync", resp.ErrorCode)
	return j
}

func commit(t *testing.T, c *rawConn, group string, offset int64, v int16) {
	t.Helper()
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = group, -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = "versions"
	if v >= 10 {
		rt.Topic, rt.TopicID = "", topicID(t, c, "versions")
	}
	rp := kmsg.NewOffsetCommitRequestTopicPartition()
	rp.Partition, rp.Offset = 1, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.OffsetCommitResponse)
	wantCode(t, "commit", resp.Topics[0].Partitions[0].ErrorCode)
}

func checkFindCoordinator(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.CoordinatorKey, req.CoordinatorKeys = "find", []string{"find", "other"}
	resp := c.roundTrip(req, v).(*kmsg.FindCoordinatorResponse)
	if v < 4 {
		wantCode(t, "find", resp.ErrorCode)
		if resp.NodeID != 1 || resp.Port == 0 {
			t.Fatalf("coordinator %+v", resp)
		}
		return
	}
	if len(resp.Coordinators) != 2 || resp.Coordinators[1].Key != "other" || resp.Coordinators[1].NodeID != 1 {
		t.Fatalf("coordinators %+v", resp.Coordinators)
	}
}

func checkJoinGroup(t *testing.T, c *rawConn, v int16) {
	join(t, c, fmt.Sprintf("join-v%d", v), v)
}

func checkSyncGroup(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("sync-v%d", v)
	j := join(t, c, group, 9)
	resp := c.roundTrip(syncReq(group, j), v).(*kmsg.SyncGroupResponse)
	wantCode(t, "sync", resp.ErrorCode)
	var a kmsg.ConsumerMemberAssignment
	if err := a.ReadFrom(resp.MemberAssignment); err != nil || len(a.Topics) != 1 {
		t.Fatalf("assignment %+v, %v", a, err)
	}
}

func checkHeartbeat(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("hb-v%d", v)
	j := stableGroup(t, c, group)
	req := kmsg.NewPtrHeartbeatRequest()
	req.Group, req.Generation, req.MemberID = group, j.Generation, j.MemberID
	wantCode(t, "heartbeat", c.roundTrip(req, v).(*kmsg.HeartbeatResponse).ErrorCode)
	req.Generation++
	if code := c.roundTrip(req, v).(*kmsg.HeartbeatResponse).ErrorCode; code != kerr.IllegalGeneration.Code {
		t.Fatalf("stale generation: %v", kerr.ErrorForCode(code))
	}
}

func checkLeaveGroup(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("leave-v%d", v)
	j := stableGroup(t, c, group)
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group, req.MemberID = group, j.MemberID
	m := kmsg.NewLeaveGroupRequestMember()
	m.MemberID = j.MemberID
	req.Members = append(req.Members, m)
	resp := c.roundTrip(req, v).(*kmsg.LeaveGroupResponse)
	wantCode(t, "leave", resp.ErrorCode)
	if v >= 3 {
		wantCode(t, "leave member", resp.Members[0].ErrorCode)
	}
	if state := describe(t, c, group, 5).State; state != "Empty" {
		t.Fatalf("after leave: %s", state)
	}
}

func describe(t *testing.T, c *rawConn, group string, v int16) kmsg.DescribeGroupsResponseGroup {
	t.Helper()
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{group}
	resp := c.roundTrip(req, v).(*kmsg.DescribeGroupsResponse)
	wantCode(t, "describe", resp.Groups[0].ErrorCode)
	return resp.Groups[0]
}

func checkDescribeGroups(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("describe-v%d", v)
	stableGroup(t, c, group)
	g := describe(t, c, group, v)
	if g.State != "Stable" || g.ProtocolType != "consumer" || g.Protocol != "range" || len(g.Members) != 1 {
		t.Fatalf("described %+v", g)
	}
	if v >= 3 {
		req := kmsg.NewPtrDescribeGroupsRequest()
		req.Groups, req.IncludeAuthorizedOperations = []string{group}, true
		ops := c.roundTrip(req, v).(*kmsg.DescribeGroupsResponse).Groups[0].AuthorizedOperations
		if ops != 1<<3|1<<6|1<<8 {
			t.Fatalf("authorized operations %b, want READ, DELETE, DESCRIBE", ops)
		}
	}
}

func checkListGroups(t *testing.T, c *rawConn, v int16) {
	stableGroup(t, c, fmt.Sprintf("list-v%d", v))
	req := kmsg.NewPtrListGroupsRequest()
	resp := c.roundTrip(req, v).(*kmsg.ListGroupsResponse)
	wantCode(t, "list", resp.ErrorCode)
	for _, g := range resp.Groups {
		if g.Group == fmt.Sprintf("list-v%d", v) {
			return
		}
	}
	t.Fatalf("group missing from %+v", resp.Groups)
}

func checkDeleteGroups(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("delete-v%d", v)
	commit(t, c, group, 5, 9)
	req := kmsg.NewPtrDeleteGroupsRequest()
	req.Groups = []string{group}
	resp := c.roundTrip(req, v).(*kmsg.DeleteGroupsResponse)
	wantCode(t, "delete", resp.Groups[0].ErrorCode)
	if got := fetchOffset(t, c, group, 9); got != -1 {
		t.Fatalf("offset %d after deleting the group", got)
	}
}

func checkOffsetCommit(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("commit-v%d", v)
	commit(t, c, group, 42, v)
	if got := fetchOffset(t, c, group, 9); got != 42 {
		t.Fatalf("fetched %d, want 42", got)
	}
}

// fetchOffset returns the committed offset of versions/1 in group.
func fetchOffset(t *testing.T, c *rawConn, group string, v int16) int64 {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	req.Topics = []kmsg.OffsetFetchRequestTopic{{Topic: "versions", Partitions: []int32{1}}}
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = group
	gt := kmsg.NewOffsetFetchRequestGroupTopic()
	gt.Topic, gt.Partitions = "versions", []int32{1}
	if v >= 10 {
		gt.Topic, gt.TopicID = "", topicID(t, c, "versions")
	}
	rg.Topics = append(rg.Topics, gt)
	req.Groups = append(req.Groups, rg)
	resp := c.roundTrip(req, v).(*kmsg.OffsetFetchResponse)
	if v >= 8 {
		wantCode(t, "fetch group", resp.Groups[0].ErrorCode)
		p := resp.Groups[0].Topics[0].Partitions[0]
		wantCode(t, "fetch partition", p.ErrorCode)
		return p.Offset
	}
	wantCode(t, "fetch", resp.ErrorCode)
	p := resp.Topics[0].Partitions[0]
	wantCode(t, "fetch partition", p.ErrorCode)
	return p.Offset
}

func checkOffsetFetch(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("fetch-v%d", v)
	if got := fetchOffset(t, c, group, v); got != -1 {
		t.Fatalf("nothing committed yet, fetched %d", got)
	}
	commit(t, c, group, 7, 9)
	if got := fetchOffset(t, c, group, v); got != 7 {
		t.Fatalf("fetched %d, want 7", got)
	}
}

func checkOffsetDelete(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("offset-delete-v%d", v)
	commit(t, c, group, 3, 9)
	req := kmsg.NewPtrOffsetDeleteRequest()
	req.Group = group
	rt := kmsg.NewOffsetDeleteRequestTopic()
	rt.Topic = "versions"
	rt.Partitions = []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 1}}
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.OffsetDeleteResponse)
	wantCode(t, "offset delete", resp.ErrorCode)
	wantCode(t, "offset delete partition", resp.Topics[0].Partitions[0].ErrorCode)
	if got := fetchOffset(t, c, group, 9); got != -1 {
		t.Fatalf("offset %d after OffsetDelete", got)
	}
}

func init() {
	versionChecks[68] = checkConsumerGroupHeartbeat
	versionChecks[69] = checkConsumerGroupDescribe
}

// heartbeat848 joins a KIP-848 group (epoch 0) subscribed to "versions"
// and returns the answer; v0 lets the broker pick the member id.
func heartbeat848(t *testing.T, c *rawConn, group string, v int16) *kmsg.ConsumerGroupHeartbeatResponse {
	t.Helper()
	req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	req.Group, req.MemberEpoch, req.RebalanceTimeoutMillis = group, 0, 10000
	req.SubscribedTopicNames = []string{"versions"}
	req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
	if v >= 1 {
		req.MemberID = "11111111-2222-3333-4444-" + fmt.Sprintf("%012d", v)
	}
	resp := c.roundTrip(req, v).(*kmsg.ConsumerGroupHeartbeatResponse)
	wantCode(t, "consumer group heartbeat", resp.ErrorCode)
	return resp
}

func checkConsumerGroupHeartbeat(t *testing.T, c *rawConn, v int16) {
	resp := heartbeat848(t, c, fmt.Sprintf("kip848-hb-v%d", v), v)
	if resp.MemberID == nil || *resp.MemberID == "" || resp.MemberEpoch < 1 || resp.Assignment == nil {
		t.Fatalf("join answer %+v", resp)
	}
	var parts int
	for _, tp := range resp.Assignment.Topics {
		parts += len(tp.Partitions)
	}
	if parts != 2 {
		t.Fatalf("lone member got %d partitions of 2", parts)
	}
}

func checkConsumerGroupDescribe(t *testing.T, c *rawConn, v int16) {
	group := fmt.Sprintf("kip848-describe-v%d", v)
	heartbeat848(t, c, group, 1)
	req := kmsg.NewPtrConsumerGroupDescribeRequest()
	req.Groups = []string{group}
	resp := c.roundTrip(req, v).(*kmsg.ConsumerGroupDescribeResponse)
	g := resp.Groups[0]
	wantCode(t, "consumer group describe", g.ErrorCode)
	if g.Group != group || len(g.Members) != 1 || g.Epoch < 1 || g.AssignorName == "" {
		t.Fatalf("described %+v", g)
	}
}
