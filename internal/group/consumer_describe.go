package group

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ConsumerGroupDescribe describes KIP-848 consumer groups.
//
// Behavior (Kafka 4.x): group "" is INVALID_GROUP_ID; a group that does not
// exist, or is a classic group, is GROUP_ID_NOT_FOUND with Kafka's message.
// Members are listed by member id with their epoch, subscription (topic
// names as sent, and the regex), current assignment (without partitions
// pending revocation) and target assignment, each topic named by id and
// name. AuthorizedOperations is left unset (-2147483648) for the front end
// to fill if it authorizes.
//
// Version notes: v1 MemberType: 0 for a member using the classic protocol
// (classic.go), 1 for the consumer protocol.
func (c *Coordinator) ConsumerGroupDescribe(req *kmsg.ConsumerGroupDescribeRequest) *kmsg.ConsumerGroupDescribeResponse {
	resp := kmsg.NewPtrConsumerGroupDescribeResponse()
	resp.Version = req.Version
	for _, id := range req.Groups {
		resp.Groups = append(resp.Groups, c.describeConsumer(req.Version, id))
	}
	return resp
}

func (c *Coordinator) describeConsumer(version int16, id string) kmsg.ConsumerGroupDescribeResponseGroup {
	dg := kmsg.NewConsumerGroupDescribeResponseGroup()
	dg.Group = id
	fail := func(code int16, msg string) kmsg.ConsumerGroupDescribeResponseGroup {
		dg.ErrorCode = code
		if msg != "" {
			dg.ErrorMessage = &msg
		}
		return dg
	}
	if id == "" {
		return fail(kerr.InvalidGroupID.Code, "")
	}
	g, code := c.lockGroup(id, false)
	if code != 0 {
		return fail(code, "")
	}
	if g == nil {
		return fail(kerr.GroupIDNotFound.Code, "Group "+id+" not found.")
	}
	defer g.mu.Unlock()
	cg := g.cg
	if cg == nil {
		return fail(kerr.GroupIDNotFound.Code, "Group "+id+" is not a consumer group.")
	}
	dg.State = string(cg.stateLocked())
	dg.Epoch = cg.epoch
	dg.AssignmentEpoch = cg.assignEpoch
	dg.AssignorName = cg.assignor
	if dg.AssignorName == "" {
		dg.AssignorName = defaultAssignor
	}
	for _, m := range cg.sortedMembers() {
		dm := kmsg.NewConsumerGroupDescribeResponseGroupMember()
		dm.MemberID = m.id
		dm.InstanceID = m.instanceID
		dm.RackID = m.rackID
		dm.MemberEpoch = m.epoch
		dm.ClientID = m.clientID
		dm.ClientHost = m.clientHost
		dm.SubscribedTopics = slices.Clone(m.topics)
		if dm.SubscribedTopics == nil {
			dm.SubscribedTopics = []string{}
		}
		dm.SubscribedTopicRegex = m.regex
		dm.Assignment = g.describeAssignment(m.assigned)
		dm.TargetAssignment = g.describeAssignment(cg.target[m.id])
		if version >= 1 {
			dm.MemberType = 1
			if m.classic != nil {
				dm.MemberType = 0
			}
		}
		dg.Members = append(dg.Members, dm)
	}
	return dg
}

func (g *group) describeAssignment(s partSet) kmsg.Assignment {
	a := kmsg.Assignment{TopicPartitions: []kmsg.AssignmentTopicPartition{}}
	for _, t := range assignmentTopics(s) {
		at := kmsg.AssignmentTopicPartition{TopicID: t.TopicID, Topic: g.consumerTopicName(t.TopicID), Partitions: t.Partitions}
		a.TopicPartitions = append(a.TopicPartitions, at)
	}
	return a
}
