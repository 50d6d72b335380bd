package partition

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// replayChunk is how much of the log one read during producer state replay
// covers.
const replayChunk = 1 << 20

// loadProducers rebuilds the producer state of the log in dir: the newest
// usable snapshot, then every batch after it. Snapshots beyond the log end
// or that fail their check are removed.
func (p *Partition) loadProducers(dir string) error {
	offsets, err := snapshotOffsets(dir)
	if err != nil {
		return err
	}
	end, from := p.log.EndOffset(), p.log.StartOffset()
	p.producers = make(producers)
	for i := len(offsets) - 1; i >= 0; i-- {
		off := offsets[i]
		ps, err := readSnapshot(dir, off, end)
		if err != nil {
			p.lg.Warn("removing unusable producer state snapshot", "offset", off, "err", err)
			os.Remove(filepath.Join(dir, snapshotName(off)))
			continue
		}
		p.producers, from = ps, max(off, from)
		break
	}
	n, err := p.replayProducers(from, end)
	if err != nil {
		return err
	}
	if n > 0 || len(p.producers) > 0 {
		p.lg.Info("loaded producer state", "producers", len(p.producers), "replayed_batches", n, "from_offset", from)
	}
	return nil
}

func readSnapshot(dir string, off, end int64) (producers, error) {
	if off > end {
		return nil, fmt.Errorf("snapshot offset %d beyond the log end %d", off, end)
	}
	b, err := os.ReadFile(filepath.Join(dir, snapshotName(off)))
	if err != nil {
		return nil, err
	}
	return unmarshalSnapshot(b)
}

// replayProducers applies the idempotent batches in [from, end) to the
// producer state and returns how many batches it read.
func (p *Partition) replayProducers(from, end int64) (int, error) {
	var buf []byte
	n := 0
	for from < end {
		c, err := p.log.Read(from, replayChunk, end)
		if err != nil {
			return n, fmt.Errorf("partition: replaying producer state at %d: %w", from, err)
		}
		buf, err = c.AppendTo(buf[:0])
		c.Release()
		if err != nil {
			return n, fmt.Errorf("partition: replaying producer state at %d: %w", from, err)
		}
		next, batches := p.replayBatches(buf, from)
		if next <= from {
			return n, fmt.Errorf("partition: replaying producer state: no batch at %d: %w", from, commitlog.ErrOffsetOutOfRange)
		}
		from, n = next, n+batches
	}
	return n, nil
}

// replayBatches applies the whole batches in buf that end at or after from
// and returns the offset after the last one.
func (p *Partition) replayBatches(buf []byte, from int64) (next int64, n int) {
	next = from
	for len(buf) >= batch.HeaderSize {
		h, _ := batch.ParseHeader(buf)
		if h.Size() > len(buf) || h.Size() < batch.HeaderSize {
			break
		}
		buf = buf[h.Size():]
		if h.LastOffset() < from {
			continue
		}
		if h.ProducerID >= 0 && !h.IsControl() {
			p.producers.update(h, h.BaseOffset)
		}
		next, n = h.LastOffset()+1, n+1
	}
	return next, n
}
