package broker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/partition"
)

func keyed(t *testing.T, key, value string) []byte {
	t.Helper()
	b, err := batch.Build(batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: time.Now().UnixMilli()},
		batch.Record{Key: []byte(key), Value: []byte(value)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// liveRecords counts the records a consumer reading p from its start gets.
func liveRecords(t *testing.T, p *partition.Partition) int {
	t.Helper()
	n := 0
	for off := p.LogStartOffset(); off < p.HighWatermark(); {
		c, err := p.Read(off, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		buf, err := c.AppendTo(nil)
		c.Release()
		if err != nil {
			t.Fatal(err)
		}
		for len(buf) >= batch.HeaderSize {
			h, err := batch.ParseHeader(buf)
			if err != nil {
				t.Fatal(err)
			}
			if h.LastOffset() >= off {
				n += int(h.NumRecords)
				off = h.LastOffset() + 1
			}
			buf = buf[h.Size():]
		}
	}
	return n
}

// The background cleaner compacts a compacted topic without being asked,
// and stops when the topic's policy no longer includes compact.
func TestCleanerCompactsInBackground(t *testing.T) {
	b := open(t, t.TempDir(), map[string]string{"log.cleaner.backoff.ms": "20"})
	defer b.Close()
	configs := map[string]string{"cleanup.policy": "compact", "segment.bytes": "500", "min.cleanable.dirty.ratio": "0.1"}
	if _, err := b.CreateTopic(CreateTopic{Name: "kv", Partitions: 1, ReplicationFactor: -1, Configs: configs}); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		part := ProducePart{Topic: "kv", Records: keyed(t, fmt.Sprintf("k%d", i%5), fmt.Sprint(i))}
		if res := b.Produce(AcksAll, []ProducePart{part}).Wait()[0]; res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	p := b.lookup("kv").partitions[0]
	deadline := time.Now().Add(10 * time.Second)
	for liveRecords(t, p) > 20 { // 5 keys, plus what the active segment holds
		if time.Now().After(deadline) {
			t.Fatalf("%d records still there after 10s", liveRecords(t, p))
		}
		time.Sleep(20 * time.Millisecond)
	}

	res := b.Produce(AcksAll, []ProducePart{{Topic: "kv", Records: records(t, 1)}}).Wait()[0]
	if !errors.Is(res.Err, kerr.InvalidRecord) {
		t.Fatalf("record without a key on a compacted topic: %v, want INVALID_RECORD", res.Err)
	}
	if err := p.SetConfig(b.partitionConfig(map[string]string{"cleanup.policy": "delete"})); err != nil {
		t.Fatal(err)
	}
	if p.Compacted() {
		t.Fatal("still compacted after switching cleanup.policy to delete")
	}
	if res := b.Produce(AcksAll, []ProducePart{{Topic: "kv", Records: records(t, 1)}}).Wait()[0]; res.Err != nil {
		t.Fatalf("record without a key once the policy is delete: %v", res.Err)
	}
}

func TestPartitionConfigPolicies(t *testing.T) {
	b := open(t, t.TempDir(), nil)
	defer b.Close()
	for _, tc := range []struct {
		policy           string
		compact          bool
		retentionMs      int64
		retentionBytes   int64
		deleteRetention  int64
		minCompactionLag int64
	}{
		{"delete", false, 5000, 100, 86400000, 0},
		{"compact", true, -1, -1, 86400000, 0},
		{"compact,delete", true, 5000, 100, 86400000, 0},
	} {
		cfg := b.partitionConfig(map[string]string{"cleanup.policy": tc.policy, "retention.ms": "5000", "retention.bytes": "100"})
		if cfg.Compact != tc.compact || cfg.Log.RetentionMs != tc.retentionMs || cfg.Log.RetentionBytes != tc.retentionBytes ||
			cfg.Compaction.DeleteRetentionMs != tc.deleteRetention || cfg.Compaction.MinLagMs != tc.minCompactionLag {
			t.Errorf("cleanup.policy=%s: %+v", tc.policy, cfg)
		}
	}
	cfg := b.partitionConfig(map[string]string{"min.compaction.lag.ms": "7", "max.compaction.lag.ms": "8", "delete.retention.ms": "9", "min.cleanable.dirty.ratio": "0.25"})
	if want := (partition.Compaction{MinLagMs: 7, MaxLagMs: 8, DeleteRetentionMs: 9, MinDirtyRatio: 0.25}); cfg.Compaction != want {
		t.Errorf("compaction settings %+v, want %+v", cfg.Compaction, want)
	}
}
