package broker

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/partition"
)

// Answers of a single-replica cluster to the admin APIs about leaders and
// replicas: this node leads every partition, in leader epoch 0 (the epoch
// the broker stamps on every batch), and is its only replica.

// LeaderEpoch is every partition's leader epoch: with one replica the
// leader never changes.
const LeaderEpoch int32 = 0

// noEpoch is Kafka's UNDEFINED_EPOCH (and UNDEFINED_EPOCH_OFFSET).
const noEpoch = -1

// EpochEnd is the answer to OffsetForLeaderEpoch for one partition.
type EpochEnd struct {
	LeaderEpoch int32
	EndOffset   int64
}

// EndOffsetForEpoch answers which epoch at or below epoch the log has, and
// where it ends, as Kafka's leader epoch cache does when its only entry is
// epoch 0 starting at the log start offset: epoch 0 ends at the log end
// offset; a later epoch is unknown (-1, -1), as is UNDEFINED_EPOCH (-1);
// an epoch below that predates the log and ends where epoch 0 starts.
// currentEpoch, unless -1, is the client's idea of the leader epoch and is
// fenced if older, unknown if newer.
func (b *Broker) EndOffsetForEpoch(topic string, index, currentEpoch, epoch int32) (EpochEnd, error) {
	p, err := b.partitionOf(topic, index)
	if err != nil {
		return EpochEnd{}, err
	}
	if currentEpoch != noEpoch {
		switch {
		case currentEpoch < LeaderEpoch:
			return EpochEnd{}, kerr.FencedLeaderEpoch
		case currentEpoch > LeaderEpoch:
			return EpochEnd{}, kerr.UnknownLeaderEpoch
		}
	}
	switch {
	case epoch == LeaderEpoch:
		return EpochEnd{LeaderEpoch: LeaderEpoch, EndOffset: p.HighWatermark()}, nil
	case epoch < noEpoch:
		return EpochEnd{LeaderEpoch: epoch, EndOffset: p.LogStartOffset()}, nil
	default:
		return EpochEnd{LeaderEpoch: noEpoch, EndOffset: noEpoch}, nil
	}
}

// partitionOf looks a partition up by topic name and index.
func (b *Broker) partitionOf(topic string, index int32) (*partition.Partition, error) {
	t := b.lookup(topic)
	if t == nil || index < 0 || int(index) >= len(t.partitions) {
		return nil, kerr.UnknownTopicOrPartition
	}
	return t.partitions[index], nil
}

// checkPartitionExists is the controller's lookup, with its messages.
func (b *Broker) checkPartitionExists(topic string, index int32, noTopic, noPartition string) error {
	t := b.lookup(topic)
	if t == nil {
		return errorf(kerr.UnknownTopicOrPartition, noTopic, topic)
	}
	if index < 0 || int(index) >= len(t.partitions) {
		return errorf(kerr.UnknownTopicOrPartition, noPartition, topic, index)
	}
	return nil
}

// ElectLeader answers a preferred or unclean election for one partition:
// its one replica is both its preferred leader and its leader, so the
// election is never needed.
func (b *Broker) ElectLeader(topic string, index int32) error {
	if err := b.checkPartitionExists(topic, index, "No such topic as %s", "No such partition as %s-%d"); err != nil {
		return err
	}
	return errorf(kerr.ElectionNotNeeded, "Leader election not needed for topic partition.")
}

// ReassignPartition answers a reassignment of one partition to replicas,
// or its cancellation (cancel). No reassignment is ever in progress, and
// the only valid target, [this node], is what the partition has already.
func (b *Broker) ReassignPartition(topic string, index int32, replicas []int32, cancel bool) error {
	if err := b.checkPartitionExists(topic, index, "Unable to find a topic named %s.", "Unable to find partition %s:%d."); err != nil {
		return err
	}
	if cancel {
		return errorf(kerr.NoReassignmentInProgress, "%s", kerr.NoReassignmentInProgress.Description)
	}
	return b.checkManualAssignment(replicas)
}

// checkManualAssignment is the controller's check of a replica list: not
// empty, registered brokers only (here, this node), none twice.
func (b *Broker) checkManualAssignment(replicas []int32) error {
	if len(replicas) == 0 {
		return errorf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.")
	}
	sorted := slices.Sorted(slices.Values(replicas))
	for i, id := range sorted {
		if id != b.NodeID() {
			return errorf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes broker %d, but no such broker is registered.", id)
		}
		if i > 0 && sorted[i-1] == id {
			return errorf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes the broker %d more than once.", id)
		}
	}
	return nil
}
