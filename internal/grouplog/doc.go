// Package grouplog is the consumer-group coordinator's group.Store: committed
// offsets, classic group metadata and KIP-848 consumer groups kept in an
// internal __consumer_offsets partition, in exactly the records Kafka 4
// writes there, so that compaction and Kafka tools can treat the partition
// as an ordinary compacted topic.
//
// # Contract
//
// Every Store call appends one record batch through the partition (so the
// records of a call are applied atomically), waits for the partition's
// group-committed fsync, and only then returns. Open replays the partition from
// its log start offset to its high watermark and returns the latest state:
// later records win, a tombstone (null value) deletes its key. Log keeps an
// index of the live keys so DeleteGroup can write a tombstone for each. Log
// does not own the partition: its owner closes it after the last call.
//
// A group's records are of one type. SaveGroup writes, in its batch, a
// tombstone for each of the group's live consumer-group keys before the
// GroupMetadata (a consumer group downgraded), and SaveConsumerGroup a
// GroupMetadata tombstone before its records (a classic group upgraded),
// as Kafka does when a group changes type.
//
// # Records
//
// Each record's key starts with an int16 that Kafka calls the key version and
// that its new group coordinator (KIP-848) uses as the record type. Integers are
// big-endian; a string is an int16 length and UTF-8 bytes (-1: null), bytes
// are an int32 length, an array an int32 count. The kmsg types of the same
// name encode and decode the offset and classic group records; this
// package writes only the KIP-848 records' bytes itself (below).
//
//	OffsetCommitKey v1                OffsetCommitValue v3
//	+------------------------+        +----------------------------+
//	| version    int16  = 1  |        | version         int16  = 3 |
//	| group      string      |        | offset          int64      |
//	| topic      string      |        | leaderEpoch     int32      |  -1: none
//	| partition  int32       |        | metadata        string     |  never null
//	+------------------------+        | commitTimestamp int64      |  ms
//	                                  +----------------------------+
//
//	GroupMetadataKey v2               GroupMetadataValue v3
//	+------------------------+        +------------------------------------+
//	| version    int16  = 2  |        | version               int16  = 3   |
//	| group      string      |        | protocolType          string       |
//	+------------------------+        | generation            int32        |
//	                                  | protocol              string/null  |  null: ""
//	                                  | leader                string/null  |  null: ""
//	                                  | currentStateTimestamp int64        |  ms, -1: none
//	                                  | members               array of:    |
//	                                  |   memberId            string       |
//	                                  |   groupInstanceId     string/null  |
//	                                  |   clientId            string       |
//	                                  |   clientHost          string       |
//	                                  |   rebalanceTimeout    int32        |  ms
//	                                  |   sessionTimeout      int32        |  ms
//	                                  |   subscription        bytes        |
//	                                  |   assignment          bytes        |
//	                                  +------------------------------------+
//
// These are the versions Kafka 4.0 writes (GroupCoordinatorRecordHelpers:
// the highest non-flexible OffsetCommitValue, GroupMetadataValue v3). Kafka
// 4.1 writes OffsetCommitValue v4, flexible with the topic id as a tagged
// field (KAFKA-19141); v3 carries the same fields without it and every
// Kafka version and tool reads it. Replay also reads OffsetCommitKey v0,
// OffsetCommitValue v0-v4 and GroupMetadataValue v0-v4, what older and newer
// brokers write.
//
// KIP-848 consumer groups are six record types (Kafka 4.0's
// ConsumerGroup*Key/Value schemas). Their keys are laid out as above: the
// type, the group, and for member records the member id. Their values are
// version 0 in Kafka 4.0 and 4.1 and flexible (KIP-482, flex.go): compact
// strings, arrays and bytes with uvarint lengths (+1, 0 is null), 16-byte
// UUIDs, and after every struct its tagged fields.
//
//	type key            value, version 0
//	 3   group          ConsumerGroupMetadata                 epoch int32
//	                                                          (4.1: tag 0 MetadataHash int64)
//	 4   group          ConsumerGroupPartitionMetadata        topics [ topicId uuid, topicName,
//	                                                            numPartitions int32,
//	                                                            partitionMetadata [ partition int32,
//	                                                              racks [string] ] ]  (written empty)
//	 5   group, member  ConsumerGroupMemberMetadata           instanceId string/null,
//	                                                          rackId string/null, clientId,
//	                                                          clientHost, subscribedTopicNames
//	                                                          [string], subscribedTopicRegex
//	                                                          string/null, rebalanceTimeoutMs int32,
//	                                                          serverAssignor string/null;
//	                                                          tag 0 ClassicMemberMetadata (classic
//	                                                          members only): sessionTimeoutMs int32,
//	                                                          supportedProtocols [ name, metadata bytes ]
//	 6   group          ConsumerGroupTargetAssignmentMetadata assignmentEpoch int32
//	 7   group, member  ConsumerGroupTargetAssignmentMember   topicPartitions [ topicId uuid,
//	                                                            partitions [int32] ]
//	 8   group, member  ConsumerGroupCurrentMemberAssignment  memberEpoch int32, previousMemberEpoch
//	                                                          int32, state int8 (0 stable, 1 unrevoked,
//	                                                          2 unreleased partitions),
//	                                                          assignedPartitions [ topicId, partitions ],
//	                                                          partitionsPendingRevocation [ same ]
//
// SaveConsumerGroup writes one change in one batch, in Kafka's order: for
// each member that left, tombstones of its types 8, 7 and 5; then the
// changed member metadata (5), partition metadata (4), group epoch (3),
// targets (7), assignment epoch (6) and current assignments (8). It writes
// what Kafka 4.0 writes: Kafka 4.1 instead keeps a hash of the topics'
// metadata in tag 0 of type 3 and tombstones type 4; replay reads both.
// DeleteGroup tombstones every live key of each type, members' first.
//
// Batches are uncompressed (Kafka's offsets.topic.compression.codec defaults
// to none), with producer id -1 (transactional offset commits: the
// producer's id, epoch and next sequence) and the append time as their
// timestamp. A nil offset Metadata is stored as "", as Kafka stores
// null metadata, so replay returns a pointer to "" for it.
//
// # Replay
//
// Transactional batches (TxnOffsetCommit, see txn.go) are held per producer
// until its transaction marker: a commit marker applies them, an abort
// drops them, and those still open at the end come back as pending. Other
// control batches are skipped. So are, with one Warn line per kind at the
// end of the replay, records that are not ours to interpret: a key version
// other than 0 to 8 (share and streams groups, and Kafka's
// ConsumerGroupRegularExpression, whose resolution the coordinator redoes
// from the members' regexes), a null or undecodable key, a value version
// replay does not know (anything but 0 for the KIP-848 records), and an
// undecodable value. Tagged fields replay does not know are skipped
// silently: newer Kafkas add them without a new version. A skipped value
// of a known key
// leaves the key's earlier state in place (an older offset rewinds a
// consumer, which is safer than losing it), and the key counts as live, so
// DeleteGroup and DeleteOffsets still write its tombstone. A foreign writer must not keep the
// broker from starting; a batch failing its CRC, on the other hand, is
// corruption the log did not repair, and Open fails with an error wrapping
// kerr.CorruptMessage.
//
// A consumer group's records apply by key, as Kafka replays them: the
// group exists while it has its epoch record or a member record, and a
// member while it has its metadata or its current assignment record (Kafka
// creates it from either). Should a log hold live records of both types
// for one group (a writer that did not tombstone the other type), the type
// whose record came last wins, as in Kafka, where it replaces the group.
//
// # Limits
//
// One call is one batch, so a call whose records exceed the partition's
// max.message.bytes fails with an error wrapping kerr.MessageTooLarge and
// writes nothing: a group with thousands of members, each with its
// subscription and assignment, or a commit of tens of thousands of
// partitions. Kafka's coordinator, which also writes the records of one
// operation as one batch, fails such writes too (RecordTooLargeException).
// The same holds for a consumer group: an upgrade from a classic group
// writes the whole group in one batch.
package grouplog
