package group

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func txnCommitReq(group string, pid int64, m *tm, offset int64) *kmsg.TxnOffsetCommitRequest {
	req := kmsg.NewPtrTxnOffsetCommitRequest()
	req.Version = 3
	req.Group, req.ProducerID, req.ProducerEpoch = group, pid, 0
	if m != nil {
		req.MemberID, req.Generation = m.id, m.gen
	}
	rt := kmsg.NewTxnOffsetCommitRequestTopic()
	rt.Topic = "t"
	rp := kmsg.NewTxnOffsetCommitRequestTopicPartition()
	rp.Partition, rp.Offset = 0, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

func txnCommitCode(c *Coordinator, req *kmsg.TxnOffsetCommitRequest) int16 {
	return c.TxnOffsetCommit(req).Topics[0].Partitions[0].ErrorCode
}

// committedOffset is OffsetFetch of t/0, with requireStable.
func committedOffset(c *Coordinator, group string, requireStable bool) (int64, int16) {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Version, req.Group, req.RequireStable = 7, group, requireStable
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic, rt.Partitions = "t", []int32{0}
	req.Topics = append(req.Topics, rt)
	p := c.OffsetFetch(req).Topics[0].Partitions[0]
	return p.Offset, p.ErrorCode
}

// TestTxnOffsetCommit: membership checks (KIP-447), offsets pending until
// the transaction ends, applied on commit and dropped on abort.
func TestTxnOffsetCommit(t *testing.T) {
	c, st := newTestCoordinator(t, nil)
	m := newTM("g", "t")
	stableGroup(t, c, m)
	stale := *m
	stale.gen--
	unknown := *m
	unknown.id = "nobody"
	if code := txnCommitCode(c, txnCommitReq("g", 1, &stale, 5)); code != kerr.IllegalGeneration.Code {
		t.Fatalf("stale generation: %v", kerr.ErrorForCode(code))
	}
	if code := txnCommitCode(c, txnCommitReq("g", 1, &unknown, 5)); code != kerr.UnknownMemberID.Code {
		t.Fatalf("unknown member: %v", kerr.ErrorForCode(code))
	}
	if code := txnCommitCode(c, txnCommitReq("g", 1, m, 5)); code != 0 {
		t.Fatalf("member commit: %v", kerr.ErrorForCode(code))
	}
	if code := txnCommitCode(c, txnCommitReq("g", 2, nil, 7)); code != 0 {
		t.Fatalf("commit without member (v0-2 style): %v", kerr.ErrorForCode(code))
	}
	if off, code := committedOffset(c, "g", true); code != kerr.UnstableOffsetCommit.Code || off != -1 {
		t.Fatalf("stable fetch with open transactions: %d %v", off, kerr.ErrorForCode(code))
	}
	if off, code := committedOffset(c, "g", false); code != 0 || off != -1 {
		t.Fatalf("fetch with open transactions: %d %v, want -1 (nothing committed)", off, kerr.ErrorForCode(code))
	}
	c.CompleteTransaction(1, true)
	if off, code := committedOffset(c, "g", false); code != 0 || off != 5 {
		t.Fatalf("after producer 1 committed: %d %v", off, kerr.ErrorForCode(code))
	}
	if _, code := committedOffset(c, "g", true); code != kerr.UnstableOffsetCommit.Code {
		t.Fatalf("producer 2 still open: %v", kerr.ErrorForCode(code))
	}
	c.CompleteTransaction(2, false)
	if off, code := committedOffset(c, "g", true); code != 0 || off != 5 {
		t.Fatalf("after producer 2 aborted: %d %v, want 5", off, kerr.ErrorForCode(code))
	}
	events := st.takeEvents()
	want := map[string]bool{"txn-commit 1/0 g t/0=5": true, "txn-commit 2/0 g t/0=7": true, "txn-complete 1 true": true, "txn-complete 2 false": true}
	for _, e := range events {
		delete(want, e)
	}
	if len(want) != 0 {
		t.Fatalf("store events %v lack %v", events, want)
	}
}

// TestTxnOffsetsRestored: offsets of a transaction open at a restart are
// pending again, and its commit applies them.
func TestTxnOffsetsRestored(t *testing.T) {
	c := New(Options{}, Loaded{PendingTxnOffsets: map[int64]map[string][]Offset{
		9: {"g": {{TopicPartition: TopicPartition{"t", 0}, Offset: 11, LeaderEpoch: -1}}},
	}})
	t.Cleanup(c.Close)
	if _, code := committedOffset(c, "g", true); code != kerr.UnstableOffsetCommit.Code {
		t.Fatalf("restored pending offset: %v", kerr.ErrorForCode(code))
	}
	c.CompleteTransaction(9, true)
	if off, code := committedOffset(c, "g", true); code != 0 || off != 11 {
		t.Fatalf("after the commit: %d %v", off, kerr.ErrorForCode(code))
	}
}
