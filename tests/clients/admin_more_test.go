package clients

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
)

// The admin APIs about leaders, replicas, log directories and client
// quotas, through kadm and Sarama's ClusterAdmin: what a single-replica
// Kafka 4 cluster answers.

func newSaramaAdmin(t *testing.T, addr string) sarama.ClusterAdmin {
	t.Helper()
	adm, err := sarama.NewClusterAdmin([]string{addr}, saramaConfig(sarama.CompressionNone))
	if err != nil {
		t.Fatalf("NewClusterAdmin: %v", err)
	}
	t.Cleanup(func() { adm.Close() })
	return adm
}

func TestAdminOffsetForLeaderEpoch(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	createTopic(t, adm, "epochs", 2, nil)
	rs := genRecords(21, 40, 1, time.UnixMilli(1_700_000_000_000))
	produceKgo(t, newClient(t, b.Addr()), "epochs", rs)

	got, err := adm.OffsetForLeaderEpoch(testContext(t), kadm.OffsetForLeaderEpochRequest{"epochs": {0: 0, 1: 7}})
	if err != nil {
		t.Fatalf("OffsetForLeaderEpoch: %v", err)
	}
	if e := got["epochs"][0]; e.Err != nil || e.LeaderEpoch != 0 || e.EndOffset != int64(len(rs)) {
		t.Errorf("epoch 0: %+v, want epoch 0 ending at %d", e, len(rs))
	}
	if e := got["epochs"][1]; e.Err != nil || e.LeaderEpoch != -1 || e.EndOffset != -1 {
		t.Errorf("epoch 7 (never was): %+v, want -1/-1", e)
	}

	unknown, err := adm.OffsetForLeaderEpoch(testContext(t), kadm.OffsetForLeaderEpochRequest{"no-such-topic": {0: 0}})
	if err == nil {
		err = unknown["no-such-topic"][0].Err
	}
	if !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Errorf("unknown topic: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
	}
}

// countRequests is a kgo hook counting the requests written, by key.
type countRequests struct{ n [100]atomic.Int32 }

func (c *countRequests) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if err == nil && int(key) < len(c.n) {
		c.n[key].Add(1)
	}
}

// TestKgoValidatesCommittedEpoch: a kgo group consumer resuming from an
// offset committed with a leader epoch checks it with OffsetForLeaderEpoch
// first. An offset inside epoch 0 is used as is; one past the end of epoch
// 0 is data loss, and kgo resets to the end of the epoch (not to the start,
// which is where OFFSET_OUT_OF_RANGE would have sent it).
func TestKgoValidatesCommittedEpoch(t *testing.T) {
	t.Parallel()
	b, adm := startGroupBroker(t)
	const topic = "epoch-resume"
	createTopic(t, adm, topic, 1, nil)
	rs := genRecords(22, 30, 1, time.UnixMilli(1_700_000_000_000))
	produceKgo(t, newClient(t, b.Addr()), topic, rs)

	resume := func(group string, committed int64) (*kgo.Client, *countRequests) {
		t.Helper()
		var os kadm.Offsets
		os.Add(kadm.Offset{Topic: topic, Partition: 0, At: committed, LeaderEpoch: 0})
		if resp, err := adm.CommitOffsets(testContext(t), group, os); err != nil || resp.Error() != nil {
			t.Fatalf("committing %d: %v %v", committed, err, resp.Error())
		}
		hook := new(countRequests)
		return newClient(t, b.Addr(), append(groupOpts(group, topic), kgo.WithHooks(hook))...), hook
	}

	cl, hook := resume("epoch-inside", 12)
	first := pollRecords(t, cl, 1)[0]
	if first.Offset != 12 || first.LeaderEpoch != 0 {
		t.Errorf("resumed at %d (epoch %d), want 12 in epoch 0", first.Offset, first.LeaderEpoch)
	}
	if hook.n[23].Load() == 0 {
		t.Error("kgo did not validate the committed epoch with OffsetForLeaderEpoch")
	}

	cl, _ = resume("epoch-past-end", 1000)
	lossSeen := false
	waitFor(t, "data loss reported", func() error {
		ctx, cancel := context.WithTimeout(testContext(t), 200*time.Millisecond)
		defer cancel()
		fs := cl.PollFetches(ctx)
		fs.EachError(func(_ string, _ int32, err error) {
			var loss *kgo.ErrDataLoss
			if errors.As(err, &loss) && loss.ResetTo == int64(len(rs)) {
				lossSeen = true
			}
		})
		if n := len(fs.Records()); n > 0 {
			t.Fatalf("consumed %d old records after data loss; want a reset to the epoch end", n)
		}
		if !lossSeen {
			return errors.New("no ErrDataLoss resetting to the log end")
		}
		return nil
	})
	more := genRecords(23, 1, 1, time.UnixMilli(1_700_000_100_000))
	more[0].Offset = int64(len(rs))
	produceKgo(t, newClient(t, b.Addr()), topic, more)
	if r := pollRecords(t, cl, 1)[0]; r.Offset != int64(len(rs)) {
		t.Errorf("after the reset consumed offset %d, want %d", r.Offset, len(rs))
	}
}

func TestAdminDescribeLogDirs(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	createTopic(t, adm, "dirs-a", 2, nil)
	createTopic(t, adm, "dirs-b", 1, nil)
	produceKgo(t, newClient(t, b.Addr()), "dirs-a", genRecords(24, 20, 1, time.UnixMilli(1_700_000_000_000)))

	all, err := adm.DescribeAllLogDirs(testContext(t), nil)
	if err != nil {
		t.Fatalf("DescribeAllLogDirs: %v", err)
	}
	dirs := all.Sorted()
	if len(dirs) != 1 || dirs[0].Err != nil || !filepath.IsAbs(dirs[0].Dir) {
		t.Fatalf("log dirs %+v, want one absolute directory", dirs)
	}
	d := dirs[0]
	if d.TotalBytes <= 0 || d.UsableBytes < 0 || d.UsableBytes > d.TotalBytes {
		t.Errorf("volume total %d usable %d", d.TotalBytes, d.UsableBytes)
	}
	if p, ok := d.Topics.Lookup("dirs-a", 0); !ok || p.Size <= 0 || p.OffsetLag != 0 || p.IsFuture {
		t.Errorf("dirs-a/0: %+v %v, want a non-empty current log", p, ok)
	}
	if p, ok := d.Topics.Lookup("dirs-a", 1); !ok || p.Size != 0 {
		t.Errorf("dirs-a/1: %+v %v, want an empty log", p, ok)
	}
	if _, ok := d.Topics.Lookup("dirs-b", 0); !ok {
		t.Error("dirs-b/0 missing from the full listing")
	}

	var some kadm.TopicsSet
	some.Add("dirs-b", 0)
	some.Add("no-such-topic", 0)
	some.Add("dirs-a", 9)
	one, err := adm.DescribeBrokerLogDirs(testContext(t), 1, some)
	if err != nil {
		t.Fatalf("DescribeBrokerLogDirs: %v", err)
	}
	for _, dir := range one {
		if len(dir.Topics) != 1 || len(dir.Topics["dirs-b"]) != 1 {
			t.Errorf("filtered topics %+v, want only dirs-b/0 (unknown ones left out)", dir.Topics)
		}
	}

	sa := newSaramaAdmin(t, b.Addr())
	byBroker, err := sa.DescribeLogDirs([]int32{1})
	if err != nil {
		t.Fatalf("Sarama DescribeLogDirs: %v", err)
	}
	sdirs := byBroker[1]
	if len(sdirs) != 1 || !errors.Is(sdirs[0].ErrorCode, sarama.ErrNoError) || sdirs[0].Path != d.Dir || len(sdirs[0].Topics) != 2 {
		t.Fatalf("Sarama log dirs %+v, want %s with both topics", sdirs, d.Dir)
	}
}

func TestAdminElectLeaders(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	createTopic(t, adm, "elect", 2, nil)
	var set kadm.TopicsSet
	set.Add("elect", 0, 1, 5)
	set.Add("no-such-topic", 0)
	for _, how := range []kadm.ElectLeadersHow{kadm.ElectPreferredReplica, kadm.ElectLiveReplica} {
		res, err := adm.ElectLeaders(testContext(t), how, set)
		if err != nil {
			t.Fatalf("ElectLeaders(%d): %v", how, err)
		}
		for _, p := range []int32{0, 1} {
			if r := res["elect"][p]; !errors.Is(r.Err, kerr.ElectionNotNeeded) {
				t.Errorf("election %d on elect/%d: %v, want ELECTION_NOT_NEEDED", how, p, r.Err)
			}
		}
		if r := res["elect"][5]; !errors.Is(r.Err, kerr.UnknownTopicOrPartition) {
			t.Errorf("elect/5: %v, want UNKNOWN_TOPIC_OR_PARTITION", r.Err)
		}
		if r := res["no-such-topic"][0]; !errors.Is(r.Err, kerr.UnknownTopicOrPartition) {
			t.Errorf("unknown topic: %v, want UNKNOWN_TOPIC_OR_PARTITION", r.Err)
		}
	}
	all, err := adm.ElectLeaders(testContext(t), kadm.ElectPreferredReplica, nil)
	if err != nil {
		t.Fatalf("ElectLeaders(all): %v", err)
	}
	for topic, ps := range all {
		if len(ps) != 0 {
			t.Errorf("all partitions: %s has %+v; partitions needing no election are left out", topic, ps)
		}
	}

	sa := newSaramaAdmin(t, b.Addr())
	sres, err := sa.ElectLeaders(sarama.PreferredElection, map[string][]int32{"elect": {0}, "no-such-topic": {0}})
	if err != nil {
		t.Fatalf("Sarama ElectLeaders: %v", err)
	}
	if r := sres["elect"][0]; r == nil || !errors.Is(r.ErrorCode, sarama.ErrElectionNotNeeded) {
		t.Errorf("Sarama elect/0: %+v, want ELECTION_NOT_NEEDED", r)
	}
	if r := sres["no-such-topic"][0]; r == nil || !errors.Is(r.ErrorCode, sarama.ErrUnknownTopicOrPartition) {
		t.Errorf("Sarama unknown topic: %+v", r)
	}
}

func TestAdminPartitionReassignments(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	createTopic(t, adm, "moves", 3, nil)
	var req kadm.AlterPartitionAssignmentsReq
	req.Assign("moves", 0, []int32{1})
	req.Assign("moves", 1, []int32{2})
	req.CancelAssign("moves", 2)
	req.Assign("no-such-topic", 0, []int32{1})
	res, err := adm.AlterPartitionAssignments(testContext(t), req)
	if err != nil {
		t.Fatalf("AlterPartitionAssignments: %v", err)
	}
	for _, tc := range []struct {
		topic string
		part  int32
		want  error
	}{
		{"moves", 0, nil},
		{"moves", 1, kerr.InvalidReplicaAssignment},
		{"moves", 2, kerr.NoReassignmentInProgress},
		{"no-such-topic", 0, kerr.UnknownTopicOrPartition},
	} {
		r := res[tc.topic][tc.part]
		if !errors.Is(r.Err, tc.want) || (tc.want != nil && r.ErrMessage == "") {
			t.Errorf("%s/%d: %v (%q), want %v with a message", tc.topic, tc.part, r.Err, r.ErrMessage, tc.want)
		}
	}
	var set kadm.TopicsSet
	set.Add("moves", 0, 1, 2)
	listed, err := adm.ListPartitionReassignments(testContext(t), set)
	if err != nil || len(listed) != 0 {
		t.Errorf("ListPartitionReassignments: %+v %v, want none ongoing", listed, err)
	}

	sa := newSaramaAdmin(t, b.Addr())
	if err := sa.AlterPartitionReassignments("moves", [][]int32{{1}, {1}, {1}}); err != nil {
		t.Errorf("Sarama reassigning to this node: %v", err)
	}
	err = sa.AlterPartitionReassignments("moves", [][]int32{{3}})
	if !errors.Is(err, sarama.ErrReassignPartitions) || !errors.Is(err, sarama.ErrInvalidReplicaAssignment) {
		t.Errorf("Sarama reassigning to broker 3: %v, want INVALID_REPLICA_ASSIGNMENT", err)
	}
	status, err := sa.ListPartitionReassignments("moves", []int32{0, 1, 2})
	if err != nil || len(status) != 0 {
		t.Errorf("Sarama ListPartitionReassignments: %+v %v, want none", status, err)
	}
}

func quotaEntityName(s string) *string { return &s }

func TestAdminClientQuotas(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := samsatest.Start(t, samsatest.DataDir(dir))
	adm := newAdmin(t, b.Addr())
	alice := kadm.ClientQuotaEntity{{Type: "user", Name: quotaEntityName("alice")}}
	aliceApp := kadm.ClientQuotaEntity{{Type: "user", Name: quotaEntityName("alice")}, {Type: "client-id", Name: quotaEntityName("app")}}
	defaultIP := kadm.ClientQuotaEntity{{Type: "ip"}}
	altered, err := adm.AlterClientQuotas(testContext(t), []kadm.AlterClientQuotaEntry{
		{Entity: alice, Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Value: 1 << 20}, {Key: "request_percentage", Value: 25.5}}},
		{Entity: aliceApp, Ops: []kadm.AlterClientQuotaOp{{Key: "consumer_byte_rate", Value: 4096}}},
		{Entity: defaultIP, Ops: []kadm.AlterClientQuotaOp{{Key: "connection_creation_rate", Value: 50}}},
		{Entity: kadm.ClientQuotaEntity{{Type: "user", Name: quotaEntityName("bob")}}, Ops: []kadm.AlterClientQuotaOp{{Key: "no_such_quota", Value: 1}}},
		{Entity: kadm.ClientQuotaEntity{{Type: "ip", Name: quotaEntityName("10.0.0.1")}, {Type: "user", Name: quotaEntityName("bob")}},
			Ops: []kadm.AlterClientQuotaOp{{Key: "connection_creation_rate", Value: 1}}},
	})
	if err != nil {
		t.Fatalf("AlterClientQuotas: %v", err)
	}
	for i, want := range []error{nil, nil, nil, kerr.InvalidRequest, kerr.InvalidRequest} {
		if !errors.Is(altered[i].Err, want) {
			t.Errorf("entry %d (%v): %v %q, want %v", i, altered[i].Entity, altered[i].Err, altered[i].ErrMessage, want)
		}
	}
	if _, err := adm.ValidateAlterClientQuotas(testContext(t), []kadm.AlterClientQuotaEntry{
		{Entity: kadm.ClientQuotaEntity{{Type: "client-id", Name: quotaEntityName("dry-run")}}, Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Value: 1}}},
	}); err != nil {
		t.Fatalf("ValidateAlterClientQuotas: %v", err)
	}

	checkAlice := func(t *testing.T, adm *kadm.Client) {
		t.Helper()
		got, err := adm.DescribeClientQuotas(testContext(t), false, []kadm.DescribeClientQuotaComponent{{Type: "user", MatchName: quotaEntityName("alice")}})
		if err != nil {
			t.Fatalf("DescribeClientQuotas: %v", err)
		}
		if len(got) != 2 {
			t.Fatalf("alice's entities: %+v, want alice and alice/app", got)
		}
		strict, err := adm.DescribeClientQuotas(testContext(t), true, []kadm.DescribeClientQuotaComponent{{Type: "user", MatchName: quotaEntityName("alice")}})
		if err != nil || len(strict) != 1 || len(strict[0].Values) != 2 {
			t.Fatalf("strict alice: %+v %v, want alice alone with two values", strict, err)
		}
		everything, err := adm.DescribeClientQuotas(testContext(t), false, nil)
		if err != nil || len(everything) != 3 {
			t.Fatalf("all quotas: %+v %v, want 3 entities (validate-only and refused ones not stored)", everything, err)
		}
	}
	checkAlice(t, adm)

	_, err = adm.DescribeClientQuotas(testContext(t), false, []kadm.DescribeClientQuotaComponent{{Type: "group", MatchType: 2}})
	if !errors.Is(err, kerr.UnsupportedVersion) {
		t.Errorf("filter on type group: %v, want UNSUPPORTED_VERSION", err)
	}
	_, err = adm.DescribeClientQuotas(testContext(t), false, []kadm.DescribeClientQuotaComponent{{Type: "user", MatchType: 0}})
	if !errors.Is(err, kerr.InvalidRequest) {
		t.Errorf("exact match without a name: %v, want INVALID_REQUEST", err)
	}

	// Quotas are kept in the data directory.
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	b = samsatest.Start(t, samsatest.DataDir(dir))
	adm = newAdmin(t, b.Addr())
	t.Run("after restart", func(t *testing.T) { checkAlice(t, adm) })

	sa := newSaramaAdmin(t, b.Addr())
	entries, err := sa.DescribeClientQuotas([]sarama.QuotaFilterComponent{{EntityType: sarama.QuotaEntityIP, MatchType: sarama.QuotaMatchDefault}}, false)
	if err != nil || len(entries) != 1 || entries[0].Values["connection_creation_rate"] != 50 {
		t.Fatalf("Sarama default ip: %+v %v", entries, err)
	}
	bob := []sarama.QuotaEntityComponent{{EntityType: sarama.QuotaEntityUser, MatchType: sarama.QuotaMatchExact, Name: "bob"}}
	if err := sa.AlterClientQuotas(bob, sarama.ClientQuotasOp{Key: "consumer_byte_rate", Value: 2048}, false); err != nil {
		t.Fatalf("Sarama AlterClientQuotas: %v", err)
	}
	// Sarama turns an entity's error into its message alone.
	if err := sa.AlterClientQuotas(bob, sarama.ClientQuotasOp{Key: "consumer_byte_rate", Value: 0.5}, false); err == nil || !strings.Contains(err.Error(), "fractional") {
		t.Errorf("Sarama fractional byte rate: %v, want Kafka's INVALID_REQUEST message", err)
	}
	got, err := sa.DescribeClientQuotas([]sarama.QuotaFilterComponent{{EntityType: sarama.QuotaEntityUser, MatchType: sarama.QuotaMatchExact, Match: "bob"}}, true)
	if err != nil || len(got) != 1 || got[0].Values["consumer_byte_rate"] != 2048 {
		t.Fatalf("Sarama bob: %+v %v", got, err)
	}
	if err := sa.AlterClientQuotas(bob, sarama.ClientQuotasOp{Key: "consumer_byte_rate", Remove: true}, false); err != nil {
		t.Fatalf("Sarama removing: %v", err)
	}
	if got, err := sa.DescribeClientQuotas([]sarama.QuotaFilterComponent{{EntityType: sarama.QuotaEntityUser, MatchType: sarama.QuotaMatchExact, Match: "bob"}}, true); err != nil || len(got) != 0 {
		t.Errorf("bob after removing his only quota: %+v %v", got, err)
	}
}
