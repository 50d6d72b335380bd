package partition

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// Isolation is a consumer's isolation level, with Kafka's wire values.
type Isolation int8

const (
	// ReadUncommitted reads up to the high watermark.
	ReadUncommitted Isolation = 0
	// ReadCommitted reads up to the last stable offset and learns which
	// transactions were aborted.
	ReadCommitted Isolation = 1
)

// Fetched is one read for a consumer (ReadIsolated).
type Fetched struct {
	Records commitlog.Chunk // the caller must Release it
	// LastStable is the last stable offset as of the read: the bound of a
	// ReadCommitted read, and never above a high watermark loaded after.
	LastStable int64
	// Aborted is, for ReadCommitted, the aborted transactions overlapping
	// the records: from the read offset to the offset after the last batch
	// (to LastStable if there is none). Nil for ReadUncommitted.
	Aborted []AbortedTxn
}

// Read returns whole batches from offset up to maxBytes (at least one batch)
// below the high watermark. The caller must Release the chunk.
func (p *Partition) Read(offset int64, maxBytes int) (commitlog.Chunk, error) {
	return p.read(offset, maxBytes, p.hwm.Load())
}

// ReadIsolated is Read for a consumer: ReadCommitted stops at the last
// stable offset, whole batches only, and lists the aborted transactions
// the consumer must filter out (Kafka's UnifiedLog.read with
// FetchIsolation.TXN_COMMITTED). An offset between the last stable offset
// and the high watermark reads nothing; only one above the high watermark
// is OFFSET_OUT_OF_RANGE, as in Kafka.
func (p *Partition) ReadIsolated(offset int64, maxBytes int, iso Isolation) (Fetched, error) {
	f := Fetched{LastStable: p.lso.Load()}
	if iso != ReadCommitted {
		var err error
		f.Records, err = p.Read(offset, maxBytes)
		return f, err
	}
	c, err := p.read(offset, maxBytes, f.LastStable)
	if err != nil {
		return f, err
	}
	f.Records = c
	f.Aborted = p.abortedIn(offset, c, f.LastStable)
	return f, nil
}

func (p *Partition) read(offset int64, maxBytes int, maxOffset int64) (commitlog.Chunk, error) {
	if offset > p.hwm.Load() {
		return commitlog.Chunk{}, kerr.OffsetOutOfRange
	}
	c, err := p.log.Read(offset, maxBytes, maxOffset)
	if errors.Is(err, commitlog.ErrOffsetOutOfRange) {
		return commitlog.Chunk{}, kerr.OffsetOutOfRange
	}
	if err != nil {
		p.lg.Error("read failed", "offset", offset, "err", err)
		return commitlog.Chunk{}, kerr.KafkaStorageError
	}
	return c, nil
}

// abortedIn lists the aborted transactions overlapping the chunk c read
// from offset, with lso the read's bound. Finding where the chunk ends
// costs a header read per batch, so it is done only when some aborted
// transaction starts in the range, and stops once past the last of them.
func (p *Partition) abortedIn(offset int64, c commitlog.Chunk, lso int64) []AbortedTxn {
	aborted := p.index.aborted(offset, lso)
	if len(aborted) == 0 || c.Len() == 0 {
		return aborted
	}
	last := int64(-1)
	for _, a := range aborted {
		last = max(last, a.FirstOffset)
	}
	end, err := chunkEnd(c, last)
	if err != nil {
		// A superset is harmless: a consumer only applies the aborted
		// transactions its batches reach.
		return aborted
	}
	var kept []AbortedTxn
	for _, a := range aborted {
		if a.FirstOffset < end {
			kept = append(kept, a)
		}
	}
	return kept
}

var errBadChunk = errors.New("partition: chunk holds a batch header shorter than a header")

// chunkEnd returns the offset after the last batch of c, or stops at the
// first batch that ends after past and returns the offset after it.
func chunkEnd(c commitlog.Chunk, past int64) (int64, error) {
	var buf [batch.HeaderSize]byte
	next := int64(-1)
	for pos := int64(0); pos < int64(c.Len()); {
		if _, err := c.ReadAt(buf[:], pos); err != nil {
			return -1, err
		}
		h, err := batch.ParseHeader(buf[:])
		if err != nil || h.Size() < batch.HeaderSize {
			return -1, errBadChunk
		}
		next = h.LastOffset() + 1
		if next > past {
			break
		}
		pos += int64(h.Size())
	}
	return next, nil
}
