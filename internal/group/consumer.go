package group

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// This file is the state of a KIP-848 "consumer" group: members with
// epochs, the target assignment the server-side assignor computed, and the
// reconciliation of each member towards it (Kafka's ConsumerGroup and
// CurrentAssignmentBuilder). All functions run with the group's lock held.

// consumerType is the ListGroups type and protocol type of a KIP-848 group.
const consumerType = "consumer"

// leaveStaticEpoch is the member epoch of a static member that left and
// will rejoin (Kafka's LEAVE_GROUP_STATIC_MEMBER_EPOCH).
const leaveStaticEpoch = -2

// tidp names one partition by topic id, as KIP-848 assignments do.
type tidp struct {
	id [16]byte
	p  int32
}

// partSet is a set of partitions.
type partSet map[tidp]struct{}

func (s partSet) has(p tidp) bool { _, ok := s[p]; return ok }

func (s partSet) sorted() []tidp {
	out := slices.Collect(maps.Keys(s))
	slices.SortFunc(out, func(a, b tidp) int {
		return cmp.Or(slices.Compare(a.id[:], b.id[:]), cmp.Compare(a.p, b.p))
	})
	return out
}

// partsFrom is the set a heartbeat's TopicPartitions names.
func partsFrom(ts []kmsg.ConsumerGroupHeartbeatRequestTopic) partSet {
	s := make(partSet)
	for _, t := range ts {
		for _, p := range t.Partitions {
			s[tidp{t.TopicID, p}] = struct{}{}
		}
	}
	return s
}

// cstate is a consumer group's state as ConsumerGroupDescribe and
// ListGroups spell it.
type cstate string

const (
	cEmpty       cstate = "Empty"
	cAssigning   cstate = "Assigning"   // the target assignment lags the group epoch
	cReconciling cstate = "Reconciling" // some member has not reached the target
	cStable      cstate = "Stable"
)

// mstate is where a member is in reconciling towards its target.
type mstate int8

const (
	mStable     mstate = iota // at the target epoch with its target partitions
	mUnrevoked                // must give up partitions before its epoch advances
	mUnreleased               // at the target epoch, waiting for partitions others still own
)

// consumerGroup is the KIP-848 part of a group; a group with a non-nil
// consumerGroup is a "consumer" group and its classic fields stay Empty.
type consumerGroup struct {
	epoch       int32 // group epoch: bumped by membership, subscription or metadata changes
	assignEpoch int32 // epoch of target
	assignor    string
	stateTime   int64 // unix ms of the last change to cEmpty, for offset expiry

	members map[string]*cmember
	static  map[string]string  // instance id -> member id
	target  map[string]partSet // member id -> target assignment
	owners  map[tidp]string    // partition -> member that has it assigned or pending revocation
	meta    map[string]TopicMeta
	regexes map[string]*regexp.Regexp // compiled subscriptions, by source
}

func newConsumerGroup(now int64) *consumerGroup {
	return &consumerGroup{
		stateTime: now,
		members:   make(map[string]*cmember),
		static:    make(map[string]string),
		target:    make(map[string]partSet),
		owners:    make(map[tidp]string),
		regexes:   make(map[string]*regexp.Regexp),
	}
}

// cmember is one member of a consumer group.
type cmember struct {
	id         string
	instanceID *string
	rackID     *string
	clientID   string
	clientHost string

	epoch, prevEpoch int32
	state            mstate
	rebalanceTimeout time.Duration
	topics           []string // SubscribedTopicNames, sorted
	regex            *string  // SubscribedTopicRegex
	assignor         string   // ServerAssignor; "" for the group's default

	assigned partSet // what the member may consume
	revoking partSet // what it must give up before its epoch advances

	// classic is set for a member that uses the classic protocol
	// (JoinGroup/SyncGroup/Heartbeat) inside this group: see classic.go.
	// It is never modified, only replaced, so a saved copy of m stays
	// valid (consumer_txn.go).
	classic *classicProto

	// The timers are not part of m's state: a change that fails to be
	// written restores everything else (consumer_txn.go).
	hb    timer // session expiry
	rt    timer // rebalance timeout while revoking (consumer protocol only)
	cjoin timer // classic member: rejoin deadline after REBALANCE_IN_PROGRESS
	csync timer // classic member: SyncGroup deadline after JoinGroup
}

// stopTimers stops every timer of m, for a member leaving the group or a
// group changing type.
func (m *cmember) stopTimers() {
	m.hb.stop()
	m.rt.stop()
	m.cjoin.stop()
	m.csync.stop()
}

// restoreState puts back m's state as saved, keeping its timers.
func (m *cmember) restoreState(saved cmember) {
	saved.hb, saved.rt, saved.cjoin, saved.csync = m.hb, m.rt, m.cjoin, m.csync
	*m = saved
}

// sessionTimeout is m's session: its own for a classic member, the
// group's (ConsumerSessionTimeout) for the consumer protocol.
func (m *cmember) sessionTimeout(group time.Duration) time.Duration {
	if m.classic != nil {
		return m.classic.sessionTimeout
	}
	return group
}

func (m *cmember) setEpoch(e int32) {
	if e != m.epoch {
		m.prevEpoch, m.epoch = m.epoch, e
	}
}

// stateLocked is Kafka's ConsumerGroup state.
func (cg *consumerGroup) stateLocked() cstate {
	if len(cg.members) == 0 {
		return cEmpty
	}
	if cg.epoch > cg.assignEpoch {
		return cAssigning
	}
	for _, m := range cg.members {
		if m.state != mStable || m.epoch != cg.assignEpoch {
			return cReconciling
		}
	}
	return cStable
}

// sortedMembers is the members ordered by id, for deterministic output.
func (cg *consumerGroup) sortedMembers() []*cmember {
	ms := slices.Collect(maps.Values(cg.members))
	slices.SortFunc(ms, func(a, b *cmember) int { return cmp.Compare(a.id, b.id) })
	return ms
}

// release and claim keep owners in step with a member's assigned and
// revoking partitions; every change to those goes between the two.
func (cg *consumerGroup) release(m *cmember) {
	for _, s := range []partSet{m.assigned, m.revoking} {
		for p := range s {
			if cg.owners[p] == m.id {
				delete(cg.owners, p)
			}
		}
	}
}

func (cg *consumerGroup) claim(m *cmember) {
	for _, s := range []partSet{m.assigned, m.revoking} {
		for p := range s {
			cg.owners[p] = m.id
		}
	}
}

// ownsAny reports whether a member reporting owned (nil: not reported)
// still holds any partition of revoking. An unreported set is assumed to
// hold them all, as Kafka assumes.
func ownsAny(owned, revoking partSet) bool {
	if len(revoking) == 0 {
		return false
	}
	if owned == nil {
		return true
	}
	for p := range revoking {
		if owned.has(p) {
			return true
		}
	}
	return false
}

// reconcileLocked moves m towards its target assignment (Kafka's
// CurrentAssignmentBuilder): a member that must revoke partitions keeps its
// epoch until its heartbeat shows it no longer owns them; only then does it
// take the target epoch and the target partitions that no other member
// holds, waiting (mUnreleased) for the rest. So a partition is never
// assigned to two members at once.
func (cg *consumerGroup) reconcileLocked(m *cmember, owned partSet) {
	switch m.state {
	case mStable:
		if m.epoch == cg.assignEpoch {
			return
		}
	case mUnrevoked:
		if ownsAny(owned, m.revoking) {
			return
		}
	}
	cg.release(m)
	cg.nextAssignmentLocked(m, owned)
	cg.claim(m)
}

func (cg *consumerGroup) nextAssignmentLocked(m *cmember, owned partSet) {
	target := cg.target[m.id]
	keep, revoke, add := make(partSet), make(partSet), make(partSet)
	for p := range m.assigned {
		if target.has(p) {
			keep[p] = struct{}{}
		} else {
			revoke[p] = struct{}{}
		}
	}
	unreleased := false
	for p := range target {
		if m.assigned.has(p) {
			continue
		}
		if o, ok := cg.owners[p]; ok && o != m.id {
			unreleased = true
			continue
		}
		add[p] = struct{}{}
	}
	if ownsAny(owned, revoke) {
		m.state, m.assigned, m.revoking = mUnrevoked, keep, revoke
		return
	}
	maps.Copy(keep, add)
	m.assigned, m.revoking = keep, nil
	m.setEpoch(cg.assignEpoch)
	m.state = mStable
	if unreleased {
		m.state = mUnreleased
	}
}

// subscribedLocked is the topics m subscribes to that exist in meta: its
// topic names and the topics its regex matches in full.
func (cg *consumerGroup) subscribedLocked(m *cmember, meta map[string]TopicMeta) []string {
	var out []string
	for _, t := range m.topics {
		if _, ok := meta[t]; ok {
			out = append(out, t)
		}
	}
	if m.regex != nil {
		if re := cg.regexes[*m.regex]; re != nil {
			for t := range meta {
				if re.MatchString(t) && !slices.Contains(m.topics, t) {
					out = append(out, t)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// subscribedTopicsLocked is the union of the members' subscriptions as of
// the last metadata refresh: what OffsetDelete and offset expiry protect.
func (cg *consumerGroup) subscribedTopicsLocked() map[string]bool {
	out := make(map[string]bool)
	for _, m := range cg.members {
		for _, t := range cg.subscribedLocked(m, cg.meta) {
			out[t] = true
		}
	}
	return out
}

// subscribedMetaLocked is the metadata of every topic some member
// subscribes to; a change in it bumps the group epoch.
func (cg *consumerGroup) subscribedMetaLocked(all map[string]TopicMeta) map[string]TopicMeta {
	out := make(map[string]TopicMeta)
	for _, m := range cg.members {
		for _, t := range cg.subscribedLocked(m, all) {
			out[t] = all[t]
		}
	}
	return out
}

// compileRegex compiles a subscription regex as Kafka matches it: RE2
// syntax (Kafka uses RE2/J) against the whole topic name.
func compileRegex(src string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + src + `)$`)
}

// retainRegexesLocked drops compiled regexes no member uses any more.
func (cg *consumerGroup) retainRegexesLocked() {
	for src := range cg.regexes {
		used := false
		for _, m := range cg.members {
			if m.regex != nil && *m.regex == src {
				used = true
				break
			}
		}
		if !used {
			delete(cg.regexes, src)
		}
	}
}

// preferredAssignorLocked is the assignor most members ask for (ties to
// the name first in order), the default "uniform" if none asks.
func (cg *consumerGroup) preferredAssignorLocked() string {
	votes := make(map[string]int)
	for _, m := range cg.members {
		if m.assignor != "" {
			votes[m.assignor]++
		}
	}
	best := defaultAssignor
	for _, name := range slices.Sorted(maps.Keys(votes)) {
		if votes[name] > votes[best] {
			best = name
		}
	}
	return best
}

// computeTargetLocked runs the assignor over the current members and
// metadata and makes the result the target at the group epoch.
func (cg *consumerGroup) computeTargetLocked() {
	cg.assignor = cg.preferredAssignorLocked()
	subs := make(map[string][]string, len(cg.members))
	for id, m := range cg.members {
		subs[id] = cg.subscribedLocked(m, cg.meta)
	}
	cg.target = assignors[cg.assignor](subs, cg.meta, cg.target)
	cg.assignEpoch = cg.epoch
}

// assignmentTopics is s as the topics of a heartbeat response.
func assignmentTopics(s partSet) []kmsg.ConsumerGroupHeartbeatResponseAssignmentTopic {
	out := []kmsg.ConsumerGroupHeartbeatResponseAssignmentTopic{}
	for _, p := range s.sorted() {
		if n := len(out); n == 0 || out[n-1].TopicID != p.id {
			t := kmsg.NewConsumerGroupHeartbeatResponseAssignmentTopic()
			t.TopicID = p.id
			out = append(out, t)
		}
		t := &out[len(out)-1]
		t.Partitions = append(t.Partitions, p.p)
	}
	return out
}

// validateOffsetCommitLocked is Kafka's ConsumerGroup.validateOffsetCommit:
// with epoch < 0 an empty group takes commits from anyone (admins, simple
// consumers); otherwise the member must exist (UNKNOWN_MEMBER_ID), use
// OffsetCommit v9+ unless it is a classic member (UNSUPPORTED_VERSION) and
// send its current epoch as the generation (see epochMismatch).
func (cg *consumerGroup) validateOffsetCommitLocked(req *kmsg.OffsetCommitRequest) int16 {
	if req.Generation < 0 && len(cg.members) == 0 {
		return 0
	}
	m := cg.members[req.MemberID]
	if m == nil {
		return kerr.UnknownMemberID.Code
	}
	if req.Version < 9 && m.classic == nil {
		return kerr.UnsupportedVersion.Code
	}
	if req.Generation != m.epoch {
		return m.epochMismatch()
	}
	return 0
}

// epochMismatch is the code for a commit or fetch at another epoch than
// m's: ILLEGAL_GENERATION for a classic member, which knows its epoch as a
// generation, STALE_MEMBER_EPOCH otherwise.
func (m *cmember) epochMismatch() int16 {
	if m.classic != nil {
		return kerr.IllegalGeneration.Code
	}
	return kerr.StaleMemberEpoch.Code
}

// validateOffsetFetchLocked is Kafka's ConsumerGroup.validateOffsetFetch:
// no member id with epoch < 0 is an admin; otherwise the member must exist
// with that epoch.
func (cg *consumerGroup) validateOffsetFetchLocked(memberID *string, epoch int32) int16 {
	if memberID == nil && epoch < 0 {
		return 0
	}
	var m *cmember
	if memberID != nil {
		m = cg.members[*memberID]
	}
	if m == nil {
		return kerr.UnknownMemberID.Code
	}
	if epoch != m.epoch {
		return m.epochMismatch()
	}
	return 0
}
