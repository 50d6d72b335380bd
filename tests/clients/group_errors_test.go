package clients

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Raw group requests with bad input, each answered with the code Apache
// Kafka 4 returns and without changing the group or its offsets. Each
// member gets its own client: a JoinGroup that waits for a rebalance
// holds up the responses behind it on its connection, as in Kafka.

const rawTopic = "raw"

// rawTopicID is rawTopic's id, which OffsetCommit v10 and OffsetFetch v10
// carry instead of its name. Set once before the subtests run.
var rawTopicID [16]byte

func rawJoinReq(group, member string, topics ...string) *kmsg.JoinGroupRequest {
	req := kmsg.NewPtrJoinGroupRequest()
	req.Group, req.MemberID, req.ProtocolType = group, member, "consumer"
	req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = 30000, 10000
	meta := kmsg.NewConsumerMemberMetadata()
	meta.Topics = topics
	p := kmsg.NewJoinGroupRequestProtocol()
	p.Name, p.Metadata = "range", meta.AppendTo(nil)
	req.Protocols = append(req.Protocols, p)
	return req
}

// rawJoin joins (or rejoins, with member set) and answers
// MEMBER_ID_REQUIRED by joining again with the id handed out.
func rawJoin(t *testing.T, ctx context.Context, cl *kgo.Client, group, member string) *kmsg.JoinGroupResponse {
	t.Helper()
	resp := request[*kmsg.JoinGroupResponse](t, ctx, cl, rawJoinReq(group, member, rawTopic))
	if resp.ErrorCode == kerr.MemberIDRequired.Code {
		resp = request[*kmsg.JoinGroupResponse](t, ctx, cl, rawJoinReq(group, resp.MemberID, rawTopic))
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		t.Fatalf("JoinGroup %s: %v", group, err)
	}
	return resp
}

func rawAssignment(ps ...int32) []byte {
	a := kmsg.NewConsumerMemberAssignment()
	a.Topics = []kmsg.ConsumerMemberAssignmentTopic{{Topic: rawTopic, Partitions: ps}}
	return a.AppendTo(nil)
}

func rawSyncReq(group string, j *kmsg.JoinGroupResponse, assign map[string][]int32) *kmsg.SyncGroupRequest {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Group, req.Generation, req.MemberID = group, j.Generation, j.MemberID
	pt, proto := "consumer", "range"
	req.ProtocolType, req.Protocol = &pt, &proto
	for m, ps := range assign {
		ga := kmsg.NewSyncGroupRequestGroupAssignment()
		ga.MemberID, ga.MemberAssignment = m, rawAssignment(ps...)
		req.GroupAssignment = append(req.GroupAssignment, ga)
	}
	return req
}

func rawSync(t *testing.T, ctx context.Context, cl *kgo.Client, group string, j *kmsg.JoinGroupResponse, assign map[string][]int32) []int32 {
	t.Helper()
	resp := request[*kmsg.SyncGroupResponse](t, ctx, cl, rawSyncReq(group, j, assign))
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		t.Fatalf("SyncGroup %s as %s: %v", group, j.MemberID, err)
	}
	var a kmsg.ConsumerMemberAssignment
	if err := a.ReadFrom(resp.MemberAssignment); err != nil {
		t.Fatalf("SyncGroup %s: assignment %x: %v", group, resp.MemberAssignment, err)
	}
	var ps []int32
	for _, at := range a.Topics {
		ps = append(ps, at.Partitions...)
	}
	slices.Sort(ps)
	return ps
}

func rawCommitReq(group, member string, gen int32, p int32, offset int64) *kmsg.OffsetCommitRequest {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.MemberID, req.Generation = group, member, gen
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic, rt.TopicID = rawTopic, rawTopicID
	rp := kmsg.NewOffsetCommitRequestTopicPartition()
	rp.Partition, rp.Offset = p, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

// rawCommit sends one offset and returns the partition's error code.
func rawCommit(t *testing.T, ctx context.Context, cl *kgo.Client, group, member string, gen int32, p int32, offset int64) int16 {
	t.Helper()
	resp := request[*kmsg.OffsetCommitResponse](t, ctx, cl, rawCommitReq(group, member, gen, p, offset))
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("OffsetCommit response %+v, want one partition", resp.Topics)
	}
	return resp.Topics[0].Partitions[0].ErrorCode
}

// rawFetch returns the committed offset of one partition through
// OffsetFetch, failing on any error code.
func rawFetch(t *testing.T, ctx context.Context, cl *kgo.Client, group string, p int32) int64 {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic, rt.Partitions = rawTopic, []int32{p}
	req.Topics = append(req.Topics, rt)
	// v8+ carries groups in Groups; kmsg fills the right fields for
	// the negotiated version only if both are set.
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = group
	rgt := kmsg.NewOffsetFetchRequestGroupTopic()
	rgt.Topic, rgt.TopicID, rgt.Partitions = rawTopic, rawTopicID, []int32{p}
	rg.Topics = append(rg.Topics, rgt)
	req.Groups = append(req.Groups, rg)
	resp := request[*kmsg.OffsetFetchResponse](t, ctx, cl, req)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		t.Fatalf("OffsetFetch %s: %v", group, err)
	}
	if len(resp.Groups) == 1 {
		g := resp.Groups[0]
		if err := kerr.ErrorForCode(g.ErrorCode); err != nil {
			t.Fatalf("OffsetFetch %s: %v", group, err)
		}
		if len(g.Topics) != 1 || len(g.Topics[0].Partitions) != 1 {
			t.Fatalf("OffsetFetch %s: %+v, want one partition", group, g.Topics)
		}
		rp := g.Topics[0].Partitions[0]
		if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
			t.Fatalf("OffsetFetch %s/%d: %v", group, p, err)
		}
		return rp.Offset
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("OffsetFetch %s: %+v, want one partition", group, resp.Topics)
	}
	rp := resp.Topics[0].Partitions[0]
	if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
		t.Fatalf("OffsetFetch %s/%d: %v", group, p, err)
	}
	return rp.Offset
}

func wantErr(t *testing.T, what string, code int16, want *kerr.Error) {
	t.Helper()
	got := kerr.ErrorForCode(code)
	if want == nil {
		if got != nil {
			t.Errorf("%s: %v", what, got)
		}
		return
	}
	if !errors.Is(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestGroupBadRequests(t *testing.T) {
	t.Parallel()
	b, adm := startGroupBroker(t)
	rawTopicID = createTopic(t, adm, rawTopic, 4, nil)
	ctx := testContext(t)
	cl := newClient(t, b.Addr())

	t.Run("commits-to-live-group", func(t *testing.T) {
		const group = "live"
		j := rawJoin(t, ctx, cl, group, "")
		if got := rawSync(t, ctx, cl, group, j, map[string][]int32{j.MemberID: {0, 1, 2, 3}}); len(got) != 4 {
			t.Fatalf("lone member assigned %v", got)
		}
		wantErr(t, "commit as the member", rawCommit(t, ctx, cl, group, j.MemberID, j.Generation, 0, 5), nil)
		wantErr(t, "commit from an unknown member", rawCommit(t, ctx, cl, group, "nobody", j.Generation, 0, 7), kerr.UnknownMemberID)
		wantErr(t, "commit from a stale generation", rawCommit(t, ctx, cl, group, j.MemberID, j.Generation-1, 0, 8), kerr.IllegalGeneration)
		wantErr(t, "commit from a future generation", rawCommit(t, ctx, cl, group, j.MemberID, j.Generation+1, 0, 9), kerr.IllegalGeneration)
		// Kafka rejects a generation -1 commit (simple consumer) to a
		// group with members: the group is not empty.
		wantErr(t, "simple commit to a group with members", rawCommit(t, ctx, cl, group, "", -1, 0, 10), kerr.UnknownMemberID)
		if o := rawFetch(t, ctx, cl, group, 0); o != 5 {
			t.Errorf("committed offset %d after rejected commits, want 5", o)
		}
		if o := rawFetch(t, ctx, cl, group, 1); o != -1 {
			t.Errorf("partition with nothing committed: offset %d, want -1", o)
		}

		hb := kmsg.NewPtrHeartbeatRequest()
		hb.Group, hb.MemberID, hb.Generation = group, j.MemberID, j.Generation
		wantErr(t, "heartbeat", request[*kmsg.HeartbeatResponse](t, ctx, cl, hb).ErrorCode, nil)
		hb.MemberID = "nobody"
		wantErr(t, "heartbeat from an unknown member", request[*kmsg.HeartbeatResponse](t, ctx, cl, hb).ErrorCode, kerr.UnknownMemberID)

		// The group is still Stable with its one member.
		if err := stableWith(t, adm, group, 1); err != nil {
			t.Error(err)
		}

		del := kmsg.NewPtrDeleteGroupsRequest()
		del.Groups = []string{group}
		dr := request[*kmsg.DeleteGroupsResponse](t, ctx, cl, del)
		if len(dr.Groups) != 1 {
			t.Fatalf("DeleteGroups: %+v", dr.Groups)
		}
		wantErr(t, "deleting a group with members", dr.Groups[0].ErrorCode, kerr.NonEmptyGroup)
		if o := rawFetch(t, ctx, cl, group, 0); o != 5 {
			t.Errorf("committed offset %d after the refused delete, want 5", o)
		}
	})

	t.Run("heartbeat-unknown-group", func(t *testing.T) {
		hb := kmsg.NewPtrHeartbeatRequest()
		hb.Group, hb.MemberID, hb.Generation = "no-such-group", "someone", 1
		wantErr(t, "heartbeat to an unknown group", request[*kmsg.HeartbeatResponse](t, ctx, cl, hb).ErrorCode, kerr.UnknownMemberID)
		if gs, err := adm.ListGroups(ctx); err != nil {
			t.Fatalf("ListGroups: %v", err)
		} else if slices.Contains(gs.Groups(), "no-such-group") {
			t.Error("a heartbeat created the group")
		}
	})

	t.Run("join-without-protocols", func(t *testing.T) {
		req := rawJoinReq("noproto", "", rawTopic)
		req.Protocols = nil
		resp := request[*kmsg.JoinGroupResponse](t, ctx, cl, req)
		wantErr(t, "JoinGroup with no protocols", resp.ErrorCode, kerr.InconsistentGroupProtocol)
		req = rawJoinReq("noproto", "", rawTopic)
		req.ProtocolType = ""
		resp = request[*kmsg.JoinGroupResponse](t, ctx, cl, req)
		wantErr(t, "JoinGroup with an empty protocol type", resp.ErrorCode, kerr.InconsistentGroupProtocol)
		if gs, err := adm.ListGroups(ctx); err != nil {
			t.Fatalf("ListGroups: %v", err)
		} else if slices.Contains(gs.Groups(), "noproto") {
			t.Error("a rejected join created the group")
		}
	})

	t.Run("follower-assignments-ignored", func(t *testing.T) {
		const group = "follower"
		leaderCl, followerCl := newClient(t, b.Addr()), newClient(t, b.Addr())
		lj := rawJoin(t, ctx, leaderCl, group, "")
		rawSync(t, ctx, leaderCl, group, lj, map[string][]int32{lj.MemberID: {0, 1, 2, 3}})

		// The follower's join starts a rebalance that completes when
		// the leader rejoins.
		fjc := make(chan *kmsg.JoinGroupResponse, 1)
		go func() {
			resp, err := followerCl.SeedBrokers()[0].Request(ctx, rawJoinReq(group, "", rawTopic))
			if err != nil {
				fjc <- nil
				return
			}
			r := resp.(*kmsg.JoinGroupResponse)
			if r.ErrorCode == kerr.MemberIDRequired.Code {
				resp, err = followerCl.SeedBrokers()[0].Request(ctx, rawJoinReq(group, r.MemberID, rawTopic))
				if err != nil {
					fjc <- nil
					return
				}
				r = resp.(*kmsg.JoinGroupResponse)
			}
			fjc <- r
		}()
		waitFor(t, "the follower's join to start a rebalance", func() error {
			g, err := adm.DescribeGroups(ctx, group)
			if err != nil {
				return err
			}
			if s := g[group].State; s != "PreparingRebalance" {
				return errors.New("group is " + s)
			}
			return nil
		})
		lj2 := rawJoin(t, ctx, leaderCl, group, lj.MemberID)
		fj := <-fjc
		if fj == nil || fj.ErrorCode != 0 {
			t.Fatalf("follower join: %+v", fj)
		}
		if lj2.LeaderID != lj.MemberID || fj.LeaderID != lj.MemberID || lj2.Generation != fj.Generation {
			t.Fatalf("leader %s gen %d / %s gen %d, want %s in one generation", lj2.LeaderID, lj2.Generation, fj.LeaderID, fj.Generation, lj.MemberID)
		}
		// The follower syncs first, handing out everything to itself.
		fsc := make(chan []int32, 1)
		go func() {
			resp, err := followerCl.SeedBrokers()[0].Request(ctx, rawSyncReq(group, fj, map[string][]int32{fj.MemberID: {0, 1, 2, 3}, lj.MemberID: {}}))
			if err != nil {
				fsc <- nil
				return
			}
			r := resp.(*kmsg.SyncGroupResponse)
			var a kmsg.ConsumerMemberAssignment
			if r.ErrorCode != 0 || a.ReadFrom(r.MemberAssignment) != nil || len(a.Topics) != 1 {
				fsc <- nil
				return
			}
			fsc <- a.Topics[0].Partitions
		}()
		got := rawSync(t, ctx, leaderCl, group, lj2, map[string][]int32{lj.MemberID: {0, 1}, fj.MemberID: {2, 3}})
		if !slices.Equal(got, []int32{0, 1}) {
			t.Errorf("leader assigned %v, want [0 1] from its own SyncGroup", got)
		}
		if fg := <-fsc; !slices.Equal(fg, []int32{2, 3}) {
			t.Errorf("follower assigned %v, want [2 3] from the leader's SyncGroup", fg)
		}
		// A commit from the old generation is now stale.
		wantErr(t, "commit from the previous generation", rawCommit(t, ctx, leaderCl, group, lj.MemberID, lj.Generation, 0, 1), kerr.IllegalGeneration)
		wantErr(t, "commit from the follower", rawCommit(t, ctx, followerCl, group, fj.MemberID, fj.Generation, 2, 1), nil)
	})

	t.Run("simple-consumer-commits", func(t *testing.T) {
		const group = "simple"
		if o := rawFetch(t, ctx, cl, group, 0); o != -1 {
			t.Errorf("unknown group: offset %d, want -1", o)
		}
		wantErr(t, "generation -1 commit", rawCommit(t, ctx, cl, group, "", -1, 2, 42), nil)
		if o := rawFetch(t, ctx, cl, group, 2); o != 42 {
			t.Errorf("committed %d, want 42", o)
		}
		if o := rawFetch(t, ctx, cl, group, 3); o != -1 {
			t.Errorf("partition with nothing committed: %d, want -1", o)
		}
		gs, err := adm.ListGroups(ctx)
		if err != nil {
			t.Fatalf("ListGroups: %v", err)
		}
		if !slices.Contains(gs.Groups(), group) {
			t.Errorf("ListGroups %v: the committed-to group is missing", gs.Groups())
		}
		if g := describeGroup(t, adm, group); g.State != "Empty" || len(g.Members) != 0 {
			t.Errorf("simple group: %s with %d members, want Empty", g.State, len(g.Members))
		}
	})

	t.Run("kadm", func(t *testing.T) {
		const group = "kadm-group"
		os := make(kadm.Offsets)
		os.Add(kadm.Offset{Topic: rawTopic, Partition: 0, At: 10, LeaderEpoch: -1, Metadata: "m0"})
		os.Add(kadm.Offset{Topic: rawTopic, Partition: 1, At: 11, LeaderEpoch: -1})
		cr, err := adm.CommitOffsets(ctx, group, os)
		if err != nil || cr.Error() != nil {
			t.Fatalf("CommitOffsets: %v %v", err, cr.Error())
		}
		fr, err := adm.FetchOffsets(ctx, group)
		if err != nil || fr.Error() != nil {
			t.Fatalf("FetchOffsets: %v %v", err, fr.Error())
		}
		if o, _ := fr.Lookup(rawTopic, 0); o.At != 10 || o.Metadata != "m0" {
			t.Errorf("partition 0: %+v, want 10 with metadata m0", o)
		}
		if o, _ := fr.Lookup(rawTopic, 1); o.At != 11 {
			t.Errorf("partition 1: %+v, want 11", o)
		}
		dr, err := adm.DeleteOffsets(ctx, group, kadm.TopicsSet{rawTopic: {0: {}}})
		if err != nil || dr.Error() != nil {
			t.Fatalf("DeleteOffsets: %v %v", err, dr.Error())
		}
		fr, err = adm.FetchOffsets(ctx, group)
		if err != nil {
			t.Fatalf("FetchOffsets: %v", err)
		}
		if o, ok := fr.Lookup(rawTopic, 0); ok && o.At >= 0 {
			t.Errorf("partition 0 after DeleteOffsets: %+v, want nothing committed", o)
		}
		if o, _ := fr.Lookup(rawTopic, 1); o.At != 11 {
			t.Errorf("partition 1 after deleting partition 0: %+v, want 11", o)
		}
		ls, err := adm.ListGroups(ctx)
		if err != nil || !slices.Contains(ls.Groups(), group) {
			t.Fatalf("ListGroups: %v %v", ls.Groups(), err)
		}
		if g := describeGroup(t, adm, group); g.State != "Empty" {
			t.Errorf("DescribeGroups: %s, want Empty", g.State)
		}
		del, err := adm.DeleteGroup(ctx, group)
		if err != nil || del.Err != nil {
			t.Fatalf("DeleteGroup: %v %v", err, del.Err)
		}
		ls, err = adm.ListGroups(ctx)
		if err != nil || slices.Contains(ls.Groups(), group) {
			t.Errorf("ListGroups after delete: %v %v", ls.Groups(), err)
		}
		fr, err = adm.FetchOffsets(ctx, group)
		if err != nil {
			t.Fatalf("FetchOffsets: %v", err)
		}
		if o, ok := fr.Lookup(rawTopic, 1); ok && o.At >= 0 {
			t.Errorf("offset %+v survived DeleteGroup", o)
		}
		again, err := adm.DeleteGroup(ctx, group)
		if err == nil && !errors.Is(again.Err, kerr.GroupIDNotFound) {
			t.Errorf("deleting a deleted group: %v, want GROUP_ID_NOT_FOUND", again.Err)
		}
	})
}
