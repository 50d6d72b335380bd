package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Heartbeat keeps a member's session alive and tells it when to rejoin.
//
// Behavior (Kafka's order of checks):
//   - group "" is INVALID_GROUP_ID.
//   - A group that does not exist is UNKNOWN_MEMBER_ID (Kafka 4 answers a
//     classic heartbeat for a missing group so, not GROUP_ID_NOT_FOUND).
//   - Unknown member UNKNOWN_MEMBER_ID, replaced static member
//     FENCED_INSTANCE_ID, other generation ILLEGAL_GENERATION.
//   - PreparingRebalance: REBALANCE_IN_PROGRESS, and the session is renewed.
//   - CompletingRebalance (a member may heartbeat between its JoinGroup and
//     SyncGroup) and Stable: no error, the session is renewed.
//   - A KIP-848 consumer group checks a classic member against its epoch
//     and tells it to rejoin when it must (classic.go).
//
// Version notes: v3 InstanceID.
func (c *Coordinator) Heartbeat(req *kmsg.HeartbeatRequest) *kmsg.HeartbeatResponse {
	resp := kmsg.NewPtrHeartbeatResponse()
	resp.Version = req.Version
	resp.ErrorCode = c.heartbeat(req)
	return resp
}

func (c *Coordinator) heartbeat(req *kmsg.HeartbeatRequest) int16 {
	if req.Group == "" {
		return kerr.InvalidGroupID.Code
	}
	g, code := c.lockGroup(req.Group, false)
	if code != 0 {
		return code
	}
	if g == nil {
		return kerr.UnknownMemberID.Code
	}
	defer g.mu.Unlock()
	if g.cg != nil {
		return g.classicHeartbeatConsumerLocked(req)
	}
	if code := g.validateMemberLocked(req.MemberID, req.InstanceID); code != 0 {
		return code
	}
	if req.Generation != g.generation {
		return kerr.IllegalGeneration.Code
	}
	m := g.byID[req.MemberID]
	switch g.state {
	case statePreparingRebalance:
		g.armSessionLocked(m)
		return kerr.RebalanceInProgress.Code
	case stateCompletingRebalance, stateStable:
		g.armSessionLocked(m)
		return 0
	}
	return kerr.UnknownMemberID.Code
}
