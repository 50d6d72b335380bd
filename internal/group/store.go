package group

import "time"

// Store persists what the coordinator must not lose: committed offsets,
// the membership of each classic group as of its last completed
// rebalance, and the state of each KIP-848 consumer group. The
// production Store is package grouplog (an internal __consumer_offsets log);
// tests use an in-memory fake.
//
// Every method is durable on return. The coordinator calls them with the
// group's lock held and changes its memory only after a nil error, so a
// failed write leaves the group as it was. Calls for different groups may
// run concurrently; calls for one group never do. The Store must not keep
// the slices it is given past the call (the coordinator does not modify
// them afterwards either, so copying is only needed to retain them).
//
// A group's records are of one type: SaveGroup tombstones the group's
// consumer-group records and SaveConsumerGroup its classic GroupMetadata,
// in the same batch, as Kafka writes them when a group changes type.
type Store interface {
	// CommitOffsets records offsets for group, replacing earlier ones.
	CommitOffsets(group string, offsets []Offset) error
	// DeleteOffsets forgets the committed offsets of partitions in group.
	DeleteOffsets(group string, partitions []TopicPartition) error
	// SaveGroup records a classic group's membership. It is called when a
	// rebalance completes (the group becomes Stable with the leader's
	// assignment), when a static member replaces its old member id in a
	// Stable group, when a group becomes Empty, and when a consumer group
	// with members downgrades to a classic group (with its members).
	SaveGroup(g GroupSnapshot) error
	// SaveConsumerGroup records a change to a KIP-848 consumer group
	// (store_consumer.go): members joining, updating or leaving, epoch
	// bumps, a new target assignment, members reconciling. A group that
	// becomes a consumer group (an Empty classic group a member joins, or
	// an upgrade) is saved whole.
	SaveConsumerGroup(c ConsumerGroupChange) error
	// DeleteGroup forgets a group, all of its offsets and all of its
	// consumer-group records.
	DeleteGroup(group string) error
	// CommitTxnOffsets records offsets of producer pid's ongoing
	// transaction; they count only once the transaction commits.
	CommitTxnOffsets(group string, pid int64, epoch int16, offsets []Offset) error
	// CompleteTxn notes that producer pid's transaction ended; its marker
	// is already durable (the transaction coordinator wrote it).
	CompleteTxn(pid int64, commit bool)
}

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Offset is one committed offset.
type Offset struct {
	TopicPartition
	Offset          int64
	LeaderEpoch     int32   // -1 if the client did not send one
	Metadata        *string // client metadata; nil is returned to clients as ""
	CommitTimestamp int64   // unix milliseconds, set by the coordinator
}

// GroupSnapshot is a group's membership as persisted: what Kafka writes in
// a GroupMetadataValue record.
type GroupSnapshot struct {
	Group          string
	ProtocolType   string // "" for a group created by offset commits only
	Protocol       string // the chosen protocol; "" when Empty
	Leader         string // the leader's member id; "" when Empty
	Generation     int32
	StateTimestamp int64 // unix milliseconds of the last state change
	Members        []MemberSnapshot
}

// MemberSnapshot is one member of a GroupSnapshot.
type MemberSnapshot struct {
	MemberID         string
	InstanceID       *string // group.instance.id of a static member
	ClientID         string
	ClientHost       string
	RebalanceTimeout time.Duration
	SessionTimeout   time.Duration
	Subscription     []byte // the member's metadata for the chosen protocol
	Assignment       []byte // what the leader assigned it
}

// Loaded is what a Store replayed at start: the last snapshot of every
// classic group and the state of every consumer group that was not
// deleted (a group is in one list or neither), and the offsets of every
// group (a group may have offsets without a snapshot: simple consumers
// that only commit).
type Loaded struct {
	Groups         []GroupSnapshot
	ConsumerGroups []ConsumerGroupSnapshot
	Offsets        map[string][]Offset
	// PendingTxnOffsets are the offsets of transactions still open, by
	// producer id and group.
	PendingTxnOffsets map[int64]map[string][]Offset
}
