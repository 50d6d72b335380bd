package group

import "time"

// The types of this file are a KIP-848 consumer group as Store persists it:
// one value per record Kafka 4 writes for such a group in
// __consumer_offsets. Per group:
//
//	ConsumerGroupMetadata                  the group epoch
//	ConsumerGroupPartitionMetadata         the subscribed topics' metadata
//	ConsumerGroupTargetAssignmentMetadata  the epoch of the target assignment
//
// and per member:
//
//	ConsumerGroupMemberMetadata            ConsumerMember: its subscription
//	ConsumerGroupTargetAssignmentMember    ConsumerTarget: its target partitions
//	ConsumerGroupCurrentMemberAssignment   ConsumerAssignment: its epochs and partitions

// ConsumerGroupChange is one change to a consumer group, written as one
// batch: a record for each part that changed and, for each member that
// left, tombstones of its three records. Nil and empty fields write
// nothing.
type ConsumerGroupChange struct {
	Group           string
	Epoch           *int32 // ConsumerGroupMetadata
	AssignmentEpoch *int32 // ConsumerGroupTargetAssignmentMetadata
	// Topics is written as ConsumerGroupPartitionMetadata when
	// TopicsChanged (an empty Topics then says no topic is subscribed).
	Topics        map[string]TopicMeta
	TopicsChanged bool
	Members       []ConsumerMember
	Targets       []ConsumerTarget
	Assignments   []ConsumerAssignment
	Removed       []string // member ids, sorted
}

// ConsumerGroupSnapshot is a consumer group as a Store replayed it.
// Members, Targets and Assignments are sorted by member id; a member has
// a ConsumerMember, an Assignment, or both (Kafka creates the member from
// either record), and a Target only if its target is not empty.
type ConsumerGroupSnapshot struct {
	Group           string
	Epoch           int32
	AssignmentEpoch int32
	Topics          map[string]TopicMeta // nil if the Store holds none
	Members         []ConsumerMember
	Targets         []ConsumerTarget
	Assignments     []ConsumerAssignment
}

// ConsumerMember is a member's subscription and client: Kafka's
// ConsumerGroupMemberMetadata.
type ConsumerMember struct {
	MemberID         string
	InstanceID       *string // group.instance.id of a static member
	RackID           *string
	ClientID         string
	ClientHost       string
	Topics           []string // SubscribedTopicNames, sorted
	Regex            *string  // SubscribedTopicRegex
	RebalanceTimeout time.Duration
	Assignor         string         // ServerAssignor; "" for none
	Classic          *ClassicMember // set for a member using the classic protocol
}

// ClassicMember is what a member using the classic protocol brought in
// its last JoinGroup: Kafka's ClassicMemberMetadata.
type ClassicMember struct {
	SessionTimeout time.Duration
	Protocols      []ClassicProtocol // in the member's order of preference
}

// ClassicProtocol is one protocol of a classic member's JoinGroup.
type ClassicProtocol struct {
	Name     string
	Metadata []byte
}

// ConsumerTarget is a member's target assignment: Kafka's
// ConsumerGroupTargetAssignmentMember.
type ConsumerTarget struct {
	MemberID   string
	Partitions []TopicIDPartitions
}

// ConsumerAssignment is where a member is in reconciling: Kafka's
// ConsumerGroupCurrentMemberAssignment.
type ConsumerAssignment struct {
	MemberID      string
	Epoch         int32
	PreviousEpoch int32
	// State is Kafka's MemberState: 0 stable, 1 unrevoked partitions, 2
	// unreleased partitions.
	State    int8
	Assigned []TopicIDPartitions // what the member may consume
	Revoking []TopicIDPartitions // what it must give up first
}

// TopicIDPartitions are partitions of one topic, named by topic id.
type TopicIDPartitions struct {
	TopicID    [16]byte
	Partitions []int32
}
