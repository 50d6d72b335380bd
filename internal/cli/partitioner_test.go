package cli

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Keys land where the Java client puts them: murmur2 of the key (Kafka's
// UtilsTest.testMurmur2 vectors), made positive, modulo the partitions.
func TestPartitionerPlacesKeysAsKafka(t *testing.T) {
	p := partitioner().ForTopic("t")
	for _, tc := range []struct {
		key      string
		n, wantP int
	}{
		{"21", 7, 3}, {"21", 64, 44},
		{"foobar", 7, 0}, {"foobar", 64, 62},
		{"a-little-bit-long-string", 7, 1}, {"a-little-bit-long-string", 64, 32},
		{"abc", 7, 4}, {"abc", 64, 27},
	} {
		if got := p.Partition(&kgo.Record{Key: []byte(tc.key), Partition: -1}, tc.n); got != tc.wantP {
			t.Errorf("key %q over %d partitions: %d, want %d", tc.key, tc.n, got, tc.wantP)
		}
	}
}

func TestPartitionerExplicitAndRoundRobin(t *testing.T) {
	p := partitioner().ForTopic("t")
	if got := p.Partition(&kgo.Record{Partition: 2, Key: []byte("k")}, 3); got != 2 {
		t.Errorf("explicit partition 2: got %d", got)
	}
	seen := map[int]int{}
	for range 30 {
		seen[p.Partition(&kgo.Record{Partition: -1}, 3)]++
	}
	if len(seen) != 3 || seen[0] != 10 {
		t.Errorf("unkeyed records over 3 partitions: %v, want 10 each", seen)
	}
}
