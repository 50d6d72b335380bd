package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetCommit commits offsets for a group, durably before answering.
//
// Behavior (Kafka 4.x, OffsetMetadataManager and ClassicGroup):
//   - Group "" is a valid group here, as in Kafka ("backwards compatibility").
//   - Partitions checked first, as Kafka's request handler does: an unknown
//     topic or partition is UNKNOWN_TOPIC_OR_PARTITION, an unresolvable
//     topic id (v10) UNKNOWN_TOPIC_ID. The rest go to the group.
//   - A group that does not exist: with generation < 0 (a consumer that
//     only commits, or an admin) it is created, Empty and without protocol
//     type (a "simple" group); otherwise GROUP_ID_NOT_FOUND in v9+ and
//     ILLEGAL_GENERATION before, as Kafka keeps for old clients.
//   - Generation < 0 into an Empty group: accepted. Otherwise, if the
//     request names a generation, member or instance, the member must exist
//     (UNKNOWN_MEMBER_ID; FENCED_INSTANCE_ID for a replaced static member)
//     and the generation be current (ILLEGAL_GENERATION); with none of them
//     a non-Empty group is UNKNOWN_MEMBER_ID. CompletingRebalance is
//     REBALANCE_IN_PROGRESS; PreparingRebalance with the current generation
//     is accepted (the member learns of the rebalance from its heartbeat),
//     and the commit renews the member's session, as in Kafka.
//   - Metadata longer than MaxMetadataBytes is OFFSET_METADATA_TOO_LARGE
//     (bytes; Kafka counts UTF-16 units).
//   - The accepted partitions are written with Store.CommitOffsets and
//     applied to memory only if that succeeded; on failure they get the
//     Store's error code (COORDINATOR_NOT_AVAILABLE unless it gave a kerr).
//
// Version notes: v1 per-partition Timestamp and v2-v4 RetentionTimeMillis
// are ignored (offsets expire by offsets.retention.minutes only); v6
// LeaderEpoch; v7 InstanceID; v9 GROUP_ID_NOT_FOUND, and Generation is the
// member epoch for consumer groups (see consumerGroup.validateOffsetCommitLocked);
// v10 topic ids.
func (c *Coordinator) OffsetCommit(req *kmsg.OffsetCommitRequest) *kmsg.OffsetCommitResponse {
	resp := kmsg.NewPtrOffsetCommitResponse()
	resp.Version = req.Version
	resp.Topics = make([]kmsg.OffsetCommitResponseTopic, len(req.Topics))
	var todo []commitSlot
	for i := range req.Topics {
		t := &req.Topics[i]
		rt := &resp.Topics[i]
		*rt = kmsg.NewOffsetCommitResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		rt.Partitions = make([]kmsg.OffsetCommitResponseTopicPartition, len(t.Partitions))
		name, topicCode := t.Topic, int16(0)
		if req.Version >= 10 {
			var ok bool
			if name, ok = c.opts.TopicName(t.TopicID); !ok {
				topicCode = kerr.UnknownTopicID.Code
			}
		}
		for j := range t.Partitions {
			p := &t.Partitions[j]
			rp := &rt.Partitions[j]
			*rp = kmsg.NewOffsetCommitResponseTopicPartition()
			rp.Partition = p.Partition
			rp.ErrorCode = topicCode
			if topicCode == 0 && !c.opts.TopicExists(name, p.Partition) {
				rp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			}
			if rp.ErrorCode == 0 {
				todo = append(todo, commitSlot{TopicPartition{name, p.Partition}, p, &rp.ErrorCode})
			}
		}
	}
	if len(todo) > 0 {
		c.commit(req, todo)
	}
	return resp
}

// commitSlot is one partition of an OffsetCommit that passed the topic
// checks; code points into the response.
type commitSlot struct {
	tp   TopicPartition
	p    *kmsg.OffsetCommitRequestTopicPartition
	code *int16
}

func (c *Coordinator) commit(req *kmsg.OffsetCommitRequest, todo []commitSlot) {
	failAll := func(code int16) {
		for _, s := range todo {
			*s.code = code
		}
	}
	g, code := c.lockGroup(req.Group, false)
	created := false
	if g == nil && code == 0 {
		if req.Generation >= 0 {
			if req.Version >= 9 {
				failAll(kerr.GroupIDNotFound.Code)
			} else {
				failAll(kerr.IllegalGeneration.Code)
			}
			return
		}
		g, code = c.lockGroup(req.Group, true)
		created = true
	}
	if code != 0 {
		failAll(code)
		return
	}
	defer g.mu.Unlock()
	if code := g.validateOffsetCommitLocked(req); code != 0 {
		failAll(code)
		return
	}

	now := c.now().UnixMilli()
	offsets := make([]Offset, 0, len(todo))
	var slots []commitSlot
	for _, s := range todo {
		if s.p.Metadata != nil && len(*s.p.Metadata) > c.opts.MaxMetadataBytes {
			*s.code = kerr.OffsetMetadataTooLarge.Code
			continue
		}
		offsets = append(offsets, Offset{
			TopicPartition:  s.tp,
			Offset:          s.p.Offset,
			LeaderEpoch:     s.p.LeaderEpoch,
			Metadata:        cloneStr(s.p.Metadata),
			CommitTimestamp: now,
		})
		slots = append(slots, s)
	}
	if len(offsets) == 0 {
		return
	}
	if err := c.opts.Store.CommitOffsets(g.id, offsets); err != nil {
		c.lg.Warn("failed to persist offset commit", "group", g.id, "partitions", len(offsets), "err", err)
		code := storeCode(err)
		for _, s := range slots {
			*s.code = code
		}
		if created && g.neverUsedLocked() {
			// Creating the simple group is part of the commit that failed.
			g.transitionLocked(stateDead)
			c.unmapLocked(g)
		}
		return
	}
	for _, o := range offsets {
		g.offsets[o.TopicPartition] = o
	}
}

// validateOffsetCommitLocked is ClassicGroup.validateOffsetCommit.
func (g *group) validateOffsetCommitLocked(req *kmsg.OffsetCommitRequest) int16 {
	if g.cg != nil {
		return g.cg.validateOffsetCommitLocked(req)
	}
	if req.Generation < 0 && g.state == stateEmpty {
		return 0 // a simple consumer or an admin
	}
	if req.Generation >= 0 || req.MemberID != "" || req.InstanceID != nil {
		if code := g.validateMemberLocked(req.MemberID, req.InstanceID); code != 0 {
			return code
		}
		if req.Generation != g.generation {
			return kerr.IllegalGeneration.Code
		}
	} else if g.state != stateEmpty {
		return kerr.UnknownMemberID.Code
	}
	switch g.state {
	case stateCompletingRebalance:
		// The member has its JoinGroup answer but not its assignment yet.
		return kerr.RebalanceInProgress.Code
	case stateStable, statePreparingRebalance:
		if m := g.byID[req.MemberID]; m != nil {
			g.armSessionLocked(m)
		}
	}
	return 0
}

// isUnusedLocked reports whether g holds nothing: no members, pending
// members or offsets.
func (g *group) isUnusedLocked() bool {
	return g.state == stateEmpty && len(g.members) == 0 && len(g.pending) == 0 && len(g.offsets) == 0 &&
		(g.cg == nil || len(g.cg.members) == 0)
}

// neverUsedLocked reports whether g is unused and never had a generation
// or protocol type, so nothing of it can have been persisted.
func (g *group) neverUsedLocked() bool {
	return g.isUnusedLocked() && g.generation == 0 && g.protocolType == ""
}
