package config

import (
	"strings"
	"testing"
)

func TestParseProperties(t *testing.T) {
	in := `# Kafka quickstart style
process.roles=broker,controller
node.id = 3
! bang comment
listeners: PLAINTEXT://:9092,CONTROLLER://:9093
log.dirs /tmp/kraft
long.value=a,\
  b
empty=
`
	got, err := ParseProperties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"process.roles": "broker,controller",
		"node.id":       "3",
		"listeners":     "PLAINTEXT://:9092,CONTROLLER://:9093",
		"log.dirs":      "/tmp/kraft",
		"long.value":    "a,b",
		"empty":         "",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d properties %v, want %d", len(got), got, len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestNewBroker(t *testing.T) {
	tests := []struct {
		name    string
		props   map[string]string
		wantErr string
		check   func(t *testing.T, b *Broker)
	}{
		{name: "defaults", check: func(t *testing.T, b *Broker) {
			if b.NodeID() != 1 || !b.AutoCreateTopics() || b.NumPartitions() != 1 {
				t.Errorf("node %d autocreate %v partitions %d", b.NodeID(), b.AutoCreateTopics(), b.NumPartitions())
			}
			if b.SocketRequestMaxBytes() != 100<<20 {
				t.Errorf("socket.request.max.bytes = %d", b.SocketRequestMaxBytes())
			}
			if got := b.TopicDefault("retention.ms"); got != "604800000" {
				t.Errorf("retention.ms default = %s, want 7 days", got)
			}
			if !b.AcksAllFsync() {
				t.Error("acks=all must fsync by default")
			}
		}},
		{name: "unknown name", props: map[string]string{"no.such.thing": "1"}, wantErr: "unknown broker property"},
		{name: "bad type", props: map[string]string{"num.partitions": "x"}, wantErr: "num.partitions"},
		{name: "bad range", props: map[string]string{"num.partitions": "0"}, wantErr: "at least 1"},
		{name: "retention minutes", props: map[string]string{"log.retention.minutes": "2"}, check: func(t *testing.T, b *Broker) {
			if got := b.TopicDefault("retention.ms"); got != "120000" {
				t.Errorf("retention.ms = %s", got)
			}
		}},
		{name: "retention ms wins", props: map[string]string{"log.retention.ms": "5", "log.retention.hours": "1"}, check: func(t *testing.T, b *Broker) {
			if got := b.TopicDefault("retention.ms"); got != "5" {
				t.Errorf("retention.ms = %s", got)
			}
		}},
		{name: "quickstart ignored", props: map[string]string{"process.roles": "broker,controller", "controller.quorum.voters": "1@localhost:9093"}, check: func(t *testing.T, b *Broker) {
			if len(b.Ignored) != 2 {
				t.Errorf("ignored = %v", b.Ignored)
			}
		}},
		{name: "broker.id alias", props: map[string]string{"broker.id": "7"}, check: func(t *testing.T, b *Broker) {
			if b.NodeID() != 7 {
				t.Errorf("node id = %d", b.NodeID())
			}
		}},
		{name: "broker.id conflict", props: map[string]string{"broker.id": "7", "node.id": "8"}, wantErr: "differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBroker(tt.props)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, b)
		})
	}
}

func TestTopicConfig(t *testing.T) {
	b, err := NewBroker(map[string]string{"log.segment.bytes": "1000"})
	if err != nil {
		t.Fatal(err)
	}
	tc := b.Topic(map[string]string{"retention.ms": "10", "message.timestamp.type": "LogAppendTime"})
	if tc.RetentionMs != 10 || !tc.LogAppendTime || tc.SegmentBytes != 1000 || tc.MaxMessageBytes != 1048588 {
		t.Errorf("topic config = %+v", tc)
	}
	for _, bad := range [][2]string{
		{"retention.ms", "-2"}, {"retention.ms", "abc"}, {"no.such.config", "1"},
		{"cleanup.policy", ""}, {"cleanup.policy", "delete,shrink"}, {"message.timestamp.type", "Now"},
		{"min.cleanable.dirty.ratio", "1.5"}, {"compression.type", "brotli"}, {"max.compaction.lag.ms", "0"},
	} {
		if err := ValidateTopicConfig(bad[0], bad[1]); err == nil {
			t.Errorf("%s=%s accepted", bad[0], bad[1])
		}
	}
	for _, good := range [][2]string{
		{"retention.ms", "-1"}, {"cleanup.policy", "compact"}, {"cleanup.policy", " compact , delete"},
		{"min.cleanable.dirty.ratio", "0.1"}, {"compression.type", "zstd"},
	} {
		if err := ValidateTopicConfig(good[0], good[1]); err != nil {
			t.Errorf("%s=%s rejected: %v", good[0], good[1], err)
		}
	}
	tc = b.Topic(map[string]string{"cleanup.policy": "compact,delete", "min.cleanable.dirty.ratio": "0.25"})
	if !tc.Compact || !tc.Delete || tc.MinCleanableDirtyRatio != 0.25 || tc.DeleteRetentionMs != 86400000 || tc.CompressionType != "producer" {
		t.Errorf("compaction settings = %+v", tc)
	}
}
