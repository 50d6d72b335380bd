package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetDelete deletes committed offsets of a group.
//
// Behavior (Kafka 4.x):
//   - group "" is INVALID_GROUP_ID; a group that does not exist is
//     GROUP_ID_NOT_FOUND.
//   - A group with members whose protocol type is not "consumer" is
//     NON_EMPTY_GROUP: its subscriptions cannot be known.
//   - A topic the members subscribe to is GROUP_SUBSCRIBED_TO_TOPIC for each
//     of its partitions; other partitions are deleted (no error, committed or
//     not).
//   - The deletion is written with Store.DeleteOffsets first; on failure the
//     response carries the Store's error code at the top level and nothing
//     is deleted.
func (c *Coordinator) OffsetDelete(req *kmsg.OffsetDeleteRequest) *kmsg.OffsetDeleteResponse {
	resp := kmsg.NewPtrOffsetDeleteResponse()
	resp.Version = req.Version
	if req.Group == "" {
		resp.ErrorCode = kerr.InvalidGroupID.Code
		return resp
	}
	g, code := c.lockGroup(req.Group, false)
	if code != 0 {
		resp.ErrorCode = code
		return resp
	}
	if g == nil {
		resp.ErrorCode = kerr.GroupIDNotFound.Code
		return resp
	}
	defer g.mu.Unlock()
	if g.state != stateEmpty && g.protocolType != consumerProtocolType {
		resp.ErrorCode = kerr.NonEmptyGroup.Code
		return resp
	}
	var gone []TopicPartition
	for _, t := range req.Topics {
		rt := kmsg.NewOffsetDeleteResponseTopic()
		rt.Topic = t.Topic
		subscribed := g.subscribedToLocked(t.Topic)
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetDeleteResponseTopicPartition()
			rp.Partition = p.Partition
			tp := TopicPartition{t.Topic, p.Partition}
			if subscribed {
				rp.ErrorCode = kerr.GroupSubscribedToTopic.Code
			} else if _, ok := g.offsets[tp]; ok {
				gone = append(gone, tp)
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	if len(gone) == 0 {
		return resp
	}
	if err := c.opts.Store.DeleteOffsets(g.id, gone); err != nil {
		c.lg.Warn("failed to persist offset deletion", "group", g.id, "err", err)
		resp.ErrorCode, resp.Topics = storeCode(err), nil
		return resp
	}
	for _, tp := range gone {
		delete(g.offsets, tp)
	}
	return resp
}

// DeleteGroups deletes groups and their offsets.
//
// Behavior (Kafka 4.x): only an Empty group (classic, or consumer without
// members) can be deleted (others are
// NON_EMPTY_GROUP); a group that does not exist is GROUP_ID_NOT_FOUND; group
// "" is a valid name. The deletion is written with Store.DeleteGroup first;
// on failure the group gets the Store's error code and stays.
//
// Version notes: v3 ErrorMessage (left null).
func (c *Coordinator) DeleteGroups(req *kmsg.DeleteGroupsRequest) *kmsg.DeleteGroupsResponse {
	resp := kmsg.NewPtrDeleteGroupsResponse()
	resp.Version = req.Version
	for _, id := range req.Groups {
		dg := kmsg.NewDeleteGroupsResponseGroup()
		dg.Group = id
		dg.ErrorCode = c.deleteGroup(id)
		resp.Groups = append(resp.Groups, dg)
	}
	return resp
}

func (c *Coordinator) deleteGroup(id string) int16 {
	g, code := c.lockGroup(id, false)
	if code != 0 {
		return code
	}
	if g == nil {
		return kerr.GroupIDNotFound.Code
	}
	defer g.mu.Unlock()
	if g.state != stateEmpty || (g.cg != nil && len(g.cg.members) > 0) {
		return kerr.NonEmptyGroup.Code
	}
	if err := c.opts.Store.DeleteGroup(id); err != nil {
		c.lg.Warn("failed to persist group deletion", "group", id, "err", err)
		return storeCode(err)
	}
	g.killLocked()
	c.lg.Info("deleted group", "group", id)
	return 0
}

// killLocked makes g Dead and unmaps it; its state is already persisted as
// gone.
func (g *group) killLocked() {
	g.stopTimersLocked()
	g.transitionLocked(stateDead)
	g.c.unmapLocked(g)
}
