package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// CreateTopics v2-7
//
// Behavior:
//   - Partitions and replication factor -1 take the broker defaults; a
//     replication factor above 1 is INVALID_REPLICATION_FACTOR (one broker).
//   - Manual assignments must place each partition on this node only.
//   - Unknown, unsupported or invalid configs are INVALID_CONFIG; a null
//     config value is INVALID_REQUEST.
//   - A name given twice in one request is INVALID_REQUEST for it.
//   - ValidateOnly checks everything and creates nothing.
//
// Version notes: v5 returns partitions, replication factor and configs;
// v5 flexible; v7 topic id.
func (c *conn) handleCreateTopics(r *request) outcome {
	req := r.kreq.(*kmsg.CreateTopicsRequest)
	resp := req.ResponseKind().(*kmsg.CreateTopicsResponse)
	dups := duplicates(len(req.Topics), func(i int) string { return req.Topics[i].Topic })
	for _, t := range req.Topics {
		rt := kmsg.NewCreateTopicsResponseTopic()
		rt.Topic = t.Topic
		var err error
		var info broker.TopicInfo
		if dups[t.Topic] {
			err = kerr.InvalidRequest
		} else {
			info, err = c.createTopic(t, req.ValidateOnly)
		}
		rt.ErrorCode, rt.ErrorMessage = r.code(err), message(err)
		if err == nil {
			rt.TopicID, rt.NumPartitions, rt.ReplicationFactor = info.ID, info.Partitions, 1
			rt.Configs = c.topicConfigs(info.Configs)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return respond(resp)
}

func (c *conn) createTopic(t kmsg.CreateTopicsRequestTopic, validateOnly bool) (broker.TopicInfo, error) {
	req := broker.CreateTopic{
		Name: t.Topic, Partitions: t.NumPartitions, ReplicationFactor: t.ReplicationFactor, ValidateOnly: validateOnly,
	}
	for _, a := range t.ReplicaAssignment {
		if req.Assignment == nil {
			req.Assignment = make(map[int32][]int32)
		}
		req.Assignment[a.Partition] = a.Replicas
	}
	for _, cfg := range t.Configs {
		if cfg.Value == nil {
			return broker.TopicInfo{}, &broker.Error{Code: kerr.InvalidRequest, Message: "null value not supported for topic config " + cfg.Name}
		}
		if req.Configs == nil {
			req.Configs = make(map[string]string)
		}
		req.Configs[cfg.Name] = *cfg.Value
	}
	return c.s.b.CreateTopic(req)
}

// topicConfigs lists every topic config with its effective value and
// source, as CreateTopics v5+ returns them: the same entries DescribeConfigs
// gives, so a dynamic broker default shows as one.
func (c *conn) topicConfigs(overrides map[string]string) []kmsg.CreateTopicsResponseTopicConfig {
	var out []kmsg.CreateTopicsResponseTopicConfig
	for _, e := range c.s.b.Config().DescribeTopic(overrides) {
		rc := kmsg.NewCreateTopicsResponseTopicConfig()
		rc.Name, rc.Value, rc.Source = e.Name, e.Value, int8(e.Source)
		rc.ReadOnly, rc.IsSensitive = e.ReadOnly, e.Sensitive
		out = append(out, rc)
	}
	return out
}

// duplicates returns the names that appear more than once among n items.
func duplicates(n int, name func(int) string) map[string]bool {
	seen := make(map[string]int, n)
	for i := 0; i < n; i++ {
		seen[name(i)]++
	}
	dups := make(map[string]bool)
	for k, v := range seen {
		if v > 1 {
			dups[k] = true
		}
	}
	return dups
}
