// Package group is the consumer group coordinator: membership of classic
// groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), committed offsets
// (OffsetCommit, OffsetFetch, OffsetDelete) and the admin views
// (DescribeGroups, ListGroups, DeleteGroups). It behaves as the classic
// group coordinator of Apache Kafka 4.x. Front ends hand it decoded kmsg
// requests and send back the responses it returns, at the request's version.
//
// # A classic group's states
//
//	first JoinGroup, or an OffsetCommit with generation -1 (a simple group)
//	     │
//	     ▼
//	┌─────────┐  a member joins; the join phase lasts at least
//	│  Empty  │── group.initial.rebalance.delay.ms ───────────┐
//	└─────────┘                                               ▼
//	  │    ▲  the join phase ends with no members   ┌────────────────────┐
//	  │    └────────────────────────────────────────│ PreparingRebalance │◀─┐
//	  │                                             └────────────────────┘  │
//	  ▼  DeleteGroups,        every member rejoined, or the   │             │
//	Dead  or offsets expired  rebalance timeout removed the   │             │
//	                          dynamic ones that did not;      ▼             │
//	                          generation+1, leader chosen                   │
//	                                         ┌─────────────────────┐        │
//	                                         │ CompletingRebalance │────────┤
//	                                         └─────────────────────┘        │
//	          the leader's SyncGroup: the assignment   │                    │ a member joins, changes its
//	          is saved, then sent to every member      ▼                    │ metadata, leaves, misses its
//	          parked in SyncGroup                 ┌────────┐                │ session or sync deadline;
//	                                              │ Stable │────────────────┘ the leader rejoins
//	                                              └────────┘
//
// Dead is where a group goes when it is deleted and where every group goes
// at Close; a request that finds a Dead group looks the name up again.
//
// # Concurrency
//
// Each group has its own mutex; the coordinator's mutex guards only the map
// of groups and is never held while a group's is taken (lock order:
// group.mu, then Coordinator.mu). Store calls run under the group's mutex,
// so one group's writes are ordered and a slow write stalls only that group.
// JoinGroup and SyncGroup park the caller on a channel outside the lock;
// timers (session, join phase, sync deadline, initial delay) are
// time.AfterFunc callbacks that take the group's lock and check a sequence
// number, so a timer that lost a race with a reschedule does nothing.
//
// # Persistence
//
// Offsets are written through Store.CommitOffsets before the OffsetCommit is
// answered and enter memory only if the write succeeded. A classic group's
// members are saved when a rebalance completes (with the leader's
// assignment), when a static member takes over its instance id, when the
// group becomes Empty, and when it downgrades from a consumer group.
// On restart New restores each saved group as Stable with its members, who
// must heartbeat within their session timeout or are removed, as in Kafka.
//
// A consumer group is saved as Kafka 4 saves it (Store.SaveConsumerGroup:
// group epoch, subscribed topics' metadata, target assignment and its
// epoch, and per member its subscription, target and current assignment
// with its epochs and state). Every change to it (a ConsumerGroupHeartbeat,
// a classic member's JoinGroup or LeaveGroup, a removal by a session or
// rebalance timer, an upgrade from a classic group) is made in memory,
// compared with the group as it was, and what differs is written with one
// call, one batch and one fsync, before the response; if the write fails,
// the group is put back and the request gets the Store's code
// (consumer_txn.go). A heartbeat that changes nothing writes nothing. On
// restart New restores each consumer group with its epochs, members,
// assignments, targets, static members, regex subscriptions and classic
// members, and gives every member a fresh session timer, as Kafka does
// when it loads a group: a member that heartbeats in time goes on at its
// epoch with its partitions, without rejoining.
//
// # Group types
//
// A group is "classic" (JoinGroup/SyncGroup) or a KIP-848 "consumer" group
// (ConsumerGroupHeartbeat, ConsumerGroupDescribe); group.cg is the seam
// (consumer.go). Offsets, the group lock and timers are shared. A consumer
// group has a group epoch, bumped when members join or leave or change
// their subscription or assignor, or when the subscribed topics' metadata
// (Options.Topics) changes; the server-side assignor ("uniform" or
// "range", assign.go) then computes the target assignment at that epoch.
// Each member reconciles towards its target: it first revokes partitions
// that move away, keeping its epoch, and only when a heartbeat shows it no
// longer owns them does it take the group's epoch; a partition goes to its
// new owner only once no other member holds it (assigned or pending
// revocation), so it is never owned twice.
//
// An Empty group of one type becomes the other type when a member of the
// other protocol joins. A group with members switches online, as in Kafka
// 4, as far as Options.MigrationPolicy (group.consumer.migration.policy,
// default bidirectional) allows (migrate.go):
//
//   - Upgrade: a ConsumerGroupHeartbeat join to a classic group whose
//     protocol type is "consumer" makes it a consumer group. Each classic
//     member keeps its id, partitions and protocols, at member epoch =
//     generation, and goes on with JoinGroup/SyncGroup/Heartbeat as a
//     "classic member" (classic.go): its JoinGroup is answered at once
//     (no leader; generation = its epoch), its SyncGroup gets the
//     partitions the assignor gives it, and its heartbeat says
//     REBALANCE_IN_PROGRESS whenever it must rejoin to revoke or to take
//     partitions. Partitions move under the same revoke-then-assign rule
//     as between KIP-848 members.
//   - Downgrade: when the last member using the consumer protocol leaves or
//     is removed and only classic members remain, the group becomes a
//     classic group of them at generation = group epoch, which rebalances
//     at once so that they rejoin and elect a leader.
//
// When the policy forbids the switch, the other protocol is refused as for
// a group with members of one type (GROUP_ID_NOT_FOUND for
// ConsumerGroupHeartbeat, INCONSISTENT_GROUP_PROTOCOL for JoinGroup).
//
// The upgrade is saved with the join that caused it, in one batch: the
// whole consumer group, which replaces (tombstones) the classic group's
// record; the downgrade saves the classic group with its members, which
// replaces the consumer group's records. So a restart never brings back
// members of the other type. An Empty consumer group that a classic member
// joins becomes classic in memory at once, but its records are replaced
// only when the classic group is first saved (Kafka tombstones them at the
// join); a restart in between brings the Empty consumer group back, which
// the next classic join converts again.
//
// Deviations in restore: a log written by Kafka 4.1, which keeps a hash
// of the topics' metadata instead of ConsumerGroupPartitionMetadata, gives
// no topics' metadata, so the first heartbeat after the restart bumps the
// group epoch and recomputes the target (members keep what stays theirs);
// regex subscriptions are resolved anew against the current topics
// instead of from Kafka's ConsumerGroupRegularExpression records.
package group
