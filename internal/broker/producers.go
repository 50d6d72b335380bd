package broker

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/partition"
)

// producerIDBlock is how many producer ids are reserved in the metadata
// store at a time (Kafka's controller hands out blocks of 1000 too).
const producerIDBlock = 1000

// producerIDs hands out producer ids from the current reserved block.
type producerIDs struct {
	mu        sync.Mutex
	next, end int64
}

// NewProducerID returns a producer id never returned before by this data
// directory, for an idempotent producer's InitProducerId.
func (b *Broker) NewProducerID() (int64, error) {
	ids := &b.producerIDs
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if ids.next == ids.end {
		first, err := b.meta.ReserveProducerIDs(producerIDBlock)
		if err != nil {
			b.lg.Error("reserving producer ids failed", "err", err)
			return -1, kerr.KafkaStorageError
		}
		ids.next, ids.end = first, first+producerIDBlock
	}
	id := ids.next
	ids.next++
	return id, nil
}

// DescribeProducers returns the idempotent producers a partition knows.
func (b *Broker) DescribeProducers(topic string, index int32) ([]partition.ProducerState, error) {
	t := b.lookup(topic)
	if t == nil || index < 0 || int(index) >= len(t.partitions) {
		return nil, kerr.UnknownTopicOrPartition
	}
	return t.partitions[index].Producers(), nil
}
