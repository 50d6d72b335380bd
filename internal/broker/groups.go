package broker

import (
	"sync"

	"github.com/samsa-streaming/samsa/internal/group"
	"github.com/samsa-streaming/samsa/internal/grouplog"
)

// groupStore is the coordinator's persistence: the __consumer_offsets log,
// created on first use as Kafka does (FindCoordinator or a first commit).
type groupStore struct {
	b *Broker

	mu  sync.Mutex
	log *grouplog.Log
}

func (s *groupStore) open() (*grouplog.Log, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log != nil {
		return s.log, nil
	}
	p, err := s.b.EnsureInternalTopic(OffsetsTopic, offsetsTopicConfigs)
	if err != nil {
		return nil, err
	}
	log, _, err := grouplog.Open(p, s.b.lg)
	if err != nil {
		return nil, err
	}
	s.log = log
	return log, nil
}

func (s *groupStore) CommitOffsets(g string, offsets []group.Offset) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.CommitOffsets(g, offsets)
}

func (s *groupStore) DeleteOffsets(g string, partitions []group.TopicPartition) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.DeleteOffsets(g, partitions)
}

func (s *groupStore) SaveGroup(snap group.GroupSnapshot) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.SaveGroup(snap)
}

func (s *groupStore) SaveConsumerGroup(c group.ConsumerGroupChange) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.SaveConsumerGroup(c)
}

func (s *groupStore) CommitTxnOffsets(g string, pid int64, epoch int16, offsets []group.Offset) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.CommitTxnOffsets(g, pid, epoch, offsets)
}

// CompleteTxn reaches the log only if it is open: a transaction cannot
// have written offsets without opening it.
func (s *groupStore) CompleteTxn(pid int64, commit bool) {
	s.mu.Lock()
	log := s.log
	s.mu.Unlock()
	if log != nil {
		log.CompleteTxn(pid, commit)
	}
}

func (s *groupStore) DeleteGroup(g string) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.DeleteGroup(g)
}

// openGroups replays __consumer_offsets, if it exists, and starts the
// group coordinator with what it held.
func (b *Broker) openGroups() error {
	b.groupStore = &groupStore{b: b}
	var loaded group.Loaded
	if p, ok := b.InternalPartition(OffsetsTopic); ok {
		log, l, err := grouplog.Open(p, b.lg)
		if err != nil {
			return err
		}
		b.groupStore.log, loaded = log, l
	}
	delay := b.cfg.GroupInitialRebalanceDelay()
	if delay == 0 {
		delay = -1 // the coordinator reads 0 as "default"
	}
	b.groups = group.New(group.Options{
		Store:                 b.groupStore,
		Logger:                b.lg,
		Now:                   b.now,
		MinSessionTimeout:     b.cfg.GroupMinSessionTimeout(),
		MaxSessionTimeout:     b.cfg.GroupMaxSessionTimeout(),
		InitialRebalanceDelay: delay,
		OffsetsRetention:      b.cfg.OffsetsRetention(),
		TopicExists:           b.partitionExists,
		TopicName:             b.topicName,
		TopicID:               b.topicID,
		Topics:                b.groupTopics,

		ConsumerHeartbeatInterval: b.cfg.ConsumerHeartbeatInterval(),
		ConsumerSessionTimeout:    b.cfg.ConsumerSessionTimeout(),
		MigrationPolicy:           group.MigrationPolicy(b.cfg.ConsumerMigrationPolicy()),
	}, loaded)
	return nil
}

// Groups is the group coordinator.
func (b *Broker) Groups() *group.Coordinator { return b.groups }

// EnsureGroupStore creates __consumer_offsets if needed, for
// FindCoordinator.
func (b *Broker) EnsureGroupStore() error {
	_, err := b.groupStore.open()
	return err
}

func (b *Broker) partitionExists(topic string, partition int32) bool {
	t := b.lookup(topic)
	return t != nil && partition >= 0 && int(partition) < len(t.partitions)
}

func (b *Broker) topicName(id [16]byte) (string, bool) {
	t := b.lookupID(id)
	if t == nil {
		return "", false
	}
	return t.name, true
}

func (b *Broker) topicID(name string) ([16]byte, bool) {
	t := b.lookup(name)
	if t == nil {
		return [16]byte{}, false
	}
	return t.id, true
}

// groupTopics lists the user topics a KIP-848 subscription can match
// (internal topics are left out, as Kafka leaves them out of regex
// subscriptions). The coordinator calls it on every heartbeat with a
// group's lock held; it takes only the topic map's read lock.
func (b *Broker) groupTopics() map[string]group.TopicMeta {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make(map[string]group.TopicMeta, len(b.topics))
	for name, t := range b.topics {
		if !t.internal {
			out[name] = group.TopicMeta{ID: t.id, Partitions: int32(len(t.partitions))}
		}
	}
	return out
}
