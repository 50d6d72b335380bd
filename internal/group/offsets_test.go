package group

import (
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func commitReq(version int16, group, member string, gen int32, topic string, part int32, off int64) *kmsg.OffsetCommitRequest {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Version = version
	req.Group, req.MemberID, req.Generation = group, member, gen
	p := kmsg.NewOffsetCommitRequestTopicPartition()
	p.Partition, p.Offset, p.LeaderEpoch, p.Metadata = part, off, 3, strp("md")
	req.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: topic, Partitions: []kmsg.OffsetCommitRequestTopicPartition{p}}}
	return req
}

// commit commits as member m and returns the partition's code.
func commit(c *Coordinator, m *tm, version int16, topic string, part int32, off int64) int16 {
	req := commitReq(version, m.group, m.id, m.gen, topic, part, off)
	req.InstanceID = m.instance
	return c.OffsetCommit(req).Topics[0].Partitions[0].ErrorCode
}

// simpleCommit commits as a consumer without group membership.
func simpleCommit(c *Coordinator, group, topic string, part int32, off int64) int16 {
	return c.OffsetCommit(commitReq(8, group, "", -1, topic, part, off)).Topics[0].Partitions[0].ErrorCode
}

// fetch fetches (v8) one topic's partitions of group.
func fetch(c *Coordinator, group, topic string, parts ...int32) []kmsg.OffsetFetchResponseGroupTopicPartition {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Version = 8
	req.Groups = []kmsg.OffsetFetchRequestGroup{{Group: group, Topics: []kmsg.OffsetFetchRequestGroupTopic{{Topic: topic, Partitions: parts}}}}
	return c.OffsetFetch(req).Groups[0].Topics[0].Partitions
}

func wantFetched(t *testing.T, what string, p kmsg.OffsetFetchResponseGroupTopicPartition, off int64, epoch int32, md string) {
	t.Helper()
	if p.ErrorCode != 0 || p.Offset != off || p.LeaderEpoch != epoch || p.Metadata == nil || *p.Metadata != md {
		got := "<nil>"
		if p.Metadata != nil {
			got = *p.Metadata
		}
		t.Fatalf("%s: got offset %d epoch %d metadata %q code %s; want %d %d %q", what,
			p.Offset, p.LeaderEpoch, got, codeName(p.ErrorCode), off, epoch, md)
	}
}

func TestSimpleConsumerCommit(t *testing.T) {
	c, st := newTestCoordinator(t, nil)
	wantCode(t, "commit to a missing group", simpleCommit(c, "simple", "t", 2, 42), 0)
	if ev := st.takeEvents(); !slices.Equal(ev, []string{"commit simple t/2=42"}) {
		t.Fatalf("store events %q", ev)
	}
	d := describe(c, "simple")
	if d.ErrorCode != 0 || d.State != "Empty" || d.ProtocolType != "" {
		t.Fatalf("implicit group: %+v", d)
	}
	wantFetched(t, "committed", fetch(c, "simple", "t", 2)[0], 42, 3, "md")
	// Old versions without generation or member id commit the same way.
	wantCode(t, "v2 commit", c.OffsetCommit(commitReq(2, "simple", "", -1, "t", 2, 43)).Topics[0].Partitions[0].ErrorCode, 0)
	wantFetched(t, "recommitted", fetch(c, "simple", "t", 2)[0], 43, 3, "md")
	// Group "" is a valid group for offsets, as in Kafka.
	wantCode(t, "commit to group \"\"", simpleCommit(c, "", "t", 0, 1), 0)
	wantFetched(t, "group \"\"", fetch(c, "", "t", 0)[0], 1, 3, "md")
}

func TestFetchNothingCommitted(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	for _, p := range fetch(c, "missing", "t", 0, 1) {
		wantFetched(t, "missing group", p, -1, -1, "")
	}
	if d := describe(c, "missing"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatal("OffsetFetch created the group")
	}
	simpleCommit(c, "g", "t", 0, 5)
	ps := fetch(c, "g", "t", 0, 1)
	wantFetched(t, "committed", ps[0], 5, 3, "md")
	wantFetched(t, "not committed", ps[1], -1, -1, "")
	wantFetched(t, "other topic", fetch(c, "g", "u", 0)[0], -1, -1, "")

	// A commit without metadata is fetched as "".
	req := commitReq(8, "g", "", -1, "t", 1, 9)
	req.Topics[0].Partitions[0].Metadata = nil
	req.Topics[0].Partitions[0].LeaderEpoch = -1
	c.OffsetCommit(req)
	wantFetched(t, "nil metadata", fetch(c, "g", "t", 1)[0], 9, -1, "")
}

func TestCommitValidation(t *testing.T) {
	c, _ := newTestCoordinator(t, func(o *Options) {
		o.TopicExists = func(topic string, p int32) bool { return topic != "nope" && p < 10 }
	})
	m := newTM("g", "t")
	stableGroup(t, c, m)
	wantCode(t, "member commit", commit(c, m, 9, "t", 0, 100), 0)
	for _, tc := range []struct {
		name string
		req  func() *kmsg.OffsetCommitRequest
		want int16
	}{
		{"stale generation", func() *kmsg.OffsetCommitRequest { return commitReq(9, "g", m.id, m.gen-1, "t", 0, 1) }, kerr.IllegalGeneration.Code},
		{"unknown member", func() *kmsg.OffsetCommitRequest { return commitReq(9, "g", "nobody", m.gen, "t", 0, 1) }, kerr.UnknownMemberID.Code},
		{"simple commit to a live group", func() *kmsg.OffsetCommitRequest { return commitReq(9, "g", "", -1, "t", 0, 1) }, kerr.UnknownMemberID.Code},
		{"member of a missing group v8", func() *kmsg.OffsetCommitRequest { return commitReq(8, "missing", "x", 1, "t", 0, 1) }, kerr.IllegalGeneration.Code},
		{"member of a missing group v9", func() *kmsg.OffsetCommitRequest { return commitReq(9, "missing", "x", 1, "t", 0, 1) }, kerr.GroupIDNotFound.Code},
		{"unknown topic", func() *kmsg.OffsetCommitRequest { return commitReq(9, "g", m.id, m.gen, "nope", 0, 1) }, kerr.UnknownTopicOrPartition.Code},
		{"unknown partition", func() *kmsg.OffsetCommitRequest { return commitReq(9, "g", m.id, m.gen, "t", 10, 1) }, kerr.UnknownTopicOrPartition.Code},
		{"metadata too large", func() *kmsg.OffsetCommitRequest {
			r := commitReq(9, "g", m.id, m.gen, "t", 0, 1)
			r.Topics[0].Partitions[0].Metadata = strp(strings.Repeat("x", 4097))
			return r
		}, kerr.OffsetMetadataTooLarge.Code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, "commit", c.OffsetCommit(tc.req()).Topics[0].Partitions[0].ErrorCode, tc.want)
			wantFetched(t, "offset unchanged", fetch(c, "g", "t", 0)[0], 100, 3, "md")
		})
	}
	if d := describe(c, "missing"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatal("a rejected commit created a group")
	}
	r := commitReq(9, "g", m.id, m.gen, "t", 0, 101)
	r.Topics[0].Partitions[0].Metadata = strp(strings.Repeat("x", 4096))
	wantCode(t, "4096 bytes of metadata", c.OffsetCommit(r).Topics[0].Partitions[0].ErrorCode, 0)
}

func TestCommitStoreFailure(t *testing.T) {
	c, st := newTestCoordinator(t, nil)
	simpleCommit(c, "g", "t", 0, 1)
	st.setFail(errDisk)
	wantCode(t, "commit while the store fails", simpleCommit(c, "g", "t", 0, 2), kerr.CoordinatorNotAvailable.Code)
	wantFetched(t, "memory unchanged", fetch(c, "g", "t", 0)[0], 1, 3, "md")
	wantCode(t, "commit creating a group", simpleCommit(c, "new", "t", 0, 2), kerr.CoordinatorNotAvailable.Code)
	if d := describe(c, "new"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("failed commit left a group: %+v", d)
	}
	st.setFail(kerr.NotCoordinator)
	wantCode(t, "store's own code", simpleCommit(c, "g", "t", 0, 3), kerr.NotCoordinator.Code)
	st.setFail(nil)
	wantCode(t, "commit after recovery", simpleCommit(c, "g", "t", 0, 4), 0)
	wantFetched(t, "recovered", fetch(c, "g", "t", 0)[0], 4, 3, "md")
}

func TestOffsetFetchVersions(t *testing.T) {
	ids := map[string][16]byte{"t": {1}, "u": {2}}
	c, _ := newTestCoordinator(t, func(o *Options) {
		o.TopicID = func(name string) ([16]byte, bool) { id, ok := ids[name]; return id, ok }
		o.TopicName = func(id [16]byte) (string, bool) {
			for n, x := range ids {
				if x == id {
					return n, true
				}
			}
			return "", false
		}
	})
	simpleCommit(c, "a", "t", 0, 10)
	simpleCommit(c, "a", "t", 1, 11)
	simpleCommit(c, "a", "u", 0, 12)
	simpleCommit(c, "a", "gone", 0, 13) // a topic without an id
	simpleCommit(c, "b", "t", 0, 20)

	t.Run("v1 one group", func(t *testing.T) {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Version = 1
		req.Group = "a"
		req.Topics = []kmsg.OffsetFetchRequestTopic{{Topic: "t", Partitions: []int32{1, 5}}}
		resp := c.OffsetFetch(req)
		ps := resp.Topics[0].Partitions
		if resp.Topics[0].Topic != "t" || ps[0].Offset != 11 || ps[1].Offset != -1 || ps[1].ErrorCode != 0 {
			t.Fatalf("v1: %+v", resp.Topics)
		}
	})
	t.Run("v7 all topics", func(t *testing.T) {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Version = 7
		req.Group = "a"
		req.RequireStable = true
		resp := c.OffsetFetch(req)
		var got []string
		for _, tp := range resp.Topics {
			for _, p := range tp.Partitions {
				got = append(got, tp.Topic+"/"+string(rune('0'+p.Partition)))
			}
		}
		if want := []string{"gone/0", "t/0", "t/1", "u/0"}; !slices.Equal(got, want) {
			t.Fatalf("all partitions %v, want %v", got, want)
		}
	})
	t.Run("v8 several groups", func(t *testing.T) {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Version = 8
		req.Groups = []kmsg.OffsetFetchRequestGroup{
			{Group: "a", Topics: []kmsg.OffsetFetchRequestGroupTopic{{Topic: "u", Partitions: []int32{0}}}},
			{Group: "b"},
			{Group: "missing"},
		}
		resp := c.OffsetFetch(req)
		if len(resp.Groups) != 3 || resp.Groups[0].Topics[0].Partitions[0].Offset != 12 ||
			len(resp.Groups[1].Topics) != 1 || resp.Groups[1].Topics[0].Partitions[0].Offset != 20 ||
			resp.Groups[2].ErrorCode != 0 || len(resp.Groups[2].Topics) != 0 {
			t.Fatalf("v8: %+v", resp.Groups)
		}
	})
	t.Run("v10 topic ids", func(t *testing.T) {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Version = 10
		req.Groups = []kmsg.OffsetFetchRequestGroup{
			{Group: "a", Topics: []kmsg.OffsetFetchRequestGroupTopic{{TopicID: ids["t"], Partitions: []int32{0}}, {TopicID: [16]byte{9}, Partitions: []int32{0}}}},
			{Group: "a"},
		}
		resp := c.OffsetFetch(req)
		g := resp.Groups[0]
		if g.Topics[0].TopicID != ids["t"] || g.Topics[0].Partitions[0].Offset != 10 ||
			g.Topics[1].Partitions[0].ErrorCode != kerr.UnknownTopicID.Code {
			t.Fatalf("v10 by id: %+v", g.Topics)
		}
		all := resp.Groups[1].Topics
		if len(all) != 2 || all[0].TopicID != ids["t"] || all[1].TopicID != ids["u"] {
			t.Fatalf("v10 all topics: %+v", all)
		}
	})
	t.Run("v10 commit by id", func(t *testing.T) {
		req := commitReq(10, "a", "", -1, "", 0, 99)
		req.Topics[0].TopicID = ids["u"]
		req.Topics = append(req.Topics, kmsg.OffsetCommitRequestTopic{TopicID: [16]byte{9}, Partitions: req.Topics[0].Partitions})
		resp := c.OffsetCommit(req)
		wantCode(t, "known id", resp.Topics[0].Partitions[0].ErrorCode, 0)
		wantCode(t, "unknown id", resp.Topics[1].Partitions[0].ErrorCode, kerr.UnknownTopicID.Code)
		if resp.Topics[0].TopicID != ids["u"] {
			t.Fatal("response topic id not echoed")
		}
		wantFetched(t, "committed by id", fetch(c, "a", "u", 0)[0], 99, 3, "md")
	})
}

func TestOffsetDelete(t *testing.T) {
	c, st := newTestCoordinator(t, nil)
	m := newTM("g", "sub")
	stableGroup(t, c, m)
	wantCode(t, "commit sub", commit(c, m, 9, "sub", 0, 1), 0)
	wantCode(t, "commit other", commit(c, m, 9, "other", 0, 2), 0)
	st.takeEvents()

	del := func(group string, topics ...string) *kmsg.OffsetDeleteResponse {
		req := kmsg.NewPtrOffsetDeleteRequest()
		req.Group = group
		for _, tp := range topics {
			req.Topics = append(req.Topics, kmsg.OffsetDeleteRequestTopic{Topic: tp, Partitions: []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 0}}})
		}
		return c.OffsetDelete(req)
	}
	resp := del("g", "sub", "other")
	wantCode(t, "group", resp.ErrorCode, 0)
	wantCode(t, "subscribed topic", resp.Topics[0].Partitions[0].ErrorCode, kerr.GroupSubscribedToTopic.Code)
	wantCode(t, "other topic", resp.Topics[1].Partitions[0].ErrorCode, 0)
	if ev := st.takeEvents(); !slices.Equal(ev, []string{"delete-offset g other/0"}) {
		t.Fatalf("store events %q", ev)
	}
	wantFetched(t, "kept", fetch(c, "g", "sub", 0)[0], 1, 3, "md")
	wantFetched(t, "deleted", fetch(c, "g", "other", 0)[0], -1, -1, "")

	wantCode(t, "missing group", del("missing", "t").ErrorCode, kerr.GroupIDNotFound.Code)
	wantCode(t, "group \"\"", del("", "t").ErrorCode, kerr.InvalidGroupID.Code)

	// A live group of another protocol type cannot tell what it uses.
	x := newTM("connect", "t")
	stableGroupOfType(t, c, x, "connect")
	wantCode(t, "non-consumer live group", del("connect", "t").ErrorCode, kerr.NonEmptyGroup.Code)

	simpleCommit(c, "s", "t", 0, 1)
	st.setFail(errDisk)
	wantCode(t, "store failure", del("s", "t").ErrorCode, kerr.CoordinatorNotAvailable.Code)
	st.setFail(nil)
	wantFetched(t, "kept after failed delete", fetch(c, "s", "t", 0)[0], 1, 3, "md")
}

// stableGroupOfType makes a one-member Stable group of a protocol type
// other than "consumer".
func stableGroupOfType(t *testing.T, c *Coordinator, m *tm, protocolType string) {
	t.Helper()
	getMemberID(t, c, m)
	req := m.joinReq()
	req.ProtocolType = protocolType
	resp := c.JoinGroup(t.Context(), req, "c", "h")
	applyJoin(t, m, resp)
	s := syncReq(m, map[string][]byte{m.id: {1}})
	s.ProtocolType = &protocolType
	wantCode(t, "sync", c.SyncGroup(t.Context(), s).ErrorCode, 0)
}

func TestCommitOfUnknownTopicsCreatesNoGroup(t *testing.T) {
	c, st := newTestCoordinator(t, func(o *Options) { o.TopicExists = func(string, int32) bool { return false } })
	wantCode(t, "commit", simpleCommit(c, "g", "t", 0, 1), kerr.UnknownTopicOrPartition.Code)
	if d := describe(c, "g"); d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("group created: %+v", d)
	}
	if ev := st.takeEvents(); len(ev) != 0 {
		t.Fatalf("store events %q", ev)
	}
}
