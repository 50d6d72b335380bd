package partition

import (
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// DeleteRecords raises the log start offset to offset, -1 meaning the
// high watermark (Kafka's DeleteRecords, UnifiedLog.maybeIncrementLogStartOffset),
// and returns the log start offset once the new value is durable. Segments
// wholly below it are deleted now; reads below it fail with
// OFFSET_OUT_OF_RANGE; the aborted transactions and producers below it are
// dropped as retention drops them. A lower offset than the current start
// changes nothing; one past the high watermark, or negative, is
// OFFSET_OUT_OF_RANGE.
func (p *Partition) DeleteRecords(offset int64, now time.Time) (int64, error) {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	hwm := p.hwm.Load()
	if offset == -1 { // DeleteRecordsRequest.HIGH_WATERMARK
		offset = hwm
	}
	if offset < 0 || offset > hwm {
		return -1, fmt.Errorf("partition: offset %d for %s-%d is not in [0, %d]: %w", offset, p.Topic, p.Index, hwm, kerr.OffsetOutOfRange)
	}
	if err := p.log.SetStartOffset(offset); err != nil {
		if errors.Is(err, commitlog.ErrOffsetOutOfRange) {
			return -1, kerr.OffsetOutOfRange
		}
		p.lg.Error("moving the log start offset failed", "offset", offset, "err", err)
		return -1, fmt.Errorf("partition: %v: %w", err, kerr.KafkaStorageError)
	}
	if err := p.afterStartMovedLocked(now); err != nil {
		return -1, fmt.Errorf("partition: %v: %w", err, kerr.KafkaStorageError)
	}
	return p.log.StartOffset(), nil
}
