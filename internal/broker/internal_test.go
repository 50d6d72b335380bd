package broker

import "testing"

// TestInternalTopicsBecomeCompacted: an __consumer_offsets created before
// compaction existed (no cleanup.policy) is compacted after a restart.
func TestInternalTopicsBecomeCompacted(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir, nil)
	if _, err := b.EnsureInternalTopic(OffsetsTopic, map[string]string{"segment.bytes": "104857600", "retention.ms": "-1"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = open(t, dir, nil)
	defer b.Close()
	tp := b.lookup(OffsetsTopic)
	if tp == nil || tp.configs["cleanup.policy"] != "compact" || tp.configs["segment.bytes"] != "104857600" {
		t.Fatalf("configs after a restart: %v", tp.configs)
	}
	if p, _ := b.InternalPartition(OffsetsTopic); p == nil {
		t.Fatal("internal partition gone")
	}
}
