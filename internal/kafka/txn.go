package kafka

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
)

// fencedFor returns err, except that PRODUCER_FENCED becomes
// INVALID_PRODUCER_EPOCH below the version that introduced it (KIP-588),
// as Kafka answers older clients.
func fencedFor(err error, version, since int16) error {
	if version < since && errors.Is(err, kerr.ProducerFenced) {
		return kerr.InvalidProducerEpoch
	}
	return err
}
