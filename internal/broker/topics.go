package broker

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/commitlog"
	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/meta"
	"github.com/samsa-streaming/samsa/internal/metrics"
	"github.com/samsa-streaming/samsa/internal/partition"
)

const deletedSuffix = "-delete"

// MaxPartitions bounds one topic's partitions. Kafka has no such limit, but
// each partition holds open files here, and one request asking for a
// billion partitions must not take the broker down.
const MaxPartitions = 10000

// topic is a live topic. Its partitions slice is replaced, never mutated,
// when partitions are added, so readers holding the old slice stay valid.
type topic struct {
	name       string
	id         [16]byte
	internal   bool
	configs    map[string]string // overrides only
	partitions []*partition.Partition
	counters   metrics.TopicCounters
}

// TopicInfo describes a topic to front ends.
type TopicInfo struct {
	Name       string
	ID         [16]byte
	Internal   bool
	Partitions int32
	Configs    map[string]string // the topic's overrides
}

func (t *topic) info() TopicInfo {
	return TopicInfo{Name: t.name, ID: t.id, Internal: t.internal, Partitions: int32(len(t.partitions)), Configs: maps.Clone(t.configs)}
}

// partitionConfig resolves a topic's overrides into what its partitions
// apply. Without delete in cleanup.policy, retention.ms and
// retention.bytes do not apply (Kafka deletes only segments below the log
// start offset of a compact-only topic).
func (b *Broker) partitionConfig(overrides map[string]string) partition.Config {
	tc := b.cfg.Topic(overrides)
	retentionMs, retentionBytes := tc.RetentionMs, tc.RetentionBytes
	if !tc.Delete {
		retentionMs, retentionBytes = -1, -1
	}
	return partition.Config{
		LogAppendTime:          tc.LogAppendTime,
		MaxMessageBytes:        tc.MaxMessageBytes,
		ProducerIDExpirationMs: b.cfg.ProducerIDExpiration().Milliseconds(),
		Compact:                tc.Compact,
		Compaction: partition.Compaction{
			MinLagMs:          tc.MinCompactionLagMs,
			MaxLagMs:          tc.MaxCompactionLagMs,
			DeleteRetentionMs: tc.DeleteRetentionMs,
			MinDirtyRatio:     tc.MinCleanableDirtyRatio,
		},
		Log: commitlog.Config{
			SegmentBytes:       tc.SegmentBytes,
			SegmentMs:          tc.SegmentMs,
			RetentionMs:        retentionMs,
			RetentionBytes:     retentionBytes,
			IndexIntervalBytes: tc.IndexIntervalBytes,
		},
	}
}

func (b *Broker) partitionDir(name string, index int32) string {
	return filepath.Join(b.dataDir, name+"-"+strconv.Itoa(int(index)))
}

func (b *Broker) openTopic(mt meta.Topic) (*topic, error) {
	t := &topic{name: mt.Name, id: mt.ID, internal: mt.Internal, configs: mt.Configs, counters: b.metrics.Topic(mt.Name)}
	if err := b.openPartitions(t, 0, mt.Partitions); err != nil {
		return nil, err
	}
	return t, nil
}

// openPartitions opens partitions [from, to) of t, appending them to a new
// partitions slice.
func (b *Broker) openPartitions(t *topic, from, to int32) error {
	cfg := b.partitionConfig(t.configs)
	parts := append([]*partition.Partition(nil), t.partitions...)
	for i := from; i < to; i++ {
		p, err := partition.Open(b.partitionDir(t.name, i), t.name, i, cfg, b.lg)
		if err != nil {
			for _, opened := range parts[from:] {
				opened.Close()
			}
			return err
		}
		parts = append(parts, p)
	}
	t.partitions = parts
	return nil
}

// Topics returns every topic, sorted by name.
func (b *Broker) Topics() []TopicInfo {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]TopicInfo, 0, len(b.topics))
	for _, t := range b.topics {
		out = append(out, t.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Topic looks a topic up by name.
func (b *Broker) Topic(name string) (TopicInfo, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	t, ok := b.topics[name]
	if !ok {
		return TopicInfo{}, false
	}
	return t.info(), true
}

// TopicByID looks a topic up by id.
func (b *Broker) TopicByID(id [16]byte) (TopicInfo, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	t, ok := b.ids[id]
	if !ok {
		return TopicInfo{}, false
	}
	return t.info(), true
}

func (b *Broker) lookup(name string) *topic {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.topics[name]
}

func (b *Broker) lookupID(id [16]byte) *topic {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.ids[id]
}

func (b *Broker) allPartitions() []*partition.Partition {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []*partition.Partition
	for _, t := range b.topics {
		out = append(out, t.partitions...)
	}
	return out
}

// AutoCreate returns the named topic, creating it with the broker's
// defaults if it does not exist and auto.create.topics.enable is on.
func (b *Broker) AutoCreate(name string) (TopicInfo, error) {
	if t := b.lookup(name); t != nil {
		return t.info(), nil
	}
	if err := ValidateTopicName(name); err != nil {
		return TopicInfo{}, err
	}
	if !b.cfg.AutoCreateTopics() {
		return TopicInfo{}, kerr.UnknownTopicOrPartition
	}
	info, err := b.CreateTopic(CreateTopic{Name: name, Partitions: -1, ReplicationFactor: -1})
	if errors.Is(err, kerr.TopicAlreadyExists) {
		if t := b.lookup(name); t != nil {
			return t.info(), nil
		}
	}
	if err == nil {
		b.lg.Info("topic auto-created", "topic", name, "partitions", info.Partitions)
	}
	return info, err
}

// CreateTopic is a topic creation request.
type CreateTopic struct {
	Name              string
	Partitions        int32 // -1: num.partitions
	ReplicationFactor int16 // -1: default.replication.factor
	Assignment        map[int32][]int32
	Configs           map[string]string
	ValidateOnly      bool
}

// Error is a kerr code with a message for the client.
type Error struct {
	Code    *kerr.Error
	Message string
}

func (e *Error) Error() string { return e.Code.Message + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Code }

func errorf(code *kerr.Error, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CreateTopic validates and (unless ValidateOnly) creates a topic.
func (b *Broker) CreateTopic(req CreateTopic) (TopicInfo, error) {
	if err := b.validateCreate(&req); err != nil {
		return TopicInfo{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.checkCollisionLocked(req.Name); err != nil {
		return TopicInfo{}, err
	}
	mt := meta.Topic{Name: req.Name, ID: uuid.New(), Partitions: req.Partitions, Configs: req.Configs}
	if req.ValidateOnly {
		return TopicInfo{Name: mt.Name, ID: mt.ID, Partitions: mt.Partitions, Configs: mt.Configs}, nil
	}
	t, err := b.openTopic(mt)
	if err != nil {
		return TopicInfo{}, errorf(kerr.KafkaStorageError, "%v", err)
	}
	if err := b.meta.PutTopic(mt); err != nil {
		for _, p := range t.partitions {
			p.Delete()
		}
		return TopicInfo{}, errorf(kerr.KafkaStorageError, "%v", err)
	}
	b.topics[t.name] = t
	b.ids[t.id] = t
	return t.info(), nil
}

func (b *Broker) validateCreate(req *CreateTopic) error {
	if err := ValidateTopicName(req.Name); err != nil {
		return err
	}
	if len(req.Assignment) > 0 {
		if req.Partitions != -1 || req.ReplicationFactor != -1 {
			return errorf(kerr.InvalidRequest, "both numPartitions or replicationFactor and replicasAssignments were set")
		}
		if err := b.validateAssignment(req.Assignment); err != nil {
			return err
		}
		req.Partitions, req.ReplicationFactor = int32(len(req.Assignment)), 1
	}
	if req.Partitions == -1 {
		req.Partitions = b.cfg.NumPartitions()
	}
	if req.Partitions <= 0 {
		return errorf(kerr.InvalidPartitions, "number of partitions must be larger than 0, or -1 to use the default")
	}
	if req.Partitions > MaxPartitions {
		return errorf(kerr.InvalidPartitions, "%d partitions is more than the %d a topic may have", req.Partitions, MaxPartitions)
	}
	if req.ReplicationFactor == -1 {
		req.ReplicationFactor = 1
	}
	if req.ReplicationFactor <= 0 {
		return errorf(kerr.InvalidReplicationFactor, "replication factor must be larger than 0, or -1 to use the default")
	}
	if req.ReplicationFactor > 1 {
		return errorf(kerr.InvalidReplicationFactor, "unable to replicate the partition %d time(s): the target replication factor of %d cannot be reached because only 1 broker(s) are registered", req.ReplicationFactor, req.ReplicationFactor)
	}
	for name, value := range req.Configs {
		if err := config.ValidateTopicConfig(name, value); err != nil {
			return errorf(kerr.InvalidConfig, "%v", err)
		}
	}
	return nil
}

func (b *Broker) validateAssignment(a map[int32][]int32) error {
	for i := int32(0); i < int32(len(a)); i++ {
		replicas, ok := a[i]
		if !ok {
			return errorf(kerr.InvalidReplicaAssignment, "partitions must be numbered 0 to %d", len(a)-1)
		}
		if len(replicas) != 1 || replicas[0] != b.NodeID() {
			return errorf(kerr.InvalidReplicaAssignment, "partition %d: the only broker is %d", i, b.NodeID())
		}
	}
	return nil
}

// DeleteTopic removes a topic by name, or by id when name is "".
func (b *Broker) DeleteTopic(name string, id [16]byte) (TopicInfo, error) {
	if !b.cfg.DeleteTopicEnable() {
		return TopicInfo{}, errorf(kerr.TopicDeletionDisabled, "delete.topic.enable is false")
	}
	b.mu.Lock()
	t := b.topics[name]
	if name == "" {
		t = b.ids[id]
	}
	if t == nil {
		b.mu.Unlock()
		if name == "" {
			return TopicInfo{}, kerr.UnknownTopicID
		}
		return TopicInfo{}, kerr.UnknownTopicOrPartition
	}
	if t.internal {
		b.mu.Unlock()
		return TopicInfo{}, errorf(kerr.InvalidTopicException, "%s is an internal topic of the broker and cannot be deleted", t.name)
	}
	if err := b.meta.DeleteTopic(t.name); err != nil {
		b.mu.Unlock()
		return TopicInfo{}, errorf(kerr.KafkaStorageError, "%v", err)
	}
	delete(b.topics, t.name)
	delete(b.ids, t.id)
	b.mu.Unlock()

	b.metrics.ForgetTopic(t.name)
	b.removePartitions(t)
	return t.info(), nil
}

// removePartitions closes a deleted topic's partitions and moves their
// directories aside before removing them, so that a topic recreated with
// the same name never sees the old files, even after a crash.
func (b *Broker) removePartitions(t *topic) {
	uid := uuid.UUID(t.id).String()
	for _, p := range t.partitions {
		if err := p.Close(); err != nil {
			b.lg.Warn("closing deleted partition", "topic", t.name, "partition", p.Index, "err", err)
		}
		dir := b.partitionDir(t.name, p.Index)
		gone := dir + "." + uid + deletedSuffix
		if err := os.Rename(dir, gone); err != nil {
			b.lg.Warn("moving deleted partition aside", "dir", dir, "err", err)
			continue
		}
		go os.RemoveAll(gone)
	}
}

// CreatePartitions grows a topic to count partitions.
func (b *Broker) CreatePartitions(name string, count int32, validateOnly bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.topics[name]
	if t == nil {
		return kerr.UnknownTopicOrPartition
	}
	if t.internal {
		return errorf(kerr.InvalidTopicException, "%s is an internal topic of the broker", t.name)
	}
	have := int32(len(t.partitions))
	if count < have {
		return errorf(kerr.InvalidPartitions, "topic currently has %d partitions, which is higher than the requested %d", have, count)
	}
	if count == have {
		return errorf(kerr.InvalidPartitions, "topic already has %d partitions", have)
	}
	if count > MaxPartitions {
		return errorf(kerr.InvalidPartitions, "%d partitions is more than the %d a topic may have", count, MaxPartitions)
	}
	if validateOnly {
		return nil
	}
	grown := &topic{name: t.name, id: t.id, internal: t.internal, configs: t.configs, partitions: t.partitions, counters: t.counters}
	if err := b.openPartitions(grown, have, count); err != nil {
		return errorf(kerr.KafkaStorageError, "%v", err)
	}
	mt := meta.Topic{Name: t.name, ID: t.id, Internal: t.internal, Partitions: count, Configs: t.configs}
	if err := b.meta.PutTopic(mt); err != nil {
		for _, p := range grown.partitions[have:] {
			p.Delete()
		}
		return errorf(kerr.KafkaStorageError, "%v", err)
	}
	b.topics[t.name] = grown
	b.ids[t.id] = grown
	return nil
}
