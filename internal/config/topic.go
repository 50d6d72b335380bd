package config

import (
	"fmt"
	"sort"
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
		Doc: "Retention policy for old segments: delete (compact is not implemented yet).", validate: oneOf("delete")},
	{Name: "compression.type", Type: String, BrokerSynonym: "compression.type", Supported: true,
		Doc: "Only 'producer' (keep the producer's codec) is implemented.", validate: oneOf("producer")},
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
	for _, d := range topicDefs {
		if d.Name == name {
			return d, true
		}
	}
	return TopicDef{}, false
}

// ValidateTopicConfig checks one topic config as CreateTopics or AlterConfigs
// would receive it. The error text is meant for the client.
func ValidateTopicConfig(name, value string) error {
	d, ok := topicDef(name)
	if !ok {
		return fmt.Errorf("unknown or unsupported topic config %q", name)
	}
	if err := d.Type.check(value); err != nil {
		return fmt.Errorf("invalid value %q for %s: %v", value, name, err)
	}
	if err := d.validate(value); err != nil {
		return fmt.Errorf("invalid value %q for %s: %v", value, name, err)
	}
	return nil
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
}

// Topic resolves a topic's overrides against this broker's defaults.
// Overrides must already have passed ValidateTopicConfig.
func (b *Broker) Topic(overrides map[string]string) Topic {
	get := func(name string) string {
		if v, ok := overrides[name]; ok {
			return v
		}
		return b.TopicDefault(name)
	}
	return Topic{
		RetentionMs:        mustInt64(get("retention.ms")),
		RetentionBytes:     mustInt64(get("retention.bytes")),
		SegmentBytes:       mustInt64(get("segment.bytes")),
		SegmentMs:          mustInt64(get("segment.ms")),
		MaxMessageBytes:    int32(mustInt64(get("max.message.bytes"))),
		LogAppendTime:      get("message.timestamp.type") == "LogAppendTime",
		IndexIntervalBytes: int(mustInt64(get("index.interval.bytes"))),
	}
}

// TopicDefault is the broker-level default of a topic config.
func (b *Broker) TopicDefault(name string) string {
	d, ok := topicDef(name)
	if !ok {
		return ""
	}
	return b.values[d.BrokerSynonym]
}
