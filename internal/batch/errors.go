package batch

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
)

// corrupt reports a batch that is damaged as bytes: Kafka's
// CorruptRecordException, CORRUPT_MESSAGE on the wire (retriable, since a
// resend may arrive intact).
func corrupt(format string, args ...any) error {
	return fmt.Errorf("batch: "+format+": %w", append(args, kerr.CorruptMessage)...)
}

// invalid reports a batch whose bytes arrived intact (the CRC matched) but
// break a format rule: Kafka's InvalidRecordException, INVALID_RECORD on the
// wire (not retriable, the same bytes fail again).
func invalid(format string, args ...any) error {
	return fmt.Errorf("batch: "+format+": %w", append(args, kerr.InvalidRecord)...)
}
