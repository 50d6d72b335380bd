package broker

import (
	"strconv"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// recompress returns records as the topic stores them: unchanged when its
// compression.type is "producer" (the default, and the only case on the
// hot path: one map lookup) or the batch already uses the topic's codec,
// else re-encoded with the topic's codec, as Kafka's LogValidator does. A
// batch over max.message.bytes is left for the partition to refuse, as
// Kafka checks the size before it recompresses.
func (b *Broker) recompress(t *topic, records []byte) ([]byte, error) {
	codec, ok := batch.CodecNamed(b.cfg.TopicValue(t.configs, "compression.type"))
	if !ok {
		return records, nil
	}
	if limit, err := strconv.Atoi(b.cfg.TopicValue(t.configs, "max.message.bytes")); err == nil && len(records) > limit {
		return records, nil
	}
	return batch.Recompress(records, codec)
}
