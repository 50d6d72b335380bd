package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// Rules of the committed offset APIs (KafkaApis.handleOffsetCommitRequest,
// handleOffsetFetchRequest, handleOffsetDeleteRequest).

// authorizeOffsetCommit: READ on the group, else every partition is
// GROUP_AUTHORIZATION_FAILED; READ on each topic (v10: by id).
func authorizeOffsetCommit(z *authzCheck, req *kmsg.OffsetCommitRequest) verdict {
	if !z.group(auth.OpRead, req.Group) {
		resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
		resp.Topics = offsetCommitRefused(req.Topics, groupDenied)
		return deny(resp)
	}
	read := z.topics(auth.OpRead)
	refused := split(&req.Topics, func(t *kmsg.OffsetCommitRequestTopic) bool {
		name, known := z.topicName(t.Topic, t.TopicID, req.Version >= 10)
		return !known || read(name)
	})
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.OffsetCommitResponse)
		resp.Topics = append(resp.Topics, offsetCommitRefused(refused, topicDenied)...)
		z.failed(len(refused))
	}}
}

func offsetCommitRefused(topics []kmsg.OffsetCommitRequestTopic, code int16) []kmsg.OffsetCommitResponseTopic {
	var out []kmsg.OffsetCommitResponseTopic
	for _, t := range topics {
		rt := kmsg.NewOffsetCommitResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetCommitResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p.Partition, code
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}

// authorizeOffsetDelete: DELETE on the group, else
// GROUP_AUTHORIZATION_FAILED; READ on each topic.
func authorizeOffsetDelete(z *authzCheck, req *kmsg.OffsetDeleteRequest) verdict {
	if !z.group(auth.OpDelete, req.Group) {
		resp := req.ResponseKind().(*kmsg.OffsetDeleteResponse)
		resp.ErrorCode = groupDenied
		return deny(resp)
	}
	read := z.topics(auth.OpRead)
	refused := split(&req.Topics, func(t *kmsg.OffsetDeleteRequestTopic) bool { return read(t.Topic) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.OffsetDeleteResponse)
		for _, t := range refused {
			rt := kmsg.NewOffsetDeleteResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewOffsetDeleteResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, topicDenied
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		z.failed(len(refused))
	}}
}

// authorizeOffsetFetch: DESCRIBE on the group, else
// GROUP_AUTHORIZATION_FAILED (v8+ per group); DESCRIBE on each topic asked
// for, else its partitions are TOPIC_AUTHORIZATION_FAILED; fetching every
// committed offset of a group leaves out the topics without DESCRIBE.
func authorizeOffsetFetch(z *authzCheck, req *kmsg.OffsetFetchRequest) verdict {
	if req.Version >= 8 {
		return authorizeOffsetFetchGroups(z, req)
	}
	describe := z.topics(auth.OpDescribe)
	if !z.group(auth.OpDescribe, req.Group) {
		resp := req.ResponseKind().(*kmsg.OffsetFetchResponse)
		if req.Version >= 2 {
			resp.ErrorCode = groupDenied
		} else { // no top-level error before v2: every partition carries it
			resp.Topics = offsetFetchRefused(req.Topics, groupDenied)
		}
		return deny(resp)
	}
	if req.Topics == nil {
		return verdict{patch: func(r kmsg.Response) {
			resp := r.(*kmsg.OffsetFetchResponse)
			resp.Topics = keepIf(resp.Topics, func(t kmsg.OffsetFetchResponseTopic) bool { return describe(t.Topic) })
		}}
	}
	refused := split(&req.Topics, func(t *kmsg.OffsetFetchRequestTopic) bool { return describe(t.Topic) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.OffsetFetchResponse)
		resp.Topics = append(resp.Topics, offsetFetchRefused(refused, topicDenied)...)
		z.failed(len(refused))
	}}
}

func offsetFetchRefused(topics []kmsg.OffsetFetchRequestTopic, code int16) []kmsg.OffsetFetchResponseTopic {
	empty := ""
	var out []kmsg.OffsetFetchResponseTopic
	for _, t := range topics {
		rt := kmsg.NewOffsetFetchResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetFetchResponseTopicPartition()
			rp.Partition, rp.Offset, rp.Metadata, rp.ErrorCode = p, -1, &empty, code
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}

// authorizeOffsetFetchGroups is OffsetFetch v8+: each group on its own.
func authorizeOffsetFetchGroups(z *authzCheck, req *kmsg.OffsetFetchRequest) verdict {
	describe := z.topics(auth.OpDescribe)
	refusedGroups := split(&req.Groups, func(g *kmsg.OffsetFetchRequestGroup) bool { return z.group(auth.OpDescribe, g.Group) })
	refusedTopics := make(map[string][]kmsg.OffsetFetchRequestGroupTopic)
	for i := range req.Groups {
		g := &req.Groups[i]
		if g.Topics == nil {
			continue // all offsets: filtered in the response
		}
		refusedTopics[g.Group] = split(&g.Topics, func(t *kmsg.OffsetFetchRequestGroupTopic) bool {
			name, known := z.topicName(t.Topic, t.TopicID, req.Version >= 10)
			return !known || describe(name)
		})
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.OffsetFetchResponse)
		for i := range resp.Groups {
			g := &resp.Groups[i]
			if g.ErrorCode != 0 {
				continue
			}
			g.Topics = keepIf(g.Topics, func(t kmsg.OffsetFetchResponseGroupTopic) bool {
				name, known := z.topicName(t.Topic, t.TopicID, req.Version >= 10)
				return !known || describe(name)
			})
			g.Topics = append(g.Topics, offsetFetchGroupRefused(refusedTopics[g.Group])...)
		}
		for _, g := range refusedGroups {
			rg := kmsg.NewOffsetFetchResponseGroup()
			rg.Group, rg.ErrorCode = g.Group, groupDenied
			resp.Groups = append(resp.Groups, rg)
		}
		z.failed(len(refusedGroups))
	}}
}

func offsetFetchGroupRefused(topics []kmsg.OffsetFetchRequestGroupTopic) []kmsg.OffsetFetchResponseGroupTopic {
	empty := ""
	var out []kmsg.OffsetFetchResponseGroupTopic
	for _, t := range topics {
		rt := kmsg.NewOffsetFetchResponseGroupTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetFetchResponseGroupTopicPartition()
			rp.Partition, rp.Offset, rp.Metadata, rp.ErrorCode = p, -1, &empty, topicDenied
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}

// keepIf filters a response's list in place.
func keepIf[T any](topics []T, keep func(T) bool) []T {
	kept := topics[:0]
	for _, t := range topics {
		if keep(t) {
			kept = append(kept, t)
		}
	}
	return kept
}
