package config

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func mustBroker(t *testing.T, props map[string]string) *Broker {
	t.Helper()
	b, err := NewBroker(props)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantKind(t *testing.T, err error, kind ErrorKind, text string) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != kind || !strings.Contains(ce.Msg, text) {
		t.Fatalf("error %v, want kind %d mentioning %q", err, kind, text)
	}
}

// TestDynamicPrecedence: this broker's dynamic config beats the cluster-wide
// one, which beats server.properties, and a dynamic log.retention.ms beats
// a static log.retention.hours.
func TestDynamicPrecedence(t *testing.T) {
	b := mustBroker(t, map[string]string{"log.retention.hours": "2", "message.max.bytes": "5000"})
	steps := []struct {
		cluster, node map[string]string
		retention     string
		maxBytes      int32
	}{
		{nil, nil, "7200000", 5000},
		{map[string]string{"log.retention.ms": "1000", "message.max.bytes": "6000"}, nil, "1000", 6000},
		{map[string]string{"log.retention.ms": "1000"}, map[string]string{"log.retention.ms": "500"}, "500", 5000},
		{nil, nil, "7200000", 5000},
	}
	for i, s := range steps {
		if err := b.SetDynamic(s.cluster, s.node); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := b.TopicDefault("retention.ms"); got != s.retention {
			t.Errorf("step %d: retention.ms default %s, want %s", i, got, s.retention)
		}
		if got := b.Topic(nil).MaxMessageBytes; got != s.maxBytes {
			t.Errorf("step %d: max.message.bytes %d, want %d", i, got, s.maxBytes)
		}
	}
}

func TestDynamicRefusals(t *testing.T) {
	b := mustBroker(t, nil)
	wantKind(t, b.SetDynamic(map[string]string{"no.such": "1"}, nil), UnknownName, "no.such")
	wantKind(t, b.SetDynamic(nil, map[string]string{"node.id": "2", "num.partitions": "3"}), NotDynamic,
		"Cannot update these configs dynamically: [node.id, num.partitions]")
	wantKind(t, b.SetDynamic(nil, map[string]string{"num.io.threads": "3"}), UnknownName, "num.io.threads")
	wantKind(t, b.SetDynamic(nil, map[string]string{"log.retention.ms": "-2"}), InvalidValue, "Invalid value -2 for configuration log.retention.ms")
	wantKind(t, b.SetDynamic(map[string]string{"compression.type": "brotli"}, nil), InvalidValue, "compression.type")
	if err := b.CheckDynamic(map[string]string{"log.cleanup.policy": "compact"}, nil); err != nil {
		t.Fatal(err)
	}
	if cluster, node := b.Dynamic(); len(cluster)+len(node) != 0 {
		t.Fatalf("refused and checked changes took effect: %v %v", cluster, node)
	}
}

// TestDynamicConcurrentReaders runs getters against SetDynamic; -race
// checks that readers never see a view being built.
func TestDynamicConcurrentReaders(t *testing.T) {
	b := mustBroker(t, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if tc := b.Topic(nil); tc.RetentionMs != 1000 && tc.RetentionMs != 604800000 {
					t.Errorf("retention %d is neither value", tc.RetentionMs)
					return
				}
				b.DescribeBroker()
			}
		}()
	}
	for i := range 200 {
		var cluster map[string]string
		if i%2 == 0 {
			cluster = map[string]string{"log.retention.ms": "1000"}
		}
		if err := b.SetDynamic(cluster, nil); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestApplyOps(t *testing.T) {
	tests := []struct {
		name    string
		current map[string]string
		ops     []Op
		want    map[string]string
		kind    ErrorKind
	}{
		{name: "append to default", ops: []Op{{Name: "cleanup.policy", Type: OpAppend, Value: "compact"}},
			want: map[string]string{"cleanup.policy": "delete,compact"}},
		{name: "append present", current: map[string]string{"cleanup.policy": "compact"},
			ops: []Op{{Name: "cleanup.policy", Type: OpAppend, Value: "compact"}}, want: map[string]string{"cleanup.policy": "compact"}},
		{name: "subtract", current: map[string]string{"cleanup.policy": "delete,compact"},
			ops: []Op{{Name: "cleanup.policy", Type: OpSubtract, Value: "delete"}}, want: map[string]string{"cleanup.policy": "compact"}},
		{name: "set then delete", current: map[string]string{"retention.ms": "5"},
			ops:  []Op{{Name: "segment.ms", Type: OpSet, Value: "9"}, {Name: "retention.ms", Type: OpDelete}},
			want: map[string]string{"segment.ms": "9"}},
		{name: "append to a long", ops: []Op{{Name: "retention.ms", Type: OpAppend, Value: "1"}}, kind: NotList},
		{name: "unknown op", ops: []Op{{Name: "retention.ms", Type: 9, Value: "1"}}, kind: InvalidOp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyTopicOps(tt.current, tt.ops)
			if tt.kind != 0 {
				wantKind(t, err, tt.kind, "")
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
	got, err := ApplyBrokerOps(nil, []Op{{Name: "log.cleanup.policy", Type: OpAppend, Value: "compact"}})
	if err != nil || got["log.cleanup.policy"] != "delete,compact" {
		t.Errorf("broker APPEND: %v, %v", got, err)
	}
	_, err = ApplyBrokerOps(nil, []Op{{Name: "message.max.bytes", Type: OpSubtract, Value: "1"}})
	wantKind(t, err, NotList, "Config value subtract is not allowed for config key: message.max.bytes")
}

func TestValidateTopicOverrides(t *testing.T) {
	b := mustBroker(t, nil)
	if err := b.ValidateTopicOverrides(map[string]string{"retention.ms": "5", "cleanup.policy": "compact"}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, b.ValidateTopicOverrides(map[string]string{"retnetion.ms": "5"}), UnknownName, "Unknown topic config name: retnetion.ms")
	wantKind(t, b.ValidateTopicOverrides(map[string]string{"segment.bytes": "x"}), InvalidValue, "Invalid value x for configuration segment.bytes")
	wantKind(t, b.ValidateTopicOverrides(map[string]string{"min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5"}),
		InvalidValue, "min.compaction.lag.ms (10) > max.compaction.lag.ms (5)")
}
