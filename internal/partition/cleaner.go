package partition

import (
	"context"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// Log compaction for one partition, Kafka's Cleaner and the per-log part
// of LogCleanerManager; the broker's cleaner (internal/broker/cleaner.go)
// picks which partition to clean. A pass maps the keys of the dirty part
// of the log, the offsets [firstDirty, upper), to their latest offsets
// (offsetmap.go), then rewrites every sealed segment from the log start
// through that range, keeping what cleanFilter keeps (cleanfilter.go);
// commitlog swaps the rewritten segments in. The cleaner checkpoint
// (cleancheckpoint.go) then records the new firstDirty.
//
// upper is the first offset that may not be cleaned: the base of the
// segment holding the lowest of the last stable offset, the active
// segment's base and the first segment with a record younger than
// min.compaction.lag.ms.

// Compaction holds a compacted topic's cleaner settings. Zero values mean
// Kafka's zeros, except MaxLagMs, where 0 means no limit.
type Compaction struct {
	MinLagMs          int64   // min.compaction.lag.ms
	MaxLagMs          int64   // max.compaction.lag.ms
	DeleteRetentionMs int64   // delete.retention.ms
	MinDirtyRatio     float64 // min.cleanable.dirty.ratio
}

// CleanState is a partition's need for cleaning, which the broker's
// cleaner compares across partitions.
type CleanState struct {
	// Due: the dirty ratio reached min.cleanable.dirty.ratio, a dirty
	// record is older than max.compaction.lag.ms, or a kept tombstone's or
	// marker's delete horizon has passed.
	Due        bool
	DirtyRatio float64 // dirty bytes / (clean + dirty bytes)
	DirtyBytes int64
}

// CleanStats describe one cleaning pass.
type CleanStats struct {
	commitlog.CleanStats
	RecordsRead, RecordsKept int
	FirstDirty, CleanedTo    int64 // the dirty offsets this pass mapped
}

// cleanerState is the partition's side of the cleaner.
type cleanerState struct {
	mu          sync.Mutex  // held by Clean; Close and Delete wait for it
	stop        atomic.Bool // set by Close and Delete: Clean gives up
	firstDirty  atomic.Int64
	nextHorizon atomic.Int64
}

// Compacted reports whether the topic's cleanup.policy includes compact.
func (p *Partition) Compacted() bool { return p.cfg.Load().Compact }

// loadCleanCheckpoint restores where the last cleaning stopped.
func (p *Partition) loadCleanCheckpoint() {
	c, ok, err := readCleanCheckpoint(p.dir)
	if err != nil {
		p.lg.Warn("ignoring the cleaner checkpoint; the whole log counts as dirty", "err", err)
	}
	if !ok {
		c = cleanCheckpoint{firstDirty: 0, nextHorizon: -1}
	}
	p.cleaner.firstDirty.Store(c.firstDirty)
	p.cleaner.nextHorizon.Store(c.nextHorizon)
}

// stopCleaning makes a running Clean give up and waits for it.
func (p *Partition) stopCleaning() {
	p.cleaner.stop.Store(true)
	p.cleaner.mu.Lock()
	p.cleaner.mu.Unlock() // taken only to wait for a running Clean
}

// CleanState says whether the partition needs cleaning, and how much.
func (p *Partition) CleanState(now time.Time) (CleanState, error) {
	cfg := p.cfg.Load()
	if !cfg.Compact {
		return CleanState{}, nil
	}
	nowMs := now.UnixMilli()
	r, err := p.cleanRange(nowMs, cfg.Compaction)
	if err != nil {
		return CleanState{}, err
	}
	st := CleanState{DirtyBytes: r.dirtyBytes}
	if total := r.cleanBytes + r.dirtyBytes; total > 0 {
		st.DirtyRatio = float64(r.dirtyBytes) / float64(total)
	}
	horizon := p.cleaner.nextHorizon.Load()
	st.Due = r.dirtyBytes > 0 && (r.overdue || st.DirtyRatio >= cfg.Compaction.MinDirtyRatio) ||
		horizon >= 0 && horizon <= nowMs && r.cleanBytes > 0
	return st, nil
}

// cleanRange is the part of the log a cleaning would cover.
type cleanRange struct {
	firstDirty, upper      int64
	cleanBytes, dirtyBytes int64
	overdue                bool // a dirty segment began before now - max.compaction.lag.ms
}

// cleanRange works out the cleanable range as Kafka's cleanableOffsets and
// calculateCleanableBytes do, from the segments' sizes and timestamps.
func (p *Partition) cleanRange(nowMs int64, c Compaction) (cleanRange, error) {
	segs, err := p.log.Segments()
	if err != nil {
		return cleanRange{}, err
	}
	start, end := p.log.StartOffset(), p.log.EndOffset()
	fd := p.cleaner.firstDirty.Load()
	if fd < start || fd > end {
		fd = start
	}
	active := len(segs) - 1
	uncleanable := min(p.lso.Load(), segs[active].Base)
	if c.MinLagMs > 0 {
		for i := segmentOf(segs, fd); i < active; i++ {
			if segs[i].LargestTimestamp > nowMs-c.MinLagMs {
				uncleanable = min(uncleanable, segs[i].Base)
				break
			}
		}
	}
	r := cleanRange{firstDirty: fd, upper: segs[segmentOf(segs, max(fd, uncleanable))].Base}
	for i, s := range segs {
		segEnd := end
		if i < active {
			segEnd = segs[i+1].Base
		}
		if s.Base < fd {
			r.cleanBytes += s.Size
		}
		if segEnd > min(fd, r.upper) && s.Base < r.upper {
			r.dirtyBytes += s.Size
		}
		if c.MaxLagMs > 0 && i < active && segEnd > fd && s.FirstTimestamp > 0 && s.FirstTimestamp < nowMs-c.MaxLagMs {
			r.overdue = true
		}
	}
	return r, nil
}

// segmentOf returns the index of the segment holding offset.
func segmentOf(segs []commitlog.SegmentInfo, offset int64) int {
	return max(sort.Search(len(segs), func(i int) bool { return segs[i].Base > offset })-1, 0)
}

// Clean runs one cleaning pass (whether or not CleanState says it is due)
// and checkpoints where it stopped. It runs alongside appends and reads;
// Close, Delete and ctx stop it (commitlog.ErrCleanAborted). A topic that
// is not compacted is left alone.
func (p *Partition) Clean(ctx context.Context, now time.Time) (CleanStats, error) {
	p.cleaner.mu.Lock()
	defer p.cleaner.mu.Unlock()
	cfg := p.cfg.Load()
	if p.cleaner.stop.Load() {
		return CleanStats{}, commitlog.ErrClosed
	}
	if !cfg.Compact {
		return CleanStats{}, nil
	}
	nowMs := now.UnixMilli()
	r, err := p.cleanRange(nowMs, cfg.Compaction)
	if err != nil {
		return CleanStats{}, err
	}
	stop := func() bool { return p.cleaner.stop.Load() || ctx.Err() != nil }
	producers, aborted := p.cleanInputs()
	keys, err := p.buildOffsetMap(r.firstDirty, max(r.upper, r.firstDirty), aborted, stop)
	if err != nil {
		return CleanStats{}, err
	}
	f := &cleanFilter{
		now: nowMs, deleteRetentionMs: cfg.Compaction.DeleteRetentionMs, keys: keys,
		txns: newTxnTracker(aborted, 0, math.MaxInt64), producers: producers, nextHorizon: -1,
	}
	st, err := p.log.Clean(commitlog.CleanOptions{
		Upto:       keys.end,
		Filter:     f.filter,
		BeforeSwap: func() error { return p.forgetAborted(&f.droppedAborts) },
		Stop:       stop,
	})
	stats := f.stats
	stats.CleanStats, stats.FirstDirty, stats.CleanedTo = st, r.firstDirty, keys.end
	if err != nil {
		return stats, err
	}
	return stats, p.saveCleanCheckpoint(cleanCheckpoint{firstDirty: keys.end, nextHorizon: f.nextHorizon})
}

// cleanInputs copies, under the append lock, what the filter needs of the
// partition's state: where each live producer's state lives in the log,
// and the aborted transactions.
func (p *Partition) cleanInputs() (map[int64]producerLast, []abortedEntry) {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	producers := make(map[int64]producerLast, len(p.producers))
	for id, e := range p.producers {
		producers[id] = producerLast{lastData: e.lastOffset(), epoch: e.Epoch}
	}
	p.index.mu.RLock()
	defer p.index.mu.RUnlock()
	return producers, slices.Clone(p.index.entries)
}

func (p *Partition) saveCleanCheckpoint(c cleanCheckpoint) error {
	p.cleaner.firstDirty.Store(c.firstDirty)
	p.cleaner.nextHorizon.Store(c.nextHorizon)
	return writeCleanCheckpoint(p.dir, c)
}

// forgetAborted drops the aborted transaction index entries of the abort
// markers the cleaner is about to remove (it runs before the swap: an
// entry outliving its marker would make read_committed consumers skip the
// producer's later transactions, while a marker outliving its entry is
// harmless, its data being gone already).
func (p *Partition) forgetAborted(markers *[]int64) error {
	m := *markers
	*markers = nil
	if len(m) == 0 {
		return nil
	}
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	if p.closed {
		return commitlog.ErrClosed
	}
	if err := p.index.forget(m); err != nil {
		return err
	}
	if err := retargetSnapshots(p.dir, p.index); err != nil {
		p.lg.Warn("updating producer state snapshots after cleaning failed; recovery will replay more", "err", err)
	}
	return nil
}
