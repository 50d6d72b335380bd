package kafka

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/broker"
)

// Metadata v0-13
//
// Behavior:
//   - One broker (this node) leads every partition with leader epoch 0;
//     replicas and ISR are [node id].
//   - Topics nil (or empty before v1) lists every topic; v1+ empty lists none.
//   - Unknown topics are created when the request allows it (always before
//     v4) and auto.create.topics.enable is on; otherwise
//     UNKNOWN_TOPIC_OR_PARTITION. Illegal names get INVALID_TOPIC_EXCEPTION.
//   - v10+: topics asked for by id only; an unknown id is UNKNOWN_TOPIC_ID.
//   - Authorized operations come from the authorizer (authz_ops.go) when
//     asked for, else Kafka's "not requested" value. Which topics are
//     described or created is decided before (authz_metadata.go).
//
// Version notes: v1 controller and rack; v2 cluster id; v4 auto-create
// flag; v7 leader epoch; v8 authorized operations; v9 flexible; v10 topic
// ids; v13 top-level error code.
func (c *conn) handleMetadata(r *request) outcome {
	req := r.kreq.(*kmsg.MetadataRequest)
	resp := req.ResponseKind().(*kmsg.MetadataResponse)
	b := c.s.b
	self := kmsg.NewMetadataResponseBroker()
	self.NodeID, self.Host, self.Port = b.NodeID(), c.l.host, c.l.port
	resp.Brokers = []kmsg.MetadataResponseBroker{self}
	clusterID := b.ClusterID()
	resp.ClusterID = &clusterID
	resp.ControllerID = b.NodeID()
	resp.AuthorizedOperations = c.clusterAuthorizedOps(req.IncludeClusterAuthorizedOperations)

	if req.Topics == nil || (req.Version == 0 && len(req.Topics) == 0) {
		for _, info := range b.Topics() {
			resp.Topics = append(resp.Topics, c.metadataTopic(r, req, info, nil))
		}
		return respond(resp)
	}
	autoCreate := req.Version < 4 || req.AllowAutoTopicCreation
	for _, t := range req.Topics {
		info, err := c.lookupMetadataTopic(t, autoCreate)
		mt := c.metadataTopic(r, req, info, err)
		if err != nil {
			mt.Topic, mt.TopicID = t.Topic, t.TopicID
			if t.Topic != nil {
				mt.AuthorizedOperations = c.authorizedOps(req.IncludeTopicAuthorizedOperations, auth.ResourceTopic, *t.Topic)
			}
		}
		resp.Topics = append(resp.Topics, mt)
	}
	return respond(resp)
}

func (c *conn) lookupMetadataTopic(t kmsg.MetadataRequestTopic, autoCreate bool) (broker.TopicInfo, error) {
	b := c.s.b
	if t.Topic == nil {
		if info, ok := b.TopicByID(t.TopicID); ok {
			return info, nil
		}
		return broker.TopicInfo{}, kerr.UnknownTopicID
	}
	if info, ok := b.Topic(*t.Topic); ok {
		return info, nil
	}
	if err := broker.ValidateTopicName(*t.Topic); err != nil {
		return broker.TopicInfo{}, err
	}
	if !autoCreate {
		return broker.TopicInfo{}, kerr.UnknownTopicOrPartition
	}
	info, err := b.AutoCreate(*t.Topic)
	if errors.Is(err, kerr.InvalidReplicationFactor) || errors.Is(err, kerr.InvalidPartitions) {
		c.lg.Error("auto-creating topic failed", "topic", *t.Topic, "err", err)
	}
	return info, err
}

func (c *conn) metadataTopic(r *request, req *kmsg.MetadataRequest, info broker.TopicInfo, err error) kmsg.MetadataResponseTopic {
	mt := kmsg.NewMetadataResponseTopic()
	mt.AuthorizedOperations = c.authorizedOps(req.IncludeTopicAuthorizedOperations, auth.ResourceTopic, info.Name)
	if err != nil {
		mt.ErrorCode = r.code(err)
		return mt
	}
	name := info.Name
	mt.Topic, mt.TopicID, mt.IsInternal = &name, info.ID, info.Internal
	node := c.s.b.NodeID()
	for i := int32(0); i < info.Partitions; i++ {
		p := kmsg.NewMetadataResponseTopicPartition()
		p.Partition, p.Leader, p.LeaderEpoch = i, node, 0
		p.Replicas, p.ISR, p.OfflineReplicas = []int32{node}, []int32{node}, []int32{}
		mt.Partitions = append(mt.Partitions, p)
	}
	return mt
}
