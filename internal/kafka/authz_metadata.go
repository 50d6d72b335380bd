package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// authorizeMetadata, as KafkaApis.handleTopicMetadataRequest:
//   - Listing every topic leaves out those the principal may not DESCRIBE.
//   - A topic asked for by name without DESCRIBE is TOPIC_AUTHORIZATION_FAILED
//     (its existence is not disclosed: no id, no partitions); asked for by
//     id, the same with its id and no name.
//   - A topic that would be auto-created needs CREATE on the cluster or the
//     topic, else TOPIC_AUTHORIZATION_FAILED and nothing is created.
func authorizeMetadata(z *authzCheck, req *kmsg.MetadataRequest) verdict {
	describe := z.topics(auth.OpDescribe)
	if req.Topics == nil || (req.Version == 0 && len(req.Topics) == 0) {
		return verdict{patch: func(r kmsg.Response) { dropUndescribable(r.(*kmsg.MetadataResponse), describe) }}
	}
	autoCreate := (req.Version < 4 || req.AllowAutoTopicCreation) && z.c.s.b.Config().AutoCreateTopics()
	var refused []kmsg.MetadataResponseTopic
	split(&req.Topics, func(t *kmsg.MetadataRequestTopic) bool {
		mt, ok := z.metadataTopicAllowed(t, describe, autoCreate)
		if !ok {
			refused = append(refused, mt)
		}
		return ok
	})
	if len(refused) == 0 {
		return verdict{}
	}
	onlyRefused := len(req.Topics) == 0 // v0 would list every topic
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.MetadataResponse)
		if onlyRefused {
			resp.Topics = nil
		}
		resp.Topics = append(resp.Topics, refused...)
		z.failed(len(refused))
	}}
}

// metadataTopicAllowed checks one topic asked for, returning its refusal
// when it is refused.
func (z *authzCheck) metadataTopicAllowed(t *kmsg.MetadataRequestTopic, describe func(string) bool, autoCreate bool) (kmsg.MetadataResponseTopic, bool) {
	mt := kmsg.NewMetadataResponseTopic()
	mt.ErrorCode = topicDenied
	if t.Topic == nil {
		info, known := z.c.s.b.TopicByID(t.TopicID)
		if !known || describe(info.Name) {
			return mt, true // unknown ids: the handler answers UNKNOWN_TOPIC_ID
		}
		mt.TopicID = t.TopicID // ids are not secret, names are
		return mt, false
	}
	name := *t.Topic
	mt.Topic = &name
	if !describe(name) {
		return mt, false
	}
	if autoCreate && !z.topicExists(name) && !z.mayCreateTopic(name) {
		return mt, false
	}
	return mt, true
}

func dropUndescribable(resp *kmsg.MetadataResponse, describe func(string) bool) {
	kept := resp.Topics[:0]
	for _, t := range resp.Topics {
		if t.Topic != nil && describe(*t.Topic) {
			kept = append(kept, t)
		}
	}
	resp.Topics = kept
}
