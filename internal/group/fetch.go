package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetFetch returns committed offsets.
//
// Behavior (Kafka 4.x):
//   - Group "" is a valid group here, as in Kafka.
//   - A partition with nothing committed, in a group that exists or not,
//     is offset -1, leader epoch -1, metadata "" and no error: Kafka's
//     coordinator never answers GROUP_ID_NOT_FOUND to a classic fetch.
//   - Topics nil (v2+) is every committed partition of the group.
//   - RequireStable (v7+): a partition with an offset of an open transaction
//     (TxnOffsetCommit) is UNSTABLE_OFFSET_COMMIT with offset -1, and the
//     client retries; without it the last committed offset is returned. A
//     fetch of all partitions lists only partitions with a committed
//     offset, each checked the same way (Kafka's fetchAllOffsets).
//   - v10 topic ids that do not resolve are UNKNOWN_TOPIC_ID per partition;
//     a fetch of all partitions leaves out topics without an id.
//
// Version notes: v2 top-level ErrorCode and null Topics; v5 LeaderEpoch;
// v7 RequireStable; v8 several groups; v9 MemberID/MemberEpoch, checked
// for consumer groups (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH at the group
// level; no member id and epoch -1 is an admin and always allowed) and
// unchecked for classic ones, as Kafka; v10 topic ids.
func (c *Coordinator) OffsetFetch(req *kmsg.OffsetFetchRequest) *kmsg.OffsetFetchResponse {
	resp := kmsg.NewPtrOffsetFetchResponse()
	resp.Version = req.Version
	if req.Version >= 8 {
		for i := range req.Groups {
			resp.Groups = append(resp.Groups, c.fetchGroup(req.Version, req.RequireStable, &req.Groups[i]))
		}
		return resp
	}
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = req.Group
	if req.Topics != nil {
		rg.Topics = make([]kmsg.OffsetFetchRequestGroupTopic, 0, len(req.Topics))
	}
	for _, t := range req.Topics {
		rt := kmsg.NewOffsetFetchRequestGroupTopic()
		rt.Topic, rt.Partitions = t.Topic, t.Partitions
		rg.Topics = append(rg.Topics, rt)
	}
	sg := c.fetchGroup(req.Version, req.RequireStable, &rg)
	if sg.ErrorCode != 0 && req.Version < 2 {
		// No top-level error before v2: Kafka puts it on every partition.
		sg = groupErrorPerPartition(&rg, sg.ErrorCode)
	}
	resp.ErrorCode = sg.ErrorCode
	for _, st := range sg.Topics {
		t := kmsg.NewOffsetFetchResponseTopic()
		t.Topic = st.Topic
		for _, sp := range st.Partitions {
			p := kmsg.NewOffsetFetchResponseTopicPartition()
			p.Partition, p.Offset, p.LeaderEpoch = sp.Partition, sp.Offset, sp.LeaderEpoch
			p.Metadata, p.ErrorCode = sp.Metadata, sp.ErrorCode
			t.Partitions = append(t.Partitions, p)
		}
		resp.Topics = append(resp.Topics, t)
	}
	return resp
}

func (c *Coordinator) fetchGroup(version int16, requireStable bool, rg *kmsg.OffsetFetchRequestGroup) kmsg.OffsetFetchResponseGroup {
	sg := kmsg.NewOffsetFetchResponseGroup()
	sg.Group = rg.Group
	g, code := c.lockGroup(rg.Group, false)
	if code != 0 {
		sg.ErrorCode = code
		return sg
	}
	var offsets map[TopicPartition]Offset
	if g != nil {
		defer g.mu.Unlock()
		offsets = g.offsets
		if g.cg != nil && version >= 9 {
			if code := g.cg.validateOffsetFetchLocked(rg.MemberID, rg.MemberEpoch); code != 0 {
				sg.ErrorCode = code
				return sg
			}
		}
	}
	if rg.Topics == nil {
		unstable := func(TopicPartition) bool { return false }
		if requireStable && g != nil {
			unstable = g.hasPendingLocked
		}
		sg.Topics = c.fetchAll(version, offsets, unstable)
		return sg
	}
	empty := ""
	for _, t := range rg.Topics {
		st := kmsg.NewOffsetFetchResponseGroupTopic()
		st.Topic, st.TopicID = t.Topic, t.TopicID
		name, topicCode := t.Topic, int16(0)
		if version >= 10 {
			var ok bool
			if name, ok = c.opts.TopicName(t.TopicID); !ok {
				topicCode = kerr.UnknownTopicID.Code
			}
		}
		for _, p := range t.Partitions {
			sp := kmsg.NewOffsetFetchResponseGroupTopicPartition()
			sp.Partition = p
			sp.Offset = -1
			sp.Metadata = &empty
			sp.ErrorCode = topicCode
			tp := TopicPartition{name, p}
			switch o, ok := offsets[tp]; {
			case topicCode != 0:
			case requireStable && g != nil && g.hasPendingLocked(tp):
				sp.ErrorCode = kerr.UnstableOffsetCommit.Code
			case ok:
				fillFetched(&sp, o)
			}
			st.Partitions = append(st.Partitions, sp)
		}
		sg.Topics = append(sg.Topics, st)
	}
	return sg
}

// fetchAll is every committed partition, sorted by topic and partition;
// unstable ones (a transaction holds an offset for them) are
// UNSTABLE_OFFSET_COMMIT.
func (c *Coordinator) fetchAll(version int16, offsets map[TopicPartition]Offset, unstable func(TopicPartition) bool) []kmsg.OffsetFetchResponseGroupTopic {
	var out []kmsg.OffsetFetchResponseGroupTopic
	for _, tp := range sortedPartitions(offsets) {
		if len(out) == 0 || out[len(out)-1].Topic != tp.Topic {
			st := kmsg.NewOffsetFetchResponseGroupTopic()
			st.Topic = tp.Topic
			if version >= 10 {
				id, ok := c.opts.TopicID(tp.Topic)
				if !ok {
					continue // a deleted topic has no id to answer with
				}
				st.TopicID = id
			}
			out = append(out, st)
		}
		sp := kmsg.NewOffsetFetchResponseGroupTopicPartition()
		sp.Partition = tp.Partition
		if unstable(tp) {
			empty := ""
			sp.Offset, sp.LeaderEpoch, sp.Metadata, sp.ErrorCode = -1, -1, &empty, kerr.UnstableOffsetCommit.Code
		} else {
			fillFetched(&sp, offsets[tp])
		}
		st := &out[len(out)-1]
		st.Partitions = append(st.Partitions, sp)
	}
	return out
}

func fillFetched(sp *kmsg.OffsetFetchResponseGroupTopicPartition, o Offset) {
	sp.Offset = o.Offset
	sp.LeaderEpoch = o.LeaderEpoch
	md := ""
	if o.Metadata != nil {
		md = *o.Metadata
	}
	sp.Metadata = &md
}

// groupErrorPerPartition answers every requested partition with code.
func groupErrorPerPartition(rg *kmsg.OffsetFetchRequestGroup, code int16) kmsg.OffsetFetchResponseGroup {
	sg := kmsg.NewOffsetFetchResponseGroup()
	for _, t := range rg.Topics {
		st := kmsg.NewOffsetFetchResponseGroupTopic()
		st.Topic = t.Topic
		for _, p := range t.Partitions {
			sp := kmsg.NewOffsetFetchResponseGroupTopicPartition()
			sp.Partition, sp.Offset, sp.ErrorCode = p, -1, code
			st.Partitions = append(st.Partitions, sp)
		}
		sg.Topics = append(sg.Topics, st)
	}
	return sg
}
