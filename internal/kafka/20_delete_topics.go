package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// DeleteTopics v1-6
//
// Behavior:
//   - Before v6 topics are named; v6 names each topic or gives its id (not
//     both: INVALID_REQUEST). Unknown names are UNKNOWN_TOPIC_OR_PARTITION,
//     unknown ids UNKNOWN_TOPIC_ID.
//   - The topic is gone from metadata and its files removed before the
//     response; a new topic with the same name starts empty.
//   - delete.topic.enable=false answers TOPIC_DELETION_DISABLED.
//
// Version notes: v4 flexible; v5 error message; v6 topic ids.
func (c *conn) handleDeleteTopics(r *request) outcome {
	req := r.kreq.(*kmsg.DeleteTopicsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteTopicsResponse)
	topics := req.Topics
	if req.Version < 6 {
		topics = nil
		for _, name := range req.TopicNames {
			topics = append(topics, kmsg.DeleteTopicsRequestTopic{Topic: &name})
		}
	}
	for _, t := range topics {
		rt := kmsg.NewDeleteTopicsResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		var err error
		switch {
		case t.Topic != nil && t.TopicID != [16]byte{}:
			err = kerr.InvalidRequest
		case t.Topic != nil:
			_, err = c.s.b.DeleteTopic(*t.Topic, [16]byte{})
		default:
			var deleted broker.TopicInfo
			if deleted, err = c.s.b.DeleteTopic("", t.TopicID); err == nil {
				rt.Topic = &deleted.Name
			}
		}
		if err == nil {
			c.lg.Info("topic deleted", "topic", *rt.Topic)
		}
		rt.ErrorCode, rt.ErrorMessage = r.code(err), message(err)
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}
