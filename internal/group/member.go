package group

import (
	"bytes"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// member is one member of a classic group; guarded by its group's mutex.
type member struct {
	id         string
	instanceID *string // group.instance.id of a static member (KIP-345)
	clientID   string
	clientHost string

	rebalanceTimeout time.Duration
	sessionTimeout   time.Duration
	protocolType     string
	protocols        []protocol // in the member's order of preference

	assignment []byte // from the leader's last SyncGroup

	// isNew is set from joining until the join phase completes: such a
	// member cannot heartbeat yet, so its timer is the new-member join
	// timeout and expiring it removes the member.
	isNew bool
	join  *joinWaiter // parked JoinGroup, if any
	sync  *syncWaiter // parked SyncGroup, if any
	hb    timer       // session expiry
}

// protocol is one (name, metadata) pair of a JoinGroup. metadata is owned by
// the coordinator (copied from the request, whose buffer is reused).
type protocol struct {
	name     string
	metadata []byte
}

func protocolsFrom(ps []kmsg.JoinGroupRequestProtocol) []protocol {
	out := make([]protocol, len(ps))
	for i, p := range ps {
		out[i] = protocol{name: p.Name, metadata: bytes.Clone(p.Metadata)}
	}
	return out
}

func (m *member) supports(name string) bool {
	for _, p := range m.protocols {
		if p.name == name {
			return true
		}
	}
	return false
}

// metadata is m's metadata for protocol name, nil if it does not support it.
func (m *member) metadata(name string) []byte {
	for _, p := range m.protocols {
		if p.name == name {
			return p.metadata
		}
	}
	return nil
}

// matches reports whether protos are exactly m's protocols, in order: a
// member rejoining with the same metadata does not force a rebalance.
func (m *member) matches(protos []protocol) bool {
	if len(protos) != len(m.protocols) {
		return false
	}
	for i, p := range protos {
		if p.name != m.protocols[i].name || !bytes.Equal(p.metadata, m.protocols[i].metadata) {
			return false
		}
	}
	return true
}

// hasSatisfiedHeartbeat reports whether a session expiry should spare m: a
// member parked in JoinGroup or SyncGroup is waiting on the coordinator,
// except a new member, which expires on its join timeout.
func (m *member) hasSatisfiedHeartbeat() bool {
	if m.isNew {
		return false
	}
	return m.join != nil || m.sync != nil
}

// newMemberID is Kafka's member id: the instance id for a static member,
// else the client id, then "-" and a random UUID.
func newMemberID(clientID string, instanceID *string) string {
	prefix := clientID
	if instanceID != nil {
		prefix = *instanceID
	}
	return prefix + "-" + uuid.NewString()
}

// joinResult is what a parked JoinGroup is answered with; the caller turns
// it into a response at its request's version.
type joinResult struct {
	code         int16
	generation   int32
	protocolType *string
	protocol     *string
	leader       string
	memberID     string
	members      []kmsg.JoinGroupResponseMember
}

func joinError(code int16, memberID string) joinResult {
	return joinResult{code: code, generation: -1, memberID: memberID}
}

func (r joinResult) response(version int16) *kmsg.JoinGroupResponse {
	resp := kmsg.NewPtrJoinGroupResponse()
	resp.Version = version
	resp.ErrorCode = r.code
	resp.Generation = r.generation
	resp.ProtocolType = r.protocolType
	resp.Protocol = r.protocol
	resp.LeaderID = r.leader
	resp.MemberID = r.memberID
	resp.Members = r.members
	// SkipAssignment (v9, KIP-814) stays false: a static leader that rejoins
	// a Stable group is answered as a follower instead, as before v9.
	return resp
}

// syncResult is what a parked SyncGroup is answered with.
type syncResult struct {
	code         int16
	protocolType *string
	protocol     *string
	assignment   []byte
}

func syncError(code int16) syncResult { return syncResult{code: code} }

func (r syncResult) response(version int16) *kmsg.SyncGroupResponse {
	resp := kmsg.NewPtrSyncGroupResponse()
	resp.Version = version
	resp.ErrorCode = r.code
	resp.ProtocolType = r.protocolType
	resp.Protocol = r.protocol
	resp.MemberAssignment = r.assignment
	return resp
}

// joinWaiter is a parked JoinGroup. The channel holds one result, so
// delivering never blocks and a caller that gave up can still read it.
type joinWaiter struct {
	m  *member
	ch chan joinResult
}

func newJoinWaiter(m *member) *joinWaiter {
	return &joinWaiter{m: m, ch: make(chan joinResult, 1)}
}

func (w *joinWaiter) deliver(r joinResult) { w.ch <- r }

// syncWaiter is a parked SyncGroup.
type syncWaiter struct {
	m  *member
	ch chan syncResult
}

func newSyncWaiter(m *member) *syncWaiter {
	return &syncWaiter{m: m, ch: make(chan syncResult, 1)}
}

func (w *syncWaiter) deliver(r syncResult) { w.ch <- r }

// strPtr returns &s, or nil for "" (Kafka's Optional.empty on the wire).
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
