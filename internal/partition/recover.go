package partition

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// replayChunk is how much of the log one read during producer state replay
// covers.
const replayChunk = 1 << 20

// loadState rebuilds the producer and transaction state of the log in dir:
// the aborted transaction index cut to the log, the newest usable snapshot,
// then every batch after it. Snapshots beyond the log end or that fail
// their check are removed.
func (p *Partition) loadState(dir string) error {
	index, err := openTxnIndex(dir)
	if err != nil {
		return err
	}
	p.index = index
	end, start := p.log.EndOffset(), p.log.StartOffset()
	torn := index.stale
	index.trim(end)
	if err := index.prune(start); err != nil {
		return err
	}
	from, err := p.loadSnapshot(dir, start, end)
	if err != nil {
		return err
	}
	p.ongoing = ongoingOf(p.producers)
	n, err := p.replayProducers(from, end)
	if err != nil {
		return err
	}
	if index.stale {
		p.lg.Info("rewriting the aborted transaction index", "torn", torn, "entries", len(index.entries))
	}
	if err := index.finishLoad(); err != nil {
		return err
	}
	if n > 0 || len(p.producers) > 0 {
		p.lg.Info("loaded producer state", "producers", len(p.producers), "ongoing_transactions", len(p.ongoing),
			"replayed_batches", n, "from_offset", from)
	}
	return nil
}

// loadSnapshot loads the newest usable snapshot into p.producers and
// returns the offset to replay from: the snapshot's, or start if none.
func (p *Partition) loadSnapshot(dir string, start, end int64) (int64, error) {
	offsets, err := snapshotOffsets(dir)
	if err != nil {
		return 0, err
	}
	p.producers = make(producers)
	for i := len(offsets) - 1; i >= 0; i-- {
		off := offsets[i]
		s, err := readSnapshot(dir, off, end)
		if err != nil {
			p.lg.Warn("removing unusable producer state snapshot", "offset", off, "err", err)
			os.Remove(filepath.Join(dir, snapshotName(off)))
			continue
		}
		// The index lost entries this snapshot relies on: an older
		// snapshot's replay covers their markers.
		if s.abortedUpTo >= start && s.abortedUpTo > p.index.newest() {
			p.lg.Info("aborted transaction index lacks entries; skipping snapshot", "offset", off,
				"snapshot_aborted_up_to", s.abortedUpTo, "index_newest", p.index.newest())
			continue
		}
		p.producers = s.producers
		return max(off, start), nil
	}
	return start, nil
}

func readSnapshot(dir string, off, end int64) (snapshot, error) {
	if off > end {
		return snapshot{}, fmt.Errorf("snapshot offset %d beyond the log end %d", off, end)
	}
	b, err := os.ReadFile(filepath.Join(dir, snapshotName(off)))
	if err != nil {
		return snapshot{}, err
	}
	return unmarshalSnapshot(b)
}

// replayProducers applies the batches of producers in [from, end) to the
// producer and transaction state and returns how many batches it read.
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
		b := buf[:h.Size()]
		buf = buf[h.Size():]
		if h.LastOffset() < from {
			continue
		}
		switch {
		case h.ProducerID < 0:
		case h.IsControl():
			p.replayMarker(h, b)
		case p.producers.update(h, h.BaseOffset):
			p.ongoing.add(h.ProducerID, h.BaseOffset)
		}
		next, n = h.LastOffset()+1, n+1
	}
	return next, n
}

// replayMarker applies the transaction marker b, without the epoch checks
// its append passed (Kafka replays with those off too). A control batch
// without records is skipped, as Kafka skips one the cleaner emptied.
func (p *Partition) replayMarker(h batch.Header, b []byte) {
	m, err := parseMarker(h, b)
	if errors.Is(err, errNoRecord) {
		return
	}
	if err != nil {
		p.lg.Warn("skipping unreadable control batch in producer state replay", "offset", h.BaseOffset, "err", err)
		return
	}
	p.completeTxnLocked(m, h.BaseOffset, h.MaxTimestamp)
}

var (
	errNoRecord = errors.New("partition: control batch without records")
	errStop     = errors.New("stop")
)

// parseMarker decodes the marker in the control batch b of header h.
func parseMarker(h batch.Header, b []byte) (Marker, error) {
	payload := b[batch.HeaderSize:]
	if h.Codec() != batch.None {
		var err error
		if payload, err = batch.Decompress(h.Codec(), payload, batch.MaxUncompressed); err != nil {
			return Marker{}, err
		}
	}
	m := Marker{ProducerID: h.ProducerID, ProducerEpoch: h.ProducerEpoch}
	err := errNoRecord
	walkErr := batch.Records(h, payload, func(r batch.Record) error {
		m.Commit, m.CoordinatorEpoch, err = batch.ParseEndTxnMarker(r.Key, r.Value)
		return errStop
	})
	if walkErr != nil && !errors.Is(walkErr, errStop) {
		return Marker{}, walkErr
	}
	return m, err
}
