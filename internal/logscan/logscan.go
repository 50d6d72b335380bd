// Package logscan reads a partition's batches from its log start offset
// to its high watermark, for the replays of the internal topics
// (__consumer_offsets, __transaction_state) at start-up.
package logscan

import (
	"fmt"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// chunkBytes is how much of the log one read covers (at least a batch).
const chunkBytes = 1 << 20

// Reader is what a scan needs of a partition; *partition.Partition is one.
type Reader interface {
	Read(offset int64, maxBytes int) (commitlog.Chunk, error)
	HighWatermark() int64
	LogStartOffset() int64
}

// Batches calls fn with each batch from the log start offset up to the
// high watermark, in offset order, after checking its frame and CRC: a
// batch that fails is corruption recovery did not repair, and Batches
// returns an error wrapping the batch package's (kerr.CorruptMessage).
// The first batch may begin below the log start offset; b is valid only
// during the call.
func Batches(r Reader, fn func(h batch.Header, b []byte) error) error {
	off, end := r.LogStartOffset(), r.HighWatermark()
	var buf []byte
	for off < end {
		c, err := r.Read(off, chunkBytes)
		if err != nil {
			return fmt.Errorf("logscan: read offset %d: %w", off, err)
		}
		buf, err = c.AppendTo(buf[:0])
		c.Release()
		if err != nil {
			return fmt.Errorf("logscan: read offset %d: %w", off, err)
		}
		next, err := eachBatch(buf, off, fn)
		if err != nil {
			return err
		}
		if next <= off {
			return fmt.Errorf("logscan: nothing read at offset %d below high watermark %d", off, end)
		}
		off = next
	}
	return nil
}

// eachBatch calls fn for the whole batches in b that end at or after from
// and returns the offset after the last one.
func eachBatch(b []byte, from int64, fn func(batch.Header, []byte) error) (int64, error) {
	for len(b) > 0 {
		h, err := batch.ParseHeader(b)
		if err == nil && (h.Size() < batch.HeaderSize || h.Size() > len(b)) {
			err = fmt.Errorf("size %d with %d bytes read", h.Size(), len(b))
		}
		if err == nil {
			_, err = batch.Verify(b[:h.Size()])
		}
		if err != nil {
			return from, fmt.Errorf("logscan: batch at offset %d: %w", from, err)
		}
		if h.LastOffset() >= from {
			if err := fn(h, b[:h.Size()]); err != nil {
				return from, fmt.Errorf("logscan: batch at offset %d: %w", h.BaseOffset, err)
			}
			from = h.LastOffset() + 1
		}
		b = b[h.Size():]
	}
	return from, nil
}
