package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// memStore is the in-memory Store of the tests. It records every call, in
// order, as a short string, and fails every call while fail is set.
type memStore struct {
	mu        sync.Mutex
	events    []string
	offsets   map[string]map[TopicPartition]Offset
	groups    map[string]GroupSnapshot
	consumers map[string]*ConsumerGroupSnapshot
	fail      error
}

func newMemStore() *memStore {
	return &memStore{
		offsets:   make(map[string]map[TopicPartition]Offset),
		groups:    make(map[string]GroupSnapshot),
		consumers: make(map[string]*ConsumerGroupSnapshot),
	}
}

func (s *memStore) CommitOffsets(g string, offsets []Offset) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if s.offsets[g] == nil {
		s.offsets[g] = make(map[TopicPartition]Offset)
	}
	for _, o := range offsets {
		s.offsets[g][o.TopicPartition] = o
		s.events = append(s.events, fmt.Sprintf("commit %s %s/%d=%d", g, o.Topic, o.Partition, o.Offset))
	}
	return nil
}

func (s *memStore) CommitTxnOffsets(g string, pid int64, epoch int16, offsets []Offset) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	for _, o := range offsets {
		s.events = append(s.events, fmt.Sprintf("txn-commit %d/%d %s %s/%d=%d", pid, epoch, g, o.Topic, o.Partition, o.Offset))
	}
	return nil
}

func (s *memStore) CompleteTxn(pid int64, commit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, fmt.Sprintf("txn-complete %d %v", pid, commit))
}

func (s *memStore) DeleteOffsets(g string, tps []TopicPartition) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	for _, tp := range tps {
		delete(s.offsets[g], tp)
		s.events = append(s.events, fmt.Sprintf("delete-offset %s %s/%d", g, tp.Topic, tp.Partition))
	}
	return nil
}

func (s *memStore) SaveGroup(snap GroupSnapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.groups[snap.Group] = snap
	delete(s.consumers, snap.Group)
	s.events = append(s.events, fmt.Sprintf("save %s gen=%d members=%d", snap.Group, snap.Generation, len(snap.Members)))
	return nil
}

func (s *memStore) SaveConsumerGroup(c ConsumerGroupChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	delete(s.groups, c.Group)
	cg := s.consumers[c.Group]
	if cg == nil {
		cg = &ConsumerGroupSnapshot{Group: c.Group}
		s.consumers[c.Group] = cg
	}
	applyConsumerChange(cg, c)
	s.events = append(s.events, consumerEvent(c))
	return nil
}

func (s *memStore) DeleteGroup(g string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	delete(s.groups, g)
	delete(s.consumers, g)
	delete(s.offsets, g)
	s.events = append(s.events, "delete-group "+g)
	return nil
}

func (s *memStore) setFail(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

func (s *memStore) takeEvents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := s.events
	s.events = nil
	return ev
}

// loaded is what a Store over this state would replay at start.
func (s *memStore) loaded() Loaded {
	s.mu.Lock()
	defer s.mu.Unlock()
	var l Loaded
	for _, g := range s.groups {
		l.Groups = append(l.Groups, g)
	}
	for _, cg := range s.consumers {
		c := *cg
		c.Members, c.Targets, c.Assignments = slices.Clone(c.Members), slices.Clone(c.Targets), slices.Clone(c.Assignments)
		l.ConsumerGroups = append(l.ConsumerGroups, c)
	}
	l.Offsets = make(map[string][]Offset)
	for g, os := range s.offsets {
		for _, o := range os {
			l.Offsets[g] = append(l.Offsets[g], o)
		}
	}
	return l
}

var errDisk = errors.New("memstore: disk on fire")

// clock is an adjustable Options.Now.
type clock struct{ ms atomic.Int64 }

func (c *clock) now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *clock) advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

func newTestCoordinator(t *testing.T, mod func(*Options)) (*Coordinator, *memStore) {
	t.Helper()
	st := newMemStore()
	opts := Options{
		Store:                  st,
		MinSessionTimeout:      time.Millisecond,
		MaxSessionTimeout:      10 * time.Minute,
		InitialRebalanceDelay:  -1,
		RetentionCheckInterval: time.Hour,
	}
	if mod != nil {
		mod(&opts)
	}
	c := New(opts, Loaded{})
	t.Cleanup(c.Close)
	return c, st
}

// subscription is consumer protocol metadata for topics.
func subscription(topics ...string) []byte {
	m := kmsg.ConsumerMemberMetadata{Version: 1, Topics: topics}
	return m.AppendTo(nil)
}

// assignment is a consumer protocol assignment of partition 0 of topics.
func assignment(topics ...string) []byte {
	a := kmsg.ConsumerMemberAssignment{Version: 0}
	for _, t := range topics {
		a.Topics = append(a.Topics, kmsg.ConsumerMemberAssignmentTopic{Topic: t, Partitions: []int32{0}})
	}
	return a.AppendTo(nil)
}

// tm is a test member: the state a client keeps.
type tm struct {
	group    string
	id       string
	instance *string
	gen      int32
	leader   string
	protocol string
	topics   []string
	session  int32    // ms
	version  int16    //
	names    []string // protocol names; nil is cooperative-sticky, range
}

func (m *tm) joinReq() *kmsg.JoinGroupRequest {
	req := kmsg.NewPtrJoinGroupRequest()
	req.Version = m.version
	req.Group = m.group
	req.MemberID = m.id
	req.InstanceID = m.instance
	req.SessionTimeoutMillis = m.session
	req.RebalanceTimeoutMillis = 10_000
	req.ProtocolType = "consumer"
	meta := subscription(m.topics...)
	names := m.names
	if names == nil {
		names = []string{"cooperative-sticky", "range"}
	}
	for _, n := range names {
		req.Protocols = append(req.Protocols, kmsg.JoinGroupRequestProtocol{Name: n, Metadata: meta})
	}
	return req
}

func newTM(group string, topics ...string) *tm {
	return &tm{group: group, topics: topics, session: 30_000, version: 9}
}

// joinAsync sends m's JoinGroup in a goroutine.
func joinAsync(c *Coordinator, m *tm) <-chan *kmsg.JoinGroupResponse {
	ch := make(chan *kmsg.JoinGroupResponse, 1)
	req := m.joinReq()
	go func() { ch <- c.JoinGroup(context.Background(), req, "client-"+m.group, "/127.0.0.1") }()
	return ch
}

// getMemberID does the KIP-394 round trip for a dynamic member.
func getMemberID(t *testing.T, c *Coordinator, m *tm) {
	t.Helper()
	resp := c.JoinGroup(context.Background(), m.joinReq(), "client-"+m.group, "/127.0.0.1")
	if resp.ErrorCode != kerr.MemberIDRequired.Code || resp.MemberID == "" {
		t.Fatalf("first join: code %d member %q, want MEMBER_ID_REQUIRED with an id", resp.ErrorCode, resp.MemberID)
	}
	m.id = resp.MemberID
}

// applyJoin records a successful JoinGroup response in m.
func applyJoin(t *testing.T, m *tm, resp *kmsg.JoinGroupResponse) {
	t.Helper()
	if resp.ErrorCode != 0 {
		t.Fatalf("join of %s: %v", m.id, kerr.ErrorForCode(resp.ErrorCode))
	}
	m.id, m.gen, m.leader = resp.MemberID, resp.Generation, resp.LeaderID
	if resp.Protocol != nil {
		m.protocol = *resp.Protocol
	}
}

func syncReq(m *tm, assignments map[string][]byte) *kmsg.SyncGroupRequest {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Version = 5
	req.Group, req.MemberID, req.Generation, req.InstanceID = m.group, m.id, m.gen, m.instance
	pt := "consumer"
	req.ProtocolType = &pt
	if m.protocol != "" {
		p := m.protocol
		req.Protocol = &p
	}
	for id, a := range assignments {
		req.GroupAssignment = append(req.GroupAssignment, kmsg.SyncGroupRequestGroupAssignment{MemberID: id, MemberAssignment: a})
	}
	return req
}

func syncAsync(c *Coordinator, m *tm, assignments map[string][]byte) <-chan *kmsg.SyncGroupResponse {
	ch := make(chan *kmsg.SyncGroupResponse, 1)
	req := syncReq(m, assignments)
	go func() { ch <- c.SyncGroup(context.Background(), req) }()
	return ch
}

func heartbeat(c *Coordinator, m *tm) int16 {
	req := kmsg.NewPtrHeartbeatRequest()
	req.Version = 4
	req.Group, req.MemberID, req.Generation, req.InstanceID = m.group, m.id, m.gen, m.instance
	return c.Heartbeat(req).ErrorCode
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a response")
		panic("unreachable")
	}
}

// waitFor polls cond until it returns nil, failing after a while.
func waitFor(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func describe(c *Coordinator, group string) kmsg.DescribeGroupsResponseGroup {
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Version = 6
	req.Groups = []string{group}
	return c.DescribeGroups(req).Groups[0]
}

func waitState(t *testing.T, c *Coordinator, group, state string) {
	t.Helper()
	waitFor(t, "group "+group+" to be "+state, func() error {
		if got := describe(c, group).State; got != state {
			return fmt.Errorf("state %s", got)
		}
		return nil
	})
}

// stableGroup brings members (whose ids are obtained here) to a Stable
// generation: all join at once, the leader assigns each member its topics.
// It needs an initial rebalance delay long enough for every join to land.
func stableGroup(t *testing.T, c *Coordinator, members ...*tm) {
	t.Helper()
	stableGroupWith(t, c, func(m *tm) []byte { return assignment(m.topics...) }, members...)
}

// stableGroupWith is stableGroup with the leader assigning assign(m) to
// each member m.
func stableGroupWith(t *testing.T, c *Coordinator, assign func(*tm) []byte, members ...*tm) {
	t.Helper()
	for _, m := range members {
		if m.id == "" && m.instance == nil {
			getMemberID(t, c, m)
		}
	}
	var chs []<-chan *kmsg.JoinGroupResponse
	for _, m := range members {
		chs = append(chs, joinAsync(c, m))
	}
	var leader *tm
	for i, ch := range chs {
		applyJoin(t, members[i], recv(t, ch))
		if members[i].id == members[i].leader {
			leader = members[i]
		}
	}
	for _, m := range members {
		if m.gen != members[0].gen || m.leader != members[0].leader {
			t.Fatalf("members disagree on generation/leader: %+v vs %+v", m, members[0])
		}
	}
	if leader == nil {
		t.Fatal("no member is the leader")
	}
	assignments := make(map[string][]byte)
	for _, m := range members {
		assignments[m.id] = assign(m)
	}
	var syncs []<-chan *kmsg.SyncGroupResponse
	for _, m := range members {
		if m != leader {
			syncs = append(syncs, syncAsync(c, m, nil))
		}
	}
	waitFor(t, "followers to park in SyncGroup", func() error {
		g, _ := c.lockGroup(members[0].group, false)
		defer g.mu.Unlock()
		if n := len(g.pendingSync); n != 1 {
			return fmt.Errorf("%d members have not synced", n)
		}
		return nil
	})
	if r := recv(t, syncAsync(c, leader, assignments)); r.ErrorCode != 0 || !slices.Equal(r.MemberAssignment, assignments[leader.id]) {
		t.Fatalf("leader sync: code %d assignment %x", r.ErrorCode, r.MemberAssignment)
	}
	for _, ch := range syncs {
		if r := recv(t, ch); r.ErrorCode != 0 {
			t.Fatalf("follower sync: %v", kerr.ErrorForCode(r.ErrorCode))
		}
	}
	waitState(t, c, members[0].group, "Stable")
}

func strp(s string) *string { return &s }

func codeName(code int16) string {
	if code == 0 {
		return "NONE"
	}
	return kerr.ErrorForCode(code).Error()
}

func wantCode(t *testing.T, what string, got, want int16) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %s, want %s", what, codeName(got), codeName(want))
	}
}
