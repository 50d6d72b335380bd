package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Transactional offset commits (TxnOffsetCommit) are written to the Store
// at once but stay pending, per producer, until the transaction
// coordinator writes the producer's marker to __consumer_offsets and calls
// CompleteTransaction: a commit makes them the group's committed offsets,
// an abort drops them. Meanwhile OffsetFetch with RequireStable answers
// UNSTABLE_OFFSET_COMMIT for their partitions, so a consumer starting
// under read_committed waits instead of reading an offset about to move.

// TxnOffsetCommit stores offsets of a transaction.
//
// Behavior (Kafka 4.x):
//   - Unknown topics or partitions are UNKNOWN_TOPIC_OR_PARTITION; metadata
//     over MaxMetadataBytes OFFSET_METADATA_TOO_LARGE.
//   - A group that does not exist is created as a simple group when the
//     request names no generation; otherwise ILLEGAL_GENERATION.
//   - Membership (v3+, KIP-447): a named member must exist
//     (UNKNOWN_MEMBER_ID; FENCED_INSTANCE_ID for a replaced static member)
//     and a generation >= 0 must be current (ILLEGAL_GENERATION; for a
//     consumer group the member epoch). A request naming neither member
//     nor generation (v0-2 clients) is accepted, as Kafka accepts it.
//   - Durable before the answer; the offsets take effect when the
//     transaction commits.
//
// Version notes: v2 leader epoch; v3 generation, member and instance ids
// (KIP-447) and flexible; v4 TRANSACTION_ABORTABLE (never sent here); v5
// (transaction protocol v2) is not advertised.
func (c *Coordinator) TxnOffsetCommit(req *kmsg.TxnOffsetCommitRequest) *kmsg.TxnOffsetCommitResponse {
	resp := kmsg.NewPtrTxnOffsetCommitResponse()
	resp.Version = req.Version
	var todo []txnSlot
	for _, t := range req.Topics {
		rt := kmsg.NewTxnOffsetCommitResponseTopic()
		rt.Topic = t.Topic
		rt.Partitions = make([]kmsg.TxnOffsetCommitResponseTopicPartition, len(t.Partitions))
		for j, p := range t.Partitions {
			rp := &rt.Partitions[j]
			*rp = kmsg.NewTxnOffsetCommitResponseTopicPartition()
			rp.Partition = p.Partition
			if !c.opts.TopicExists(t.Topic, p.Partition) {
				rp.ErrorCode = kerr.UnknownTopicOrPartition.Code
				continue
			}
			todo = append(todo, txnSlot{TopicPartition{t.Topic, p.Partition}, p, &rp.ErrorCode})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	if len(todo) > 0 {
		c.commitTxn(req, todo)
	}
	return resp
}

type txnSlot struct {
	tp   TopicPartition
	p    kmsg.TxnOffsetCommitRequestTopicPartition
	code *int16
}

func (c *Coordinator) commitTxn(req *kmsg.TxnOffsetCommitRequest, todo []txnSlot) {
	failAll := func(code int16) {
		for _, s := range todo {
			*s.code = code
		}
	}
	g, code := c.lockGroup(req.Group, req.Generation < 0)
	switch {
	case code != 0:
		failAll(code)
		return
	case g == nil:
		failAll(kerr.IllegalGeneration.Code)
		return
	}
	defer g.mu.Unlock()
	if code := g.validateTxnOffsetCommitLocked(req); code != 0 {
		failAll(code)
		return
	}
	now := c.now().UnixMilli()
	var offsets []Offset
	for _, s := range todo {
		if s.p.Metadata != nil && len(*s.p.Metadata) > c.opts.MaxMetadataBytes {
			*s.code = kerr.OffsetMetadataTooLarge.Code
			continue
		}
		offsets = append(offsets, Offset{TopicPartition: s.tp, Offset: s.p.Offset, LeaderEpoch: s.p.LeaderEpoch,
			Metadata: cloneStr(s.p.Metadata), CommitTimestamp: now})
	}
	if len(offsets) == 0 {
		return
	}
	if err := c.opts.Store.CommitTxnOffsets(g.id, req.ProducerID, req.ProducerEpoch, offsets); err != nil {
		c.lg.Warn("failed to persist transactional offset commit", "group", g.id, "producer_id", req.ProducerID, "err", err)
		code := storeCode(err)
		for _, s := range todo {
			if *s.code == 0 {
				*s.code = code
			}
		}
		return
	}
	g.addTxnOffsetsLocked(req.ProducerID, offsets)
}

// validateTxnOffsetCommitLocked is Kafka's check of a transactional commit.
func (g *group) validateTxnOffsetCommitLocked(req *kmsg.TxnOffsetCommitRequest) int16 {
	if req.MemberID == "" && req.Generation < 0 && req.InstanceID == nil {
		return 0 // a v0-2 client, or a producer outside the group
	}
	if g.cg != nil {
		m := g.cg.members[req.MemberID]
		switch {
		case m == nil:
			return kerr.UnknownMemberID.Code
		case req.Generation >= 0 && req.Generation != m.epoch:
			return kerr.IllegalGeneration.Code
		}
		return 0
	}
	if req.MemberID != "" || req.InstanceID != nil {
		if code := g.validateMemberLocked(req.MemberID, req.InstanceID); code != 0 {
			return code
		}
	}
	if req.Generation >= 0 && req.Generation != g.generation {
		return kerr.IllegalGeneration.Code
	}
	return 0
}

// addTxnOffsetsLocked holds offsets as pending for the producer.
func (g *group) addTxnOffsetsLocked(pid int64, offsets []Offset) {
	if g.txnOffsets == nil {
		g.txnOffsets = make(map[int64]map[TopicPartition]Offset)
	}
	m := g.txnOffsets[pid]
	if m == nil {
		m = make(map[TopicPartition]Offset)
		g.txnOffsets[pid] = m
	}
	for _, o := range offsets {
		m[o.TopicPartition] = o
	}
	g.c.noteTxnGroup(pid, g.id)
}

// noteTxnGroup indexes a group with pending offsets of the producer.
func (c *Coordinator) noteTxnGroup(pid int64, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.txnGroups == nil {
		c.txnGroups = make(map[int64]map[string]struct{})
	}
	if c.txnGroups[pid] == nil {
		c.txnGroups[pid] = make(map[string]struct{})
	}
	c.txnGroups[pid][id] = struct{}{}
}

// hasPendingLocked reports whether a transaction holds an offset of tp.
func (g *group) hasPendingLocked(tp TopicPartition) bool {
	for _, m := range g.txnOffsets {
		if _, ok := m[tp]; ok {
			return true
		}
	}
	return false
}

// CompleteTransaction applies (commit) or drops (abort) the producer's
// pending offsets in every group; the marker that decides it is already
// in __consumer_offsets.
func (c *Coordinator) CompleteTransaction(pid int64, commit bool) {
	c.opts.Store.CompleteTxn(pid, commit)
	c.mu.Lock()
	ids := c.txnGroups[pid]
	delete(c.txnGroups, pid)
	c.mu.Unlock()
	for id := range ids {
		g, _ := c.lockGroup(id, false)
		if g == nil {
			continue // deleted meanwhile
		}
		if commit {
			for tp, o := range g.txnOffsets[pid] {
				g.offsets[tp] = o
			}
		}
		delete(g.txnOffsets, pid)
		g.mu.Unlock()
	}
}

// restoreTxnOffsets puts back the offsets of transactions that were open
// when the Store was written last.
func (c *Coordinator) restoreTxnOffsets(pending map[int64]map[string][]Offset) {
	for pid, byGroup := range pending {
		for id, offsets := range byGroup {
			g, _ := c.lockGroup(id, true)
			g.addTxnOffsetsLocked(pid, offsets)
			g.mu.Unlock()
		}
	}
}
