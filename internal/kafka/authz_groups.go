package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// Rules of the consumer group APIs (KafkaApis' group handlers): taking
// part in a group needs READ on it, looking at it DESCRIBE, deleting it or
// its offsets DELETE; refusals are GROUP_AUTHORIZATION_FAILED.

// authorizeFindCoordinator: DESCRIBE on the group (key type 0) or the
// transactional id (1); other key types are the handler's. v4+ answers
// each key on its own.
func authorizeFindCoordinator(z *authzCheck, req *kmsg.FindCoordinatorRequest) verdict {
	var t auth.ResourceType
	var code int16
	switch req.CoordinatorType {
	case 0:
		t, code = auth.ResourceGroup, groupDenied
	case 1:
		t, code = auth.ResourceTransactionalID, txnDenied
	default:
		return verdict{}
	}
	if req.Version < 4 {
		if z.allowed(auth.OpDescribe, t, req.CoordinatorKey) {
			return verdict{}
		}
		resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
		resp.ErrorCode, resp.ErrorMessage, resp.NodeID, resp.Port = code, errorMessage(code), -1, -1
		return deny(resp)
	}
	refused := split(&req.CoordinatorKeys, func(k *string) bool { return z.allowed(auth.OpDescribe, t, *k) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.FindCoordinatorResponse)
		for _, key := range refused {
			rc := kmsg.NewFindCoordinatorResponseCoordinator()
			rc.Key, rc.NodeID, rc.Port, rc.ErrorCode, rc.ErrorMessage = key, -1, -1, code, errorMessage(code)
			resp.Coordinators = append(resp.Coordinators, rc)
		}
		z.failed(len(refused))
	}}
}

// authorizeJoinGroup, authorizeSyncGroup, authorizeHeartbeat,
// authorizeLeaveGroup: READ on the group.
func authorizeJoinGroup(z *authzCheck, req *kmsg.JoinGroupRequest) verdict {
	resp := req.ResponseKind().(*kmsg.JoinGroupResponse)
	resp.ErrorCode = groupDenied
	return z.needGroup(auth.OpRead, req.Group, resp)
}

func authorizeSyncGroup(z *authzCheck, req *kmsg.SyncGroupRequest) verdict {
	resp := req.ResponseKind().(*kmsg.SyncGroupResponse)
	resp.ErrorCode = groupDenied
	return z.needGroup(auth.OpRead, req.Group, resp)
}

func authorizeHeartbeat(z *authzCheck, req *kmsg.HeartbeatRequest) verdict {
	resp := req.ResponseKind().(*kmsg.HeartbeatResponse)
	resp.ErrorCode = groupDenied
	return z.needGroup(auth.OpRead, req.Group, resp)
}

func authorizeLeaveGroup(z *authzCheck, req *kmsg.LeaveGroupRequest) verdict {
	resp := req.ResponseKind().(*kmsg.LeaveGroupResponse)
	resp.ErrorCode = groupDenied
	return z.needGroup(auth.OpRead, req.Group, resp)
}

// needGroup allows the request with op on group, else answers refusal.
func (z *authzCheck) needGroup(op auth.Operation, group string, refusal kmsg.Response) verdict {
	if z.group(op, group) {
		return verdict{}
	}
	return deny(refusal)
}

// authorizeDescribeGroups: DESCRIBE on each group, else an entry with
// GROUP_AUTHORIZATION_FAILED and nothing else.
func authorizeDescribeGroups(z *authzCheck, req *kmsg.DescribeGroupsRequest) verdict {
	refused := split(&req.Groups, func(g *string) bool { return z.group(auth.OpDescribe, *g) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.DescribeGroupsResponse)
		for _, g := range refused {
			rg := kmsg.NewDescribeGroupsResponseGroup()
			rg.Group, rg.ErrorCode, rg.ErrorMessage = g, groupDenied, errorMessage(groupDenied)
			resp.Groups = append(resp.Groups, rg)
		}
		z.failed(len(refused))
	}}
}

// authorizeListGroups: every group with DESCRIBE on the cluster, else
// only the groups the principal may DESCRIBE.
func authorizeListGroups(z *authzCheck, req *kmsg.ListGroupsRequest) verdict {
	if z.cluster(auth.OpDescribe) {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.ListGroupsResponse)
		kept := resp.Groups[:0]
		for _, g := range resp.Groups {
			if z.group(auth.OpDescribe, g.Group) {
				kept = append(kept, g)
			}
		}
		resp.Groups = kept
	}}
}

// authorizeDeleteGroups: DELETE on each group.
func authorizeDeleteGroups(z *authzCheck, req *kmsg.DeleteGroupsRequest) verdict {
	refused := split(&req.Groups, func(g *string) bool { return z.group(auth.OpDelete, *g) })
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.DeleteGroupsResponse)
		for _, g := range refused {
			rg := kmsg.NewDeleteGroupsResponseGroup()
			rg.Group, rg.ErrorCode = g, groupDenied
			resp.Groups = append(resp.Groups, rg)
		}
		z.failed(len(refused))
	}}
}

// authorizeConsumerGroupHeartbeat: READ on the group; subscribed topic
// names (when given) all need DESCRIBE, else TOPIC_AUTHORIZATION_FAILED
// (Kafka 4.0). Topics matched by a regex subscription are not filtered
// (Kafka 4.1 leaves unauthorized ones out).
func authorizeConsumerGroupHeartbeat(z *authzCheck, req *kmsg.ConsumerGroupHeartbeatRequest) verdict {
	resp := req.ResponseKind().(*kmsg.ConsumerGroupHeartbeatResponse)
	if !z.group(auth.OpRead, req.Group) {
		resp.ErrorCode = groupDenied
		return deny(resp)
	}
	describe := z.topics(auth.OpDescribe)
	for _, t := range req.SubscribedTopicNames {
		if !describe(t) {
			resp.ErrorCode = topicDenied
			return deny(resp)
		}
	}
	return verdict{}
}

// authorizeConsumerGroupDescribe: DESCRIBE on each group, else an entry
// with GROUP_AUTHORIZATION_FAILED; a group whose members are assigned a
// topic the principal may not DESCRIBE is answered
// TOPIC_AUTHORIZATION_FAILED instead of described (Kafka 4).
func authorizeConsumerGroupDescribe(z *authzCheck, req *kmsg.ConsumerGroupDescribeRequest) verdict {
	refused := split(&req.Groups, func(g *string) bool { return z.group(auth.OpDescribe, *g) })
	describe := z.topics(auth.OpDescribe)
	return verdict{patch: func(r kmsg.Response) {
		resp := r.(*kmsg.ConsumerGroupDescribeResponse)
		for i := range resp.Groups {
			if g := &resp.Groups[i]; assignsUndescribable(g, describe) {
				*g = describedGroupRefused(g.Group, topicDenied, "The group has described topic(s) that the client is not authorized to describe.")
			}
		}
		for _, g := range refused {
			resp.Groups = append(resp.Groups, describedGroupRefused(g, groupDenied, ""))
		}
		z.failed(len(refused))
	}}
}

func assignsUndescribable(g *kmsg.ConsumerGroupDescribeResponseGroup, describe func(string) bool) bool {
	for _, m := range g.Members {
		for _, a := range []kmsg.Assignment{m.Assignment, m.TargetAssignment} {
			for _, tp := range a.TopicPartitions {
				if tp.Topic != "" && !describe(tp.Topic) { // "": a deleted topic
					return true
				}
			}
		}
	}
	return false
}

func describedGroupRefused(group string, code int16, msg string) kmsg.ConsumerGroupDescribeResponseGroup {
	g := kmsg.NewConsumerGroupDescribeResponseGroup()
	g.Group, g.ErrorCode = group, code
	if msg != "" {
		g.ErrorMessage = &msg
	}
	return g
}
