package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// LeaveGroup removes members from a group, which then rebalances (or, with
// no members left, becomes Empty).
//
// Behavior:
//   - group "" is INVALID_GROUP_ID.
//   - A group that does not exist: every member UNKNOWN_MEMBER_ID.
//   - Each member is named by member id, or (an admin removing a static
//     member) by instance id with an empty member id. A member id that does
//     not exist is UNKNOWN_MEMBER_ID; a static member id other than the
//     instance's current one is FENCED_INSTANCE_ID. A member id handed out
//     with MEMBER_ID_REQUIRED and not yet used is simply forgotten.
//   - A member parked in JoinGroup is answered UNKNOWN_MEMBER_ID.
//   - In a KIP-848 consumer group members of either protocol leave
//     together; if only classic members remain, the group may downgrade
//     (classic.go, migrate.go).
//
// Version notes: v0-v2 name one member (MemberID) and report its error at
// the top level; v3 batches Members with per-member errors (KIP-345); v5
// Reason per member.
func (c *Coordinator) LeaveGroup(req *kmsg.LeaveGroupRequest) *kmsg.LeaveGroupResponse {
	resp := kmsg.NewPtrLeaveGroupResponse()
	resp.Version = req.Version
	leaving := req.Members
	if req.Version < 3 {
		lm := kmsg.NewLeaveGroupRequestMember()
		lm.MemberID = req.MemberID
		leaving = []kmsg.LeaveGroupRequestMember{lm}
	}
	codes, top := c.leave(req.Group, leaving)
	if req.Version < 3 {
		resp.ErrorCode = top
		if top == 0 && len(codes) > 0 {
			resp.ErrorCode = codes[0]
		}
		return resp
	}
	resp.ErrorCode = top
	if top != 0 {
		return resp
	}
	for i, lm := range leaving {
		rm := kmsg.NewLeaveGroupResponseMember()
		rm.MemberID = lm.MemberID
		rm.InstanceID = lm.InstanceID
		rm.ErrorCode = codes[i]
		resp.Members = append(resp.Members, rm)
	}
	return resp
}

// leave removes the members and returns a code per member, or a code for
// the whole request.
func (c *Coordinator) leave(groupID string, leaving []kmsg.LeaveGroupRequestMember) (codes []int16, top int16) {
	if groupID == "" {
		return nil, kerr.InvalidGroupID.Code
	}
	codes = make([]int16, len(leaving))
	g, code := c.lockGroup(groupID, false)
	if code != 0 {
		return nil, code
	}
	if g == nil {
		for i := range codes {
			codes[i] = kerr.UnknownMemberID.Code
		}
		return codes, 0
	}
	defer g.mu.Unlock()
	if g.cg != nil {
		return g.classicLeaveConsumerLocked(leaving)
	}
	removed := false
	for i, lm := range leaving {
		var m *member
		switch {
		case lm.MemberID == "":
			if lm.InstanceID != nil {
				m = g.byID[g.static[*lm.InstanceID]]
			}
			if m == nil {
				codes[i] = kerr.UnknownMemberID.Code
				continue
			}
		case g.takePendingLocked(lm.MemberID):
			removed = true
			continue
		default:
			if codes[i] = g.validateMemberLocked(lm.MemberID, lm.InstanceID); codes[i] != 0 {
				continue
			}
			m = g.byID[lm.MemberID]
		}
		reason := "not provided"
		if lm.Reason != nil {
			reason = *lm.Reason
		}
		g.c.lg.Info("member left the group", "group", g.id, "member", m.id, "reason", reason)
		g.removeMemberLocked(m)
		removed = true
	}
	if removed {
		g.afterRemovalLocked("members left the group")
	}
	return codes, 0
}
