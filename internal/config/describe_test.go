package config

import (
	"fmt"
	"strings"
	"testing"
)

func find(t *testing.T, entries []Entry, name string) Entry {
	t.Helper()
	for _, e := range entries {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("%s not described", name)
	return Entry{}
}

// show renders an entry as "value source [synonyms]" for comparison.
func show(e Entry) string {
	val := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	var syns []string
	for _, s := range e.Synonyms {
		syns = append(syns, fmt.Sprintf("%d:%s=%s", s.Source, s.Name, val(s.Value)))
	}
	return fmt.Sprintf("%s %d [%s]", val(e.Value), e.Source, strings.Join(syns, " "))
}

func TestDescribeTopic(t *testing.T) {
	b := mustBroker(t, map[string]string{"log.segment.bytes": "2000", "log.retention.hours": "2"})
	if err := b.SetDynamic(map[string]string{"message.max.bytes": "3000"}, map[string]string{"message.max.bytes": "4000"}); err != nil {
		t.Fatal(err)
	}
	entries := b.DescribeTopic(map[string]string{"cleanup.policy": " compact , delete", "min.cleanable.dirty.ratio": "1"})
	if len(entries) != len(topicDefs) {
		t.Fatalf("%d entries, want one per topic config", len(entries))
	}
	for _, tt := range []struct{ name, want string }{
		// Override first, then the broker synonym's default; values as Kafka prints them.
		{"cleanup.policy", "compact,delete 1 [1:cleanup.policy=compact,delete 5:log.cleanup.policy=delete]"},
		{"min.cleanable.dirty.ratio", "1.0 1 [1:min.cleanable.dirty.ratio=1.0 5:log.cleaner.min.cleanable.ratio=0.5]"},
		{"segment.bytes", "2000 4 [4:log.segment.bytes=2000 5:log.segment.bytes=1073741824]"},
		{"max.message.bytes", "4000 2 [2:message.max.bytes=4000 3:message.max.bytes=3000 5:message.max.bytes=1048588]"},
		// Kafka's quirk: synonyms before the first log.retention.ms are dropped.
		{"retention.ms", "7200000 5 []"},
	} {
		if got := show(find(t, entries, tt.name)); got != tt.want {
			t.Errorf("%s: %s\n                 want %s", tt.name, got, tt.want)
		}
	}
	e := find(t, entries, "retention.ms")
	if e.ReadOnly || e.Type != Long || e.Doc == "" {
		t.Errorf("retention.ms: read-only %v type %v doc %q", e.ReadOnly, e.Type, e.Doc)
	}
}

func TestDescribeBroker(t *testing.T) {
	b := mustBroker(t, map[string]string{"log.retention.hours": "2", "num.partitions": "3"})
	if err := b.SetDynamic(map[string]string{"log.retention.ms": "1000"}, nil); err != nil {
		t.Fatal(err)
	}
	entries := b.DescribeBroker()
	for _, tt := range []struct {
		name, want string
		readOnly   bool
	}{
		{"num.partitions", "3 4 [4:num.partitions=3 5:num.partitions=1]", true},
		{"log.retention.ms", "1000 3 [3:log.retention.ms=1000 4:log.retention.hours=2 5:log.retention.hours=168]", false},
		{"log.retention.hours", "2 4 [4:log.retention.hours=2 5:log.retention.hours=168]", true},
		{"log.roll.ms", "null 5 []", false},
		{"node.id", "1 5 [5:node.id=1]", true},
	} {
		e := find(t, entries, tt.name)
		if got := show(e); got != tt.want || e.ReadOnly != tt.readOnly {
			t.Errorf("%s: %s read-only %v\n                 want %s read-only %v", tt.name, got, e.ReadOnly, tt.want, tt.readOnly)
		}
	}
	for _, e := range entries {
		if e.Name == "process.roles" {
			t.Error("an ignored property is described")
		}
	}
	cluster := b.DescribeClusterDefaults()
	if len(cluster) != 1 || show(cluster[0]) != "1000 3 [3:log.retention.ms=1000]" {
		t.Errorf("cluster defaults: %+v", cluster)
	}
}
