package kafka_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// Error cases and edge answers of the admin APIs, on the wire.

func adminConn(t *testing.T) *rawConn {
	t.Helper()
	b := samsatest.Start(t)
	c := dial(t, b.Addr())
	createTopic(t, c, "admin", 2)
	return c
}

func wantError(t *testing.T, what string, got int16, want *kerr.Error) {
	t.Helper()
	if got != want.Code {
		t.Errorf("%s: %v, want %s", what, kerr.ErrorForCode(got), want.Message)
	}
}

func TestOffsetForLeaderEpochAnswers(t *testing.T) {
	c := adminConn(t)
	for range 3 {
		if code, _ := produceCode(t, c, "admin", plainBatch(t, 4)); code != 0 {
			t.Fatal(kerr.ErrorForCode(code))
		}
	}
	cases := []struct {
		name           string
		topic          string
		partition      int32
		current, epoch int32
		code           *kerr.Error
		wantEpoch      int32
		wantEnd        int64
	}{
		{"current epoch ends at the log end", "admin", 0, 0, 0, nil, 0, 12},
		{"no current epoch given", "admin", 0, -1, 0, nil, 0, 12},
		{"empty partition", "admin", 1, 0, 0, nil, 0, 0},
		{"later epoch is unknown", "admin", 0, -1, 3, nil, -1, -1},
		{"undefined epoch", "admin", 0, -1, -1, nil, -1, -1},
		{"epoch before the log", "admin", 0, -1, -4, nil, -4, 0},
		{"client's epoch is newer", "admin", 0, 1, 0, kerr.UnknownLeaderEpoch, -1, -1},
		{"client's epoch is older", "admin", 0, -5, 0, kerr.FencedLeaderEpoch, -1, -1},
		{"unknown topic", "nope", 0, 0, 0, kerr.UnknownTopicOrPartition, -1, -1},
		{"unknown partition", "admin", 2, 0, 0, kerr.UnknownTopicOrPartition, -1, -1},
		{"negative partition", "admin", -1, 0, 0, kerr.UnknownTopicOrPartition, -1, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := c.roundTrip(offsetForEpochReq(tc.topic, tc.partition, tc.current, tc.epoch), 4).(*kmsg.OffsetForLeaderEpochResponse)
			p := resp.Topics[0].Partitions[0]
			want := int16(0)
			if tc.code != nil {
				want = tc.code.Code
			}
			if p.ErrorCode != want || p.LeaderEpoch != tc.wantEpoch || p.EndOffset != tc.wantEnd {
				t.Fatalf("error %v epoch %d end %d, want %v %d %d", kerr.ErrorForCode(p.ErrorCode), p.LeaderEpoch, p.EndOffset,
					kerr.ErrorForCode(want), tc.wantEpoch, tc.wantEnd)
			}
		})
	}
}

func TestDescribeLogDirsFilters(t *testing.T) {
	c := adminConn(t)
	createTopic(t, c, "other", 1)
	if code, _ := produceCode(t, c, "admin", plainBatch(t, 3)); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	describe := func(topics []kmsg.DescribeLogDirsRequestTopic) map[string][]kmsg.DescribeLogDirsResponseDirTopicPartition {
		t.Helper()
		req := kmsg.NewPtrDescribeLogDirsRequest()
		req.Topics = topics
		resp := c.roundTrip(req, 4).(*kmsg.DescribeLogDirsResponse)
		if len(resp.Dirs) != 1 || resp.Dirs[0].ErrorCode != 0 {
			t.Fatalf("dirs %+v", resp.Dirs)
		}
		out := map[string][]kmsg.DescribeLogDirsResponseDirTopicPartition{}
		for _, rt := range resp.Dirs[0].Topics {
			out[rt.Topic] = rt.Partitions
		}
		return out
	}
	all := describe(nil)
	if len(all) != 2 || len(all["admin"]) != 2 || len(all["other"]) != 1 {
		t.Fatalf("null topics: %+v, want every partition", all)
	}
	for _, p := range all["admin"] {
		if (p.Partition == 0) != (p.Size > 0) || p.OffsetLag != 0 || p.IsFuture {
			t.Errorf("admin/%d: %+v; only partition 0 has data", p.Partition, p)
		}
	}
	some := describe([]kmsg.DescribeLogDirsRequestTopic{
		{Topic: "admin", Partitions: []int32{1, 7}},
		{Topic: "other", Partitions: []int32{5}},
		{Topic: "missing", Partitions: []int32{0}},
	})
	if len(some) != 1 || len(some["admin"]) != 1 || some["admin"][0].Partition != 1 {
		t.Fatalf("filtered: %+v, want only admin/1", some)
	}
	if none := describe([]kmsg.DescribeLogDirsRequestTopic{}); len(none) != 0 {
		t.Fatalf("empty topics: %+v, want none", none)
	}
}

func TestElectLeadersAnswers(t *testing.T) {
	c := adminConn(t)
	unclean := c.roundTrip(electReq(1, "admin", 1, 5), 2).(*kmsg.ElectLeadersResponse)
	ps := unclean.Topics[0].Partitions
	wantError(t, "unclean election", ps[0].ErrorCode, kerr.ElectionNotNeeded)
	wantError(t, "unknown partition", ps[1].ErrorCode, kerr.UnknownTopicOrPartition)

	missing := c.roundTrip(electReq(0, "missing", 0), 2).(*kmsg.ElectLeadersResponse)
	wantError(t, "unknown topic", missing.Topics[0].Partitions[0].ErrorCode, kerr.UnknownTopicOrPartition)

	bad := c.roundTrip(electReq(2, "admin", 0), 2).(*kmsg.ElectLeadersResponse)
	wantError(t, "election type 2 (top level)", bad.ErrorCode, kerr.InvalidRequest)
	wantError(t, "election type 2 (partition)", bad.Topics[0].Partitions[0].ErrorCode, kerr.InvalidRequest)

	req := electReq(0, "")
	req.Topics = nil
	all := c.roundTrip(req, 2).(*kmsg.ElectLeadersResponse)
	if all.ErrorCode != 0 || len(all.Topics) != 1 || all.Topics[0].Topic != "admin" || len(all.Topics[0].Partitions) != 0 {
		t.Fatalf("all partitions: %+v, want admin listed without the partitions that need no election", all.Topics)
	}
}

func TestAlterPartitionReassignmentsRefuses(t *testing.T) {
	c := adminConn(t)
	cases := []struct {
		name     string
		topic    string
		part     int32
		replicas []int32
		want     *kerr.Error
	}{
		{"another broker", "admin", 0, []int32{2}, kerr.InvalidReplicaAssignment},
		{"this node and another", "admin", 0, []int32{1, 2}, kerr.InvalidReplicaAssignment},
		{"this node twice", "admin", 0, []int32{1, 1}, kerr.InvalidReplicaAssignment},
		{"no replicas", "admin", 0, []int32{}, kerr.InvalidReplicaAssignment},
		{"cancel with nothing ongoing", "admin", 0, nil, kerr.NoReassignmentInProgress},
		{"unknown topic", "missing", 0, []int32{1}, kerr.UnknownTopicOrPartition},
		{"unknown partition", "admin", 2, []int32{1}, kerr.UnknownTopicOrPartition},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := c.roundTrip(reassignReq(tc.topic, tc.part, tc.replicas), 1).(*kmsg.AlterPartitionAssignmentsResponse)
			p := resp.Topics[0].Partitions[0]
			wantError(t, tc.name, p.ErrorCode, tc.want)
			if p.ErrorMessage == nil {
				t.Error("no error message")
			}
		})
	}
	req := kmsg.NewPtrListPartitionReassignmentsRequest()
	req.Topics = []kmsg.ListPartitionReassignmentsRequestTopic{{Topic: "admin", Partitions: []int32{0}}, {Topic: "missing", Partitions: []int32{0}}}
	if resp := c.roundTrip(req, 0).(*kmsg.ListPartitionReassignmentsResponse); resp.ErrorCode != 0 || len(resp.Topics) != 0 {
		t.Fatalf("list after refusals: %+v", resp)
	}
}

func strp(s string) *string { return &s }

func removeQuota(key string) kmsg.AlterClientQuotasRequestEntryOp {
	op := kmsg.NewAlterClientQuotasRequestEntryOp()
	op.Key, op.Remove = key, true
	return op
}

func TestAlterClientQuotasRefuses(t *testing.T) {
	c := adminConn(t)
	userAndIP := quotaEntry("user", strp("u"), setQuota("producer_byte_rate", 1))
	userAndIP.Entity = append(userAndIP.Entity, kmsg.AlterClientQuotasRequestEntryEntity{Type: "ip", Name: strp("10.0.0.1")})
	twoUsers := quotaEntry("user", strp("u"), setQuota("producer_byte_rate", 1))
	twoUsers.Entity = append(twoUsers.Entity, kmsg.AlterClientQuotasRequestEntryEntity{Type: "user", Name: strp("v")})
	noEntity := quotaEntry("user", nil, setQuota("producer_byte_rate", 1))
	noEntity.Entity = nil
	cases := []struct {
		name  string
		entry kmsg.AlterClientQuotasRequestEntry
	}{
		{"no entity", noEntity},
		{"unknown entity type", quotaEntry("group", strp("g"), setQuota("producer_byte_rate", 1))},
		{"type twice", twoUsers},
		{"empty name", quotaEntry("client-id", strp(""), setQuota("producer_byte_rate", 1))},
		{"ip with user", userAndIP},
		{"ip neither address nor host", quotaEntry("ip", strp("not a host!"), setQuota("connection_creation_rate", 1))},
		{"unknown key", quotaEntry("user", strp("u"), setQuota("fetch_rate", 1))},
		{"ip key on a user", quotaEntry("user", strp("u"), setQuota("connection_creation_rate", 1))},
		{"user key on an ip", quotaEntry("ip", nil, setQuota("producer_byte_rate", 1))},
		{"zero", quotaEntry("user", strp("u"), setQuota("consumer_byte_rate", 0))},
		{"negative", quotaEntry("user", strp("u"), setQuota("request_percentage", -1))},
		{"fraction of a byte", quotaEntry("user", strp("u"), setQuota("producer_byte_rate", 1.5))},
		{"int overflow", quotaEntry("ip", strp("::1"), setQuota("connection_creation_rate", math.MaxInt32+1))},
		{"not a number", quotaEntry("user", strp("u"), setQuota("request_percentage", math.NaN()))},
		{"key twice", quotaEntry("user", strp("u"), setQuota("producer_byte_rate", 1), removeQuota("producer_byte_rate"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := alterQuotas(t, c, 1, tc.entry)
			wantError(t, tc.name, got[0].ErrorCode, kerr.InvalidRequest)
			if got[0].ErrorMessage == nil {
				t.Error("no error message")
			}
		})
	}
	if resp := describeQuotas(t, c, 1, false); len(resp.Entries) != 0 {
		t.Fatalf("refused alterations stored %+v", resp.Entries)
	}
}

func TestAlterClientQuotasApplies(t *testing.T) {
	c := adminConn(t)
	alice := quotaEntry("user", strp("alice"), setQuota("producer_byte_rate", 1024), setQuota("controller_mutation_rate", 0.5))
	got := alterQuotas(t, c, 1,
		alice,
		quotaEntry("ip", nil, setQuota("connection_creation_rate", 10)),
		quotaEntry("ip", strp("127.0.0.1"), setQuota("connection_creation_rate", 20)),
		quotaEntry("user", strp("alice"), setQuota("consumer_byte_rate", 1)), // repeated entity
		quotaEntry("user", strp("bad"), setQuota("nope", 1)),
	)
	for i, want := range []int16{0, 0, 0, kerr.InvalidRequest.Code, kerr.InvalidRequest.Code} {
		if got[i].ErrorCode != want {
			t.Errorf("entry %d: %v, want %v", i, kerr.ErrorForCode(got[i].ErrorCode), kerr.ErrorForCode(want))
		}
	}
	users := describeQuotas(t, c, 1, false, quotaComponent("user", 2, nil))
	if len(users.Entries) != 1 || len(users.Entries[0].Values) != 2 {
		t.Fatalf("users: %+v, want alice alone with her two values (the repeat not applied)", users.Entries)
	}

	validate := kmsg.NewPtrAlterClientQuotasRequest()
	validate.ValidateOnly = true
	validate.Entries = append(validate.Entries, quotaEntry("user", strp("bob"), setQuota("producer_byte_rate", 1)))
	if resp := c.roundTrip(validate, 1).(*kmsg.AlterClientQuotasResponse); resp.Entries[0].ErrorCode != 0 {
		t.Fatal(kerr.ErrorForCode(resp.Entries[0].ErrorCode))
	}
	if bob := describeQuotas(t, c, 1, false, quotaComponent("user", 0, strp("bob"))); len(bob.Entries) != 0 {
		t.Fatalf("validate-only stored %+v", bob.Entries)
	}

	got = alterQuotas(t, c, 1, quotaEntry("user", strp("alice"), removeQuota("producer_byte_rate"), removeQuota("controller_mutation_rate"), removeQuota("never-set")))
	wantCode(t, "remove", got[0].ErrorCode)
	if left := describeQuotas(t, c, 1, false, quotaComponent("user", 0, strp("alice"))); len(left.Entries) != 0 {
		t.Fatalf("alice after removing every value: %+v", left.Entries)
	}
}

func TestDescribeClientQuotasFilters(t *testing.T) {
	c := adminConn(t)
	userClient := quotaEntry("user", strp("u1"), setQuota("producer_byte_rate", 3))
	userClient.Entity = append(userClient.Entity, kmsg.AlterClientQuotasRequestEntryEntity{Type: "client-id"})
	got := alterQuotas(t, c, 1,
		quotaEntry("user", strp("u1"), setQuota("producer_byte_rate", 1)),
		quotaEntry("user", nil, setQuota("producer_byte_rate", 2)),
		userClient,
		quotaEntry("ip", strp("10.1.1.1"), setQuota("connection_creation_rate", 4)),
	)
	for i := range got {
		wantCode(t, "alter", got[i].ErrorCode)
	}
	count := func(strict bool, comps ...kmsg.DescribeClientQuotasRequestComponent) int {
		t.Helper()
		resp := describeQuotas(t, c, 1, strict, comps...)
		if resp.ErrorCode != 0 {
			t.Fatalf("describe: %v", kerr.ErrorForCode(resp.ErrorCode))
		}
		return len(resp.Entries)
	}
	for _, tc := range []struct {
		name   string
		strict bool
		comps  []kmsg.DescribeClientQuotasRequestComponent
		want   int
	}{
		{"everything", false, nil, 4},
		{"strict nothing", true, nil, 0},
		{"exact user", false, []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 0, strp("u1"))}, 2},
		{"exact user, strict", true, []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 0, strp("u1"))}, 1},
		{"default user", false, []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 1, nil)}, 1},
		{"any user", false, []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 2, nil)}, 3},
		{"user with default client", false, []kmsg.DescribeClientQuotasRequestComponent{
			quotaComponent("user", 2, nil), quotaComponent("client-id", 1, nil)}, 1},
		{"any ip", false, []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("ip", 2, nil)}, 1},
	} {
		if n := count(tc.strict, tc.comps...); n != tc.want {
			t.Errorf("%s: %d entries, want %d", tc.name, n, tc.want)
		}
	}

	for _, tc := range []struct {
		name  string
		comps []kmsg.DescribeClientQuotasRequestComponent
		want  *kerr.Error
	}{
		{"empty type", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("", 2, nil)}, kerr.InvalidRequest},
		{"unknown type", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("group", 2, nil)}, kerr.UnsupportedVersion},
		{"type twice", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 2, nil), quotaComponent("user", 1, nil)}, kerr.InvalidRequest},
		{"exact without a name", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 0, nil)}, kerr.InvalidRequest},
		{"default with a name", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 1, strp("u1"))}, kerr.InvalidRequest},
		{"any with a name", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 2, strp("u1"))}, kerr.InvalidRequest},
		{"unknown match type", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("user", 7, nil)}, kerr.InvalidRequest},
		{"ip with user", []kmsg.DescribeClientQuotasRequestComponent{quotaComponent("ip", 2, nil), quotaComponent("user", 2, nil)}, kerr.InvalidRequest},
	} {
		resp := describeQuotas(t, c, 1, false, tc.comps...)
		wantError(t, tc.name, resp.ErrorCode, tc.want)
		if resp.ErrorMessage == nil || resp.Entries != nil {
			t.Errorf("%s: message %v, entries %+v; want a message and null entries", tc.name, resp.ErrorMessage, resp.Entries)
		}
	}
}

func TestListConfigResourcesTypes(t *testing.T) {
	c := adminConn(t)
	list := func(types ...int8) *kmsg.ListConfigResourcesResponse {
		req := kmsg.NewPtrListConfigResourcesRequest()
		req.ResourceTypes = types
		return c.roundTrip(req, 1).(*kmsg.ListConfigResourcesResponse)
	}
	if resp := list(2); resp.ErrorCode != 0 || len(resp.ConfigResources) != 1 || resp.ConfigResources[0].Name != "admin" {
		t.Errorf("topics: %+v", resp)
	}
	if resp := list(8, 16, 32); resp.ErrorCode != 0 || len(resp.ConfigResources) != 0 {
		t.Errorf("broker loggers, client metrics and groups: %+v, want none", resp)
	}
	if resp := list(); resp.ErrorCode != 0 || len(resp.ConfigResources) != 2 {
		t.Errorf("all types: %+v, want the topic and the broker", resp)
	}
	if resp := list(2, 3); resp.ErrorCode != kerr.UnsupportedVersion.Code || len(resp.ConfigResources) != 0 {
		t.Errorf("unknown type 3: %+v, want UNSUPPORTED_VERSION", resp)
	}
}

func TestDescribeTopicPartitionsPages(t *testing.T) {
	c := adminConn(t)
	createTopic(t, c, "five", 5)
	createTopic(t, c, "zz", 1)
	describe := func(req *kmsg.DescribeTopicPartitionsRequest) *kmsg.DescribeTopicPartitionsResponse {
		t.Helper()
		return c.roundTrip(req, 0).(*kmsg.DescribeTopicPartitionsResponse)
	}
	// All topics (admin 2, five 5, zz 1), three partitions per page.
	var pages [][]string
	var cursor *kmsg.DescribeTopicPartitionsRequestCursor
	for range 5 {
		resp := describe(describePartitionsReq(3, cursor))
		var page []string
		for _, rt := range resp.Topics {
			for _, p := range rt.Partitions {
				page = append(page, fmt.Sprintf("%s/%d", *rt.Topic, p.Partition))
			}
		}
		pages = append(pages, page)
		if resp.NextCursor == nil {
			break
		}
		cursor = &kmsg.DescribeTopicPartitionsRequestCursor{Topic: resp.NextCursor.Topic, Partition: resp.NextCursor.Partition}
	}
	want := [][]string{{"admin/0", "admin/1", "five/0"}, {"five/1", "five/2", "five/3"}, {"five/4", "zz/0"}}
	if len(pages) != len(want) {
		t.Fatalf("pages %v, want %v", pages, want)
	}
	for i := range want {
		if len(pages[i]) != len(want[i]) || (len(want[i]) > 0 && pages[i][0] != want[i][0]) || pages[i][len(pages[i])-1] != want[i][len(want[i])-1] {
			t.Errorf("page %d: %v, want %v", i, pages[i], want[i])
		}
	}

	// Unknown and illegal names take none of the limit; a repeated name is
	// described once; the limit ends inside five.
	resp := describe(describePartitionsReq(3, nil, "zz", "missing", "admin", "bad name!", "admin", "five"))
	var names []string
	for _, rt := range resp.Topics {
		names = append(names, fmt.Sprintf("%s:%d", *rt.Topic, len(rt.Partitions)))
	}
	if got := strings.Join(names, " "); got != "admin:2 bad name!:0 five:1" {
		t.Errorf("topics %s, want admin:2 bad name!:0 five:1", got)
	}
	if resp.NextCursor == nil || resp.NextCursor.Topic != "five" || resp.NextCursor.Partition != 1 {
		t.Errorf("cursor %+v, want five/1", resp.NextCursor)
	}
	if len(resp.Topics) == 3 {
		wantError(t, "illegal name", resp.Topics[1].ErrorCode, kerr.InvalidTopicException)
	}

	// The limit between topics: the cursor is the next topic's first partition.
	between := describe(describePartitionsReq(2, nil, "admin", "five"))
	if between.NextCursor == nil || between.NextCursor.Topic != "five" || between.NextCursor.Partition != 0 || len(between.Topics) != 1 {
		t.Errorf("topics %d, cursor %+v; want admin alone, then five/0", len(between.Topics), between.NextCursor)
	}

	unknown := describe(describePartitionsReq(10, nil, "missing"))
	wantError(t, "unknown topic", unknown.Topics[0].ErrorCode, kerr.UnknownTopicOrPartition)

	stray := describe(describePartitionsReq(10, &kmsg.DescribeTopicPartitionsRequestCursor{Topic: "zz"}, "admin", "five"))
	for _, rt := range stray.Topics {
		wantError(t, "cursor topic not asked for", rt.ErrorCode, kerr.InvalidRequest)
	}
	negative := describe(describePartitionsReq(10, &kmsg.DescribeTopicPartitionsRequestCursor{Topic: "admin", Partition: -1}, "admin"))
	wantError(t, "negative cursor partition", negative.Topics[0].ErrorCode, kerr.InvalidRequest)
}
