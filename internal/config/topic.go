package config

import (
	"fmt"
	"slices"
	"sort"
	"sync"
)

// TopicDef describes one topic-level config: its Kafka name, type, the broker
// property that supplies its default (its "synonym"), and what it accepts.
type TopicDef struct {
	Name          string
	Type          Type
	BrokerSynonym string
	Doc           string
	// Supported is false for configs Kafka has but Samsa does not enforce
	// yet; setting them is refused rather than silently accepted.
	Supported bool
	validate  func(string) error
}

var topicDefs = []TopicDef{
	{Name: "cleanup.policy", Type: List, BrokerSynonym: "log.cleanup.policy", Supported: true,
		Doc: "delete removes old segments by retention.ms/bytes; compact keeps the latest record per key; both may be listed.", validate: listOf("delete", "compact")},
	{Name: "compression.type", Type: String, BrokerSynonym: "compression.type", Supported: true,
		Doc: "producer keeps the producer's codec; uncompressed, gzip, snappy, lz4 or zstd recompresses batches on append.", validate: oneOf(compressionTypes...)},
	{Name: "min.compaction.lag.ms", Type: Long, BrokerSynonym: "log.cleaner.min.compaction.lag.ms", Supported: true,
		Doc: "A record stays uncompacted at least this long after it was written.", validate: atLeast(0)},
	{Name: "max.compaction.lag.ms", Type: Long, BrokerSynonym: "log.cleaner.max.compaction.lag.ms", Supported: true,
		Doc: "A record becomes eligible for compaction at most this long after it was written, whatever the dirty ratio.", validate: atLeast(1)},
	{Name: "delete.retention.ms", Type: Long, BrokerSynonym: "log.cleaner.delete.retention.ms", Supported: true,
		Doc: "How long tombstones (and transaction markers) are kept after compaction reached them.", validate: atLeast(0)},
	{Name: "min.cleanable.dirty.ratio", Type: Double, BrokerSynonym: "log.cleaner.min.cleanable.ratio", Supported: true,
		Doc: "Compact once this share of the log is not yet compacted.", validate: between(0, 1)},
	{Name: "retention.ms", Type: Long, BrokerSynonym: "log.retention.ms", Supported: true,
		Doc: "Delete segments whose newest record is older than this; -1 keeps forever.", validate: atLeast(-1)},
	{Name: "retention.bytes", Type: Long, BrokerSynonym: "log.retention.bytes", Supported: true,
		Doc: "Delete oldest segments while the partition is larger than this; -1 is unlimited.", validate: atLeast(-1)},
	{Name: "segment.bytes", Type: Int, BrokerSynonym: "log.segment.bytes", Supported: true,
		Doc: "Roll a new segment file at this size.", validate: atLeast(14)},
	{Name: "segment.ms", Type: Long, BrokerSynonym: "log.roll.ms", Supported: true,
		Doc: "Roll a new segment after this long even if it is not full.", validate: atLeast(1)},
	{Name: "max.message.bytes", Type: Int, BrokerSynonym: "message.max.bytes", Supported: true,
		Doc: "Largest record batch the topic accepts.", validate: atLeast(0)},
	{Name: "message.timestamp.type", Type: String, BrokerSynonym: "log.message.timestamp.type", Supported: true,
		Doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches on append.", validate: oneOf("CreateTime", "LogAppendTime")},
	{Name: "index.interval.bytes", Type: Int, BrokerSynonym: "log.index.interval.bytes", Supported: true,
		Doc: "Bytes of log between offset index entries.", validate: atLeast(0)},
	{Name: "min.insync.replicas", Type: Int, BrokerSynonym: "min.insync.replicas", Supported: true,
		Doc: "Single-replica broker: only 1 is meaningful.", validate: oneOf("1")},
}

// TopicDefs lists the topic configs Samsa knows, sorted by name.
func TopicDefs() []TopicDef {
	defs := append([]TopicDef(nil), topicDefs...)
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	return defs
}

func topicDef(name string) (TopicDef, bool) {
	d, ok := topicDefIndex()[name]
	return d, ok
}

// topicDefIndex finds defs by name: the produce path looks up
// compression.type and max.message.bytes on every batch.
var topicDefIndex = sync.OnceValue(func() map[string]TopicDef {
	m := make(map[string]TopicDef, len(topicDefs))
	for _, d := range topicDefs {
		m[d.Name] = d
	}
	return m
})

// ValidateTopicConfig checks one topic config as CreateTopics or AlterConfigs
// would receive it. The error is an *Error whose text is meant for the client.
func ValidateTopicConfig(name, value string) error {
	d, ok := topicDef(name)
	switch {
	case !ok:
		return &Error{Kind: UnknownName, Msg: "Unknown topic config name: " + name}
	case !d.Supported:
		return &Error{Kind: UnknownName, Msg: "Topic config " + name + " is not supported by Samsa yet"}
	}
	if err := d.Type.check(value); err != nil {
		return invalidValue(name, value, err)
	}
	if err := d.validate(value); err != nil {
		return invalidValue(name, value, err)
	}
	return nil
}

// ValidateTopicOverrides checks a topic's whole set of overrides: each one,
// then the pairs Kafka's LogConfig.validateValues checks against each other
// on the effective configuration.
func (b *Broker) ValidateTopicOverrides(overrides map[string]string) error {
	for _, name := range sortedKeys(overrides) {
		if err := ValidateTopicConfig(name, overrides[name]); err != nil {
			return err
		}
	}
	tc := b.Topic(overrides)
	if tc.MinCompactionLagMs > tc.MaxCompactionLagMs {
		return &Error{Kind: InvalidValue, Msg: fmt.Sprintf("conflict topic config setting min.compaction.lag.ms (%d) > max.compaction.lag.ms (%d)",
			tc.MinCompactionLagMs, tc.MaxCompactionLagMs)}
	}
	return nil
}

// invalidValue words a bad value as Kafka's ConfigException does.
func invalidValue(name, value string, err error) error {
	return &Error{Kind: InvalidValue, Msg: fmt.Sprintf("Invalid value %s for configuration %s: %v", value, name, err)}
}

// Topic is the effective configuration of one topic: broker defaults with the
// topic's own overrides applied.
type Topic struct {
	RetentionMs        int64
	RetentionBytes     int64
	SegmentBytes       int64
	SegmentMs          int64
	MaxMessageBytes    int32
	LogAppendTime      bool
	IndexIntervalBytes int

	// Delete and Compact are the cleanup.policy items.
	Delete, Compact        bool
	MinCompactionLagMs     int64
	MaxCompactionLagMs     int64
	DeleteRetentionMs      int64
	MinCleanableDirtyRatio float64
	// CompressionType is compression.type: "producer" or a codec name.
	CompressionType string
}

// compressionTypes are compression.type's values.
var compressionTypes = []string{"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"}

// Topic resolves a topic's overrides against this broker's defaults.
// Overrides must already have passed ValidateTopicConfig.
func (b *Broker) Topic(overrides map[string]string) Topic {
	v := b.current() // one view: a concurrent SetDynamic must not mix generations
	get := func(name string) string {
		if o, ok := overrides[name]; ok {
			return o
		}
		return v.topicDefault(name)
	}
	policy := SplitList(get("cleanup.policy"))
	return Topic{
		Delete:                 slices.Contains(policy, "delete"),
		Compact:                slices.Contains(policy, "compact"),
		MinCompactionLagMs:     mustInt64(get("min.compaction.lag.ms")),
		MaxCompactionLagMs:     mustInt64(get("max.compaction.lag.ms")),
		DeleteRetentionMs:      mustInt64(get("delete.retention.ms")),
		MinCleanableDirtyRatio: mustFloat(get("min.cleanable.dirty.ratio")),
		CompressionType:        get("compression.type"),
		RetentionMs:            mustInt64(get("retention.ms")),
		RetentionBytes:         mustInt64(get("retention.bytes")),
		SegmentBytes:           mustInt64(get("segment.bytes")),
		SegmentMs:              mustInt64(get("segment.ms")),
		MaxMessageBytes:        int32(mustInt64(get("max.message.bytes"))),
		LogAppendTime:          get("message.timestamp.type") == "LogAppendTime",
		IndexIntervalBytes:     int(mustInt64(get("index.interval.bytes"))),
	}
}

// TopicDefault is the broker-level default of a topic config.
func (b *Broker) TopicDefault(name string) string { return b.current().topicDefault(name) }

func (v *view) topicDefault(name string) string {
	d, ok := topicDef(name)
	if !ok {
		return ""
	}
	return v.values[d.BrokerSynonym]
}
