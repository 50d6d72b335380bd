package group

import (
	"cmp"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeGroups describes groups and their members.
//
// Behavior (Kafka 4.x):
//   - A group that does not exist is state "Dead" with no members; v6+ adds
//     GROUP_ID_NOT_FOUND and a message (KIP-1043). Group "" is a valid name.
//     A consumer (KIP-848) group is answered the same way, with the message
//     "Group <id> is not a classic group.", as Kafka 4 does.
//   - Protocol, and each member's metadata and assignment, are filled only
//     when the group is Stable; other states list the members without them.
//   - AuthorizedOperations (v3+) is left unset (-2147483648) for the front
//     end to fill if it authorizes.
//
// Version notes: v4 InstanceID; v6 ErrorMessage.
func (c *Coordinator) DescribeGroups(req *kmsg.DescribeGroupsRequest) *kmsg.DescribeGroupsResponse {
	resp := kmsg.NewPtrDescribeGroupsResponse()
	resp.Version = req.Version
	for _, id := range req.Groups {
		resp.Groups = append(resp.Groups, c.describe(req.Version, id))
	}
	return resp
}

func (c *Coordinator) describe(version int16, id string) kmsg.DescribeGroupsResponseGroup {
	dg := kmsg.NewDescribeGroupsResponseGroup()
	dg.Group = id
	g, code := c.lockGroup(id, false)
	if code != 0 {
		dg.ErrorCode = code
		return dg
	}
	if g == nil {
		dg.State = stateDead.String()
		if version >= 6 {
			dg.ErrorCode = kerr.GroupIDNotFound.Code
			msg := "Group " + id + " not found."
			dg.ErrorMessage = &msg
		}
		return dg
	}
	defer g.mu.Unlock()
	if g.cg != nil {
		// Kafka 4 describes only classic groups here: a consumer group is
		// answered as a missing one, with its own message in v6+.
		dg.State = stateDead.String()
		if version >= 6 {
			dg.ErrorCode = kerr.GroupIDNotFound.Code
			msg := "Group " + id + " is not a classic group."
			dg.ErrorMessage = &msg
		}
		return dg
	}
	dg.State = g.state.String()
	dg.ProtocolType = g.protocolType
	stable := g.state == stateStable
	if stable {
		dg.Protocol = g.protocol
	}
	for _, m := range g.members {
		dm := kmsg.NewDescribeGroupsResponseGroupMember()
		dm.MemberID = m.id
		dm.InstanceID = m.instanceID
		dm.ClientID = m.clientID
		dm.ClientHost = m.clientHost
		if stable {
			dm.ProtocolMetadata = m.metadata(g.protocol)
			dm.MemberAssignment = m.assignment
		}
		dg.Members = append(dg.Members, dm)
	}
	return dg
}

// ListGroups lists the groups, sorted by id.
//
// Behavior: StatesFilter (v4+) matches state names case-insensitively;
// TypesFilter (v5+) matches "classic" or "consumer" case-insensitively.
// Consumer groups show their KIP-848 state (Empty, Assigning, Reconciling,
// Stable) and protocol type "consumer". Empty filters match everything. After Close the answer is COORDINATOR_NOT_AVAILABLE.
//
// Version notes: v4 StatesFilter and GroupState; v5 TypesFilter and
// GroupType.
func (c *Coordinator) ListGroups(req *kmsg.ListGroupsRequest) *kmsg.ListGroupsResponse {
	resp := kmsg.NewPtrListGroupsResponse()
	resp.Version = req.Version
	if c.isClosed() {
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
		return resp
	}
	states := lowerSet(req.StatesFilter)
	types := lowerSet(req.TypesFilter)
	for _, g := range c.groupList() {
		g.mu.Lock()
		dead, st, pt, typ := g.state == stateDead, g.stateNameLocked(), g.protocolType, g.typeLocked()
		g.mu.Unlock()
		if dead || (len(states) > 0 && !states[strings.ToLower(st)]) || (len(types) > 0 && !types[typ]) {
			continue
		}
		lg := kmsg.NewListGroupsResponseGroup()
		lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = g.id, pt, st, typ
		resp.Groups = append(resp.Groups, lg)
	}
	return resp
}

func lowerSet(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[strings.ToLower(strings.TrimSpace(s))] = true
	}
	return m
}

func sortedPartitions(offsets map[TopicPartition]Offset) []TopicPartition {
	tps := make([]TopicPartition, 0, len(offsets))
	for tp := range offsets {
		tps = append(tps, tp)
	}
	slices.SortFunc(tps, func(a, b TopicPartition) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	return tps
}
