package broker

import (
	"maps"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/meta"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// OffsetsTopic is where the group coordinator keeps committed offsets and
// group metadata, in Kafka's record format.
const OffsetsTopic = "__consumer_offsets"

// offsetsTopicConfigs are the configs Kafka creates __consumer_offsets
// with: compacted, offsets.topic.segment.bytes 100 MiB. (retention.ms -1
// is what topics created before compaction existed got; compact-only
// topics ignore it.)
var offsetsTopicConfigs = map[string]string{"cleanup.policy": "compact", "segment.bytes": "104857600", "retention.ms": "-1"}

// InternalPartition returns partition 0 of an internal topic, if it exists.
func (b *Broker) InternalPartition(name string) (*partition.Partition, bool) {
	t := b.lookup(name)
	if t == nil || !t.internal {
		return nil, false
	}
	return t.partitions[0], true
}

// EnsureInternalTopic creates a one-partition internal topic if it does
// not exist yet (as Kafka creates __consumer_offsets on first use) and
// returns its partition.
func (b *Broker) EnsureInternalTopic(name string, configs map[string]string) (*partition.Partition, error) {
	if p, ok := b.InternalPartition(name); ok {
		return p, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.topics[name]; t != nil {
		if !t.internal {
			return nil, errorf(kerr.InvalidTopicException, "a user topic is named %s", name)
		}
		return t.partitions[0], nil
	}
	mt := meta.Topic{Name: name, ID: uuid.New(), Partitions: 1, Configs: configs, Internal: true}
	t, err := b.openTopic(mt)
	if err != nil {
		return nil, errorf(kerr.KafkaStorageError, "%v", err)
	}
	if err := b.meta.PutTopic(mt); err != nil {
		t.partitions[0].Close()
		return nil, errorf(kerr.KafkaStorageError, "%v", err)
	}
	b.topics[name], b.ids[t.id] = t, t
	b.lg.Info("internal topic created", "topic", name)
	return t.partitions[0], nil
}

// compactInternalTopics makes the internal topics of a data directory
// written before compaction existed compacted, as Kafka creates them, so
// their logs stop growing with every commit.
func (b *Broker) compactInternalTopics() error {
	for _, name := range []string{OffsetsTopic, TransactionsTopic} {
		t := b.lookup(name)
		if t == nil || !t.internal || t.configs["cleanup.policy"] == "compact" {
			continue
		}
		configs := maps.Clone(t.configs)
		if configs == nil {
			configs = make(map[string]string)
		}
		configs["cleanup.policy"] = "compact"
		b.dyn.mu.Lock()
		err := b.setTopicConfigs(name, configs)
		b.dyn.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
