package kafka

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// Rules of the topic admin APIs (Kafka 4's ControllerApis for CreateTopics,
// DeleteTopics, CreatePartitions; DescribeTopicPartitionsRequestHandler).

// mayDescribeTopic is what a listing of every topic shows: the handler of
// DescribeTopicPartitions filters before paging, as Kafka does.
func (c *conn) mayDescribeTopic(name string) bool {
	a := c.s.b.Authorizer()
	return !a.Enabled() || a.Authorize(c.client(), auth.OpDescribe, auth.Resource{Type: auth.ResourceTopic, Name: name})
}

// authorizeDescribeTopicPartitions: topics asked for without DESCRIBE are
// TOPIC_AUTHORIZATION_FAILED (no id, no partitions), added to every page
// from the cursor on as Kafka does; listing every topic is filtered by the
// handler (mayDescribeTopic). A refused cursor topic moves the cursor to
// the next topic asked for.
func authorizeDescribeTopicPartitions(z *authzCheck, req *kmsg.DescribeTopicPartitionsRequest) verdict {
	if len(req.Topics) == 0 || !cursorValid(req) {
		return verdict{} // the handler lists, or refuses the request
	}
	from := ""
	if req.Cursor != nil {
		from = req.Cursor.Topic
	}
	describe := z.topics(auth.OpDescribe)
	var refused []string
	split(&req.Topics, func(t *kmsg.DescribeTopicPartitionsRequestTopic) bool {
		ok := t.Topic < from || describe(t.Topic) // before the cursor: skipped by the handler
		if !ok && !slices.Contains(refused, t.Topic) {
			refused = append(refused, t.Topic)
		}
		return ok
	})
	if len(refused) == 0 {
		return verdict{}
	}
	slices.Sort(refused)
	entries := describedTopicsRefused(refused)
	next, found := firstFrom(req.Topics, from)
	if !found {
		resp := req.ResponseKind().(*kmsg.DescribeTopicPartitionsResponse)
		resp.Topics = entries
		return deny(resp)
	}
	if req.Cursor != nil && slices.Contains(refused, req.Cursor.Topic) {
		req.Cursor.Topic, req.Cursor.Partition = next, 0
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.DescribeTopicPartitionsResponse)
		resp.Topics = append(resp.Topics, entries...)
		z.failed(len(entries))
	}}
}

// cursorValid: a cursor must name a topic asked for and a partition >= 0,
// else the handler fails the request (before any authorization, in Kafka).
func cursorValid(req *kmsg.DescribeTopicPartitionsRequest) bool {
	if req.Cursor == nil {
		return true
	}
	return req.Cursor.Partition >= 0 && slices.ContainsFunc(req.Topics, func(t kmsg.DescribeTopicPartitionsRequestTopic) bool {
		return t.Topic == req.Cursor.Topic
	})
}

// firstFrom is the smallest topic name at or after from.
func firstFrom(topics []kmsg.DescribeTopicPartitionsRequestTopic, from string) (string, bool) {
	first, found := "", false
	for _, t := range topics {
		if t.Topic >= from && (!found || t.Topic < first) {
			first, found = t.Topic, true
		}
	}
	return first, found
}

func describedTopicsRefused(names []string) []kmsg.DescribeTopicPartitionsResponseTopic {
	var out []kmsg.DescribeTopicPartitionsResponseTopic
	for _, name := range names {
		rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
		rt.Topic, rt.ErrorCode = &name, topicDenied
		rt.Partitions = []kmsg.DescribeTopicPartitionsResponseTopicPartition{}
		out = append(out, rt)
	}
	return out
}

// authorizeCreateTopics: CREATE on the cluster, or on each topic (else
// TOPIC_AUTHORIZATION_FAILED, "Authorization failed."). A created topic's
// configs (v5+) are shown only with DESCRIBE_CONFIGS on it, else its
// config error code is TOPIC_AUTHORIZATION_FAILED. A name given twice is
// left to the handler (INVALID_REQUEST), as Kafka checks that first.
func authorizeCreateTopics(z *authzCheck, req *kmsg.CreateTopicsRequest) verdict {
	dups := duplicates(len(req.Topics), func(i int) string { return req.Topics[i].Topic })
	all := z.cluster(auth.OpCreate)
	refused := split(&req.Topics, func(t *kmsg.CreateTopicsRequestTopic) bool {
		return all || dups[t.Topic] || z.topic(auth.OpCreate, t.Topic)
	})
	if len(refused) == 0 && req.Version < 5 {
		return verdict{}
	}
	describeConfigs := z.topics(auth.OpDescribeConfigs)
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.CreateTopicsResponse)
		for i := range resp.Topics {
			if t := &resp.Topics[i]; t.ErrorCode == 0 && !describeConfigs(t.Topic) {
				t.ConfigErrorCode, t.Configs = topicDenied, nil
			}
		}
		msg := "Authorization failed."
		for _, t := range refused {
			rt := kmsg.NewCreateTopicsResponseTopic()
			rt.Topic, rt.ErrorCode, rt.ErrorMessage = t.Topic, topicDenied, &msg
			resp.Topics = append(resp.Topics, rt)
		}
		z.failed(len(refused))
	}}
}

// authorizeDeleteTopics: DELETE on each topic, else
// TOPIC_AUTHORIZATION_FAILED; a topic given by id is named in the refusal
// only if the principal may DESCRIBE it. Unknown ids and malformed entries
// are left to the handler.
func authorizeDeleteTopics(z *authzCheck, req *kmsg.DeleteTopicsRequest) verdict {
	del := z.topics(auth.OpDelete)
	var refused []kmsg.DeleteTopicsResponseTopic
	refuse := func(name *string, id [16]byte) {
		rt := kmsg.NewDeleteTopicsResponseTopic()
		rt.Topic, rt.TopicID, rt.ErrorCode, rt.ErrorMessage = name, id, topicDenied, errorMessage(topicDenied)
		refused = append(refused, rt)
	}
	split(&req.TopicNames, func(name *string) bool {
		if !del(*name) {
			refuse(name, [16]byte{})
		}
		return del(*name)
	})
	split(&req.Topics, func(t *kmsg.DeleteTopicsRequestTopic) bool {
		switch {
		case t.Topic != nil && t.TopicID != [16]byte{}:
			return true // INVALID_REQUEST from the handler
		case t.Topic != nil:
			if !del(*t.Topic) {
				refuse(t.Topic, [16]byte{})
			}
			return del(*t.Topic)
		}
		info, known := z.c.s.b.TopicByID(t.TopicID)
		if !known || del(info.Name) {
			return true
		}
		var name *string
		if z.topic(auth.OpDescribe, info.Name) {
			name = &info.Name
		}
		refuse(name, t.TopicID)
		return false
	})
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.DeleteTopicsResponse)
		resp.Topics = append(resp.Topics, refused...)
		z.failed(len(refused))
	}}
}

// authorizeCreatePartitions: ALTER on each topic, else
// TOPIC_AUTHORIZATION_FAILED; a name given twice is left to the handler.
func authorizeCreatePartitions(z *authzCheck, req *kmsg.CreatePartitionsRequest) verdict {
	dups := duplicates(len(req.Topics), func(i int) string { return req.Topics[i].Topic })
	alter := z.topics(auth.OpAlter)
	refused := split(&req.Topics, func(t *kmsg.CreatePartitionsRequestTopic) bool { return dups[t.Topic] || alter(t.Topic) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.CreatePartitionsResponse)
		for _, t := range refused {
			rt := kmsg.NewCreatePartitionsResponseTopic()
			rt.Topic, rt.ErrorCode, rt.ErrorMessage = t.Topic, topicDenied, errorMessage(topicDenied)
			resp.Topics = append(resp.Topics, rt)
		}
		z.failed(len(refused))
	}}
}
