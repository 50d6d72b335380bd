package group

import (
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Kafka's defaults for the settings in Options.
const (
	DefaultMinSessionTimeout      = 6 * time.Second    // group.min.session.timeout.ms
	DefaultMaxSessionTimeout      = 30 * time.Minute   // group.max.session.timeout.ms
	DefaultInitialRebalanceDelay  = 3 * time.Second    // group.initial.rebalance.delay.ms
	DefaultOffsetsRetention       = 7 * 24 * time.Hour // offsets.retention.minutes
	DefaultRetentionCheckInterval = 10 * time.Minute   // offsets.retention.check.interval.ms
	DefaultMaxMetadataBytes       = 4096               // offset.metadata.max.bytes
	newMemberJoinTimeout          = 5 * time.Minute    // Kafka's classicGroupNewMemberJoinTimeoutMs

	DefaultConsumerHeartbeatInterval = 5 * time.Second  // group.consumer.heartbeat.interval.ms
	DefaultConsumerSessionTimeout    = 45 * time.Second // group.consumer.session.timeout.ms
)

// Options configure a Coordinator. Zero values take Kafka's defaults.
type Options struct {
	// Store persists offsets and groups; nil keeps everything in memory.
	Store Store
	// Logger receives rebalance events; nil discards.
	Logger *slog.Logger
	// Now is the clock for commit and state timestamps; nil is time.Now.
	// Timeouts always run on real timers.
	Now func() time.Time

	MinSessionTimeout time.Duration // group.min.session.timeout.ms: 6s
	MaxSessionTimeout time.Duration // group.max.session.timeout.ms: 30m
	// InitialRebalanceDelay is group.initial.rebalance.delay.ms: 3s when 0;
	// a negative value means no delay (the property set to 0).
	InitialRebalanceDelay  time.Duration
	OffsetsRetention       time.Duration // offsets.retention.minutes: 7 days
	RetentionCheckInterval time.Duration // offsets.retention.check.interval.ms: 10m
	MaxMetadataBytes       int           // offset.metadata.max.bytes: 4096

	// TopicExists reports whether a partition exists, for OffsetCommit's
	// UNKNOWN_TOPIC_OR_PARTITION; nil accepts every partition.
	TopicExists func(topic string, partition int32) bool
	// TopicName and TopicID map topic ids (OffsetCommit and OffsetFetch
	// v10) to names and back; nil resolves nothing.
	TopicName func(id [16]byte) (string, bool)
	TopicID   func(topic string) ([16]byte, bool)

	// Topics lists the broker's topics for KIP-848 consumer groups, whose
	// server-side assignors need each subscribed topic's id and partition
	// count (and whose regex subscriptions match against the names). It is
	// called on every ConsumerGroupHeartbeat; the returned map is the
	// caller's and is only read. nil means no topics.
	Topics func() map[string]TopicMeta

	// ConsumerHeartbeatInterval is group.consumer.heartbeat.interval.ms: 5s.
	ConsumerHeartbeatInterval time.Duration
	// ConsumerSessionTimeout is group.consumer.session.timeout.ms: 45s.
	ConsumerSessionTimeout time.Duration
	// MigrationPolicy is group.consumer.migration.policy: which way a group
	// with members may switch protocols (see migrate.go). "" is Kafka 4's
	// default, MigrationBidirectional.
	MigrationPolicy MigrationPolicy
}

// TopicMeta is what a consumer group's assignor needs of a topic.
type TopicMeta struct {
	ID         [16]byte
	Partitions int32
}

func (o *Options) ensureDefaults() {
	if o.Store == nil {
		o.Store = nopStore{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.MinSessionTimeout, DefaultMinSessionTimeout)
	def(&o.MaxSessionTimeout, DefaultMaxSessionTimeout)
	def(&o.InitialRebalanceDelay, DefaultInitialRebalanceDelay)
	if o.InitialRebalanceDelay < 0 {
		o.InitialRebalanceDelay = 0
	}
	def(&o.OffsetsRetention, DefaultOffsetsRetention)
	def(&o.RetentionCheckInterval, DefaultRetentionCheckInterval)
	if o.MaxMetadataBytes == 0 {
		o.MaxMetadataBytes = DefaultMaxMetadataBytes
	}
	if o.TopicExists == nil {
		o.TopicExists = func(string, int32) bool { return true }
	}
	if o.TopicName == nil {
		o.TopicName = func([16]byte) (string, bool) { return "", false }
	}
	if o.TopicID == nil {
		o.TopicID = func(string) ([16]byte, bool) { return [16]byte{}, false }
	}
	if o.Topics == nil {
		o.Topics = func() map[string]TopicMeta { return nil }
	}
	def(&o.ConsumerHeartbeatInterval, DefaultConsumerHeartbeatInterval)
	def(&o.ConsumerSessionTimeout, DefaultConsumerSessionTimeout)
	if o.MigrationPolicy == "" {
		o.MigrationPolicy = MigrationBidirectional
	}
}

// Coordinator coordinates every group of this node.
type Coordinator struct {
	opts Options
	lg   *slog.Logger

	mu     sync.Mutex // guards groups and closed; never held while taking a group's mutex
	groups map[string]*group
	closed bool
	// txnGroups indexes the groups holding pending transactional offsets,
	// by producer id.
	txnGroups map[int64]map[string]struct{}

	stop chan struct{} // closed by Close: ends the retention loop
	done chan struct{} // closed when the retention loop has returned
}

// New returns a coordinator holding what the Store replayed at start and
// starts its offset-retention loop.
func New(opts Options, loaded Loaded) *Coordinator {
	opts.ensureDefaults()
	c := &Coordinator{
		opts:   opts,
		lg:     opts.Logger,
		groups: make(map[string]*group),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	c.restore(loaded)
	c.restoreTxnOffsets(loaded.PendingTxnOffsets)
	go c.retentionLoop()
	return c
}

// Close stops every timer and the retention loop. Callers parked in
// JoinGroup or SyncGroup get NOT_COORDINATOR, as Kafka answers when a
// coordinator is unloaded, so clients look the coordinator up again; later
// calls get NOT_COORDINATOR (COORDINATOR_NOT_AVAILABLE for ListGroups).
func (c *Coordinator) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	gs := c.groupListLocked()
	c.mu.Unlock()

	close(c.stop)
	<-c.done
	for _, g := range gs {
		g.mu.Lock()
		g.shutdownLocked()
		g.mu.Unlock()
	}
}

func (c *Coordinator) now() time.Time { return c.opts.Now() }

func (c *Coordinator) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// lockGroup returns group id locked, creating it (Empty) if create is set.
// It returns nil if the group does not exist, and code NOT_COORDINATOR
// after Close. A group found Dead was deleted after the lookup; the name is
// looked up again, which terminates because deletion unmaps the group
// before releasing its lock.
func (c *Coordinator) lockGroup(id string, create bool) (*group, int16) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, kerr.NotCoordinator.Code
		}
		g := c.groups[id]
		if g == nil && create {
			g = newGroup(c, id)
			c.groups[id] = g
		}
		c.mu.Unlock()
		if g == nil {
			return nil, 0
		}
		g.mu.Lock()
		if g.state != stateDead {
			return g, 0
		}
		g.mu.Unlock()
	}
}

// unmapLocked removes g from the coordinator; the caller holds g.mu and
// has made g Dead.
func (c *Coordinator) unmapLocked(g *group) {
	c.mu.Lock()
	if c.groups[g.id] == g {
		delete(c.groups, g.id)
	}
	c.mu.Unlock()
}

// groupList returns the groups sorted by id, for the views that visit all.
func (c *Coordinator) groupList() []*group {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.groupListLocked()
}

func (c *Coordinator) groupListLocked() []*group {
	gs := make([]*group, 0, len(c.groups))
	for _, g := range c.groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *group) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return gs
}

// storeCode is the wire code for a Store error: the Store's own kerr code
// if it returned one, else COORDINATOR_NOT_AVAILABLE (retriable; Kafka maps
// a failed append to the offsets topic the same way).
func storeCode(err error) int16 {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Code
	}
	return kerr.CoordinatorNotAvailable.Code
}

// nopStore is the Store of a coordinator without persistence.
type nopStore struct{}

func (nopStore) CommitOffsets(string, []Offset) error         { return nil }
func (nopStore) DeleteOffsets(string, []TopicPartition) error { return nil }
func (nopStore) SaveGroup(GroupSnapshot) error                { return nil }
func (nopStore) SaveConsumerGroup(ConsumerGroupChange) error  { return nil }
func (nopStore) DeleteGroup(string) error                     { return nil }
func (nopStore) CommitTxnOffsets(string, int64, int16, []Offset) error {
	return nil
}
func (nopStore) CompleteTxn(int64, bool) {}
