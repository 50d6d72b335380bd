package cli

import "github.com/twmb/franz-go/pkg/kgo"

// partitioner honours a record's explicit partition (-p, or "partition" in
// a JSON line) and otherwise partitions as Kafka's Java client does for
// keys (murmur2, through franz-go's key partitioner), so `samsa produce`
// puts a key where every other client does. Records without a key go
// round-robin.
//
// A record asks for "any partition" with Partition -1. franz-go's own
// partitioners cannot mix explicit and chosen partitions, hence this one.
func partitioner() kgo.Partitioner {
	byKey := kgo.StickyKeyPartitioner(nil)
	return kgo.BasicConsistentPartitioner(func(topic string) func(*kgo.Record, int) int {
		keyed := byKey.ForTopic(topic)
		next := 0 // per topic; franz-go calls this under the topic's lock
		return func(r *kgo.Record, n int) int {
			switch {
			case r.Partition >= 0:
				return int(r.Partition) // out of range fails the record, with the count
			case r.Key != nil:
				return keyed.Partition(r, n)
			}
			next++
			return next % n
		}
	})
}
