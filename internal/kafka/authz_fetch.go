package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// authorizeFetch: a follower (replica id >= 0) needs CLUSTER_ACTION on the
// cluster, else every partition is TOPIC_AUTHORIZATION_FAILED; a consumer
// needs READ on each topic. In an incremental fetch the session's own
// partitions are checked too, so a revoked ACL takes effect mid-session:
// they are forgotten from the session (Kafka keeps them and answers the
// error on each fetch) and answered TOPIC_AUTHORIZATION_FAILED.
func authorizeFetch(z *authzCheck, req *kmsg.FetchRequest) verdict {
	follower := req.ReplicaID >= 0
	if req.Version >= 15 {
		follower = req.ReplicaState.ID >= 0
	}
	if follower {
		if z.cluster(auth.OpClusterAction) {
			return verdict{}
		}
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		resp.Topics = fetchPartitionsRefused(req.Topics)
		return deny(resp)
	}
	read := z.topics(auth.OpRead)
	byID := req.Version >= 13
	refused := split(&req.Topics, func(t *kmsg.FetchRequestTopic) bool {
		name, known := z.topicName(t.Topic, t.TopicID, byID)
		return !known || read(name) // unknown ids: the handler answers UNKNOWN_TOPIC_ID
	})
	if req.Version >= 7 && req.SessionEpoch > 0 {
		refused = append(refused, z.revokedSessionTopics(req, read, refused)...)
		for _, t := range refused {
			ft := kmsg.NewFetchRequestForgottenTopic()
			ft.Topic, ft.TopicID = t.Topic, t.TopicID
			for _, p := range t.Partitions {
				ft.Partitions = append(ft.Partitions, p.Partition)
			}
			req.ForgottenTopics = append(req.ForgottenTopics, ft)
		}
	}
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.FetchResponse)
		if resp.ErrorCode != 0 {
			return // the whole fetch failed (a session error)
		}
		resp.Topics = append(resp.Topics, fetchPartitionsRefused(refused)...)
		z.failed(len(refused))
	}}
}

// revokedSessionTopics lists the partitions of the fetch's session, other
// than those already refused, whose topic the principal may not read.
func (z *authzCheck) revokedSessionTopics(req *kmsg.FetchRequest, read func(string) bool, refused []kmsg.FetchRequestTopic) []kmsg.FetchRequestTopic {
	s := z.c.s.sessions.get(req.SessionID)
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.epoch != req.SessionEpoch {
		return nil // the handler refuses the fetch
	}
	skip := make(map[sessionKey]bool)
	for _, t := range refused {
		for _, p := range t.Partitions {
			skip[topicKey(req, t.Topic, t.TopicID, p.Partition)] = true
		}
	}
	var out []kmsg.FetchRequestTopic
	for _, sp := range s.parts {
		name, known := z.topicName(sp.key.topic, sp.key.topicID, req.Version >= 13)
		if skip[sp.key] || !known || read(name) {
			continue
		}
		if n := len(out); n == 0 || out[n-1].Topic != sp.key.topic || out[n-1].TopicID != sp.key.topicID {
			t := kmsg.NewFetchRequestTopic()
			t.Topic, t.TopicID = sp.key.topic, sp.key.topicID
			out = append(out, t)
		}
		p := kmsg.NewFetchRequestTopicPartition()
		p.Partition = sp.key.partition
		out[len(out)-1].Partitions = append(out[len(out)-1].Partitions, p)
	}
	return out
}

// fetchPartitionsRefused answers partitions as Kafka's
// FetchResponse.partitionResponse does for TOPIC_AUTHORIZATION_FAILED.
func fetchPartitionsRefused(topics []kmsg.FetchRequestTopic) []kmsg.FetchResponseTopic {
	var out []kmsg.FetchResponseTopic
	for _, t := range topics {
		rt := kmsg.NewFetchResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewFetchResponseTopicPartition()
			rp.Partition, rp.ErrorCode, rp.HighWatermark = p.Partition, topicDenied, -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}
