package commitlog

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Log is the log of one partition. It is safe for concurrent use: writers
// (Append, SetStartOffset, ApplyRetention, SetConfig, Close) are serialized by
// an internal mutex; Sync runs alongside them; readers (Read,
// OffsetForTimestamp, MaxTimestamp, the offset getters) never wait for an
// fsync and only briefly for a segment roll or deletion.
//
// Lock order: cleanMu, then mu, then syncMu, then segsMu, then ckptMu, then
// a segment's idxMu or tsMu. Readers take only segsMu (read) and segment
// locks. Clean holds cleanMu throughout and mu only to pick its segments
// and to swap each cleaned segment in; its BeforeSwap callback runs with
// cleanMu alone.
type Log struct {
	dir string
	lg  *slog.Logger
	now func() time.Time

	mu  sync.Mutex // serializes writers
	cfg Config     // guarded by mu

	cleanMu sync.Mutex // one Clean at a time

	// syncMu makes fsync passes one at a time. A roll holds it too, so that
	// a Sync never sees a segment list changing under it (see rollLocked).
	syncMu sync.Mutex

	// segsMu guards segs; writers change segs holding mu as well, so code
	// under mu may read segs without segsMu.
	segsMu sync.RWMutex
	segs   []*segment // by base offset; the last is active; nil once closed

	ckptMu sync.Mutex
	ckptRP int64 // recovery point last written to the checkpoint; guarded by ckptMu

	start         atomic.Int64
	end           atomic.Int64
	recoveryPoint atomic.Int64 // offsets below it are fsynced
	gapsBelow     atomic.Int64 // offsets below it may skip (cleaned); only grows
	closed        atomic.Bool
	dirDirty      atomic.Bool // a segment was created since the last directory fsync
	failure       atomic.Pointer[error]
}

// Open opens the log in dir, creating dir if needed, and recovers it (see
// recovery.go). lg may be nil.
func Open(dir string, cfg Config, lg *slog.Logger) (*Log, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("commitlog: %w", err)
	}
	l := &Log{dir: dir, lg: lg, now: time.Now, cfg: cfg}
	if err := l.load(); err != nil {
		for _, s := range l.segs {
			s.decRef()
		}
		return nil, err
	}
	return l, nil
}

// EndOffset is the log end offset: the offset the next batch must start at.
func (l *Log) EndOffset() int64 { return l.end.Load() }

// StartOffset is the log start offset: the lowest offset Read accepts.
func (l *Log) StartOffset() int64 { return l.start.Load() }

// ActiveSegmentBase is the base offset of the segment appends go to; it
// changes when the log rolls.
func (l *Log) ActiveSegmentBase() int64 {
	l.segsMu.RLock()
	defer l.segsMu.RUnlock()
	if len(l.segs) == 0 {
		return l.end.Load()
	}
	return l.segs[len(l.segs)-1].base
}

// RecoveryPoint is the offset below which everything is fsynced.
func (l *Log) RecoveryPoint() int64 { return l.recoveryPoint.Load() }

// Size is the total size of the segment files in bytes.
func (l *Log) Size() int64 {
	l.segsMu.RLock()
	defer l.segsMu.RUnlock()
	var n int64
	for _, s := range l.segs {
		n += s.size.Load()
	}
	return n
}

// SetConfig replaces the configuration; it applies to the next Append and
// ApplyRetention, except IndexIntervalBytes, which applies from the next
// segment.
func (l *Log) SetConfig(cfg Config) error {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	l.cfg = cfg
	l.mu.Unlock()
	return nil
}

// Append writes one record batch whose base offset the caller set to
// EndOffset, rolling to a new segment first if the active one is full or old,
// and returns the new log end offset. The batch is visible to Read when
// Append returns; it is durable only after a later Sync. The log does not
// keep batch.
//
// A failed write or fsync is sticky: from then on Append and Sync return that
// error, and only reopening the log (which runs recovery) clears it. Kafka
// takes the log directory offline for the same reason: after a failed fsync
// the kernel may have dropped the dirty pages, so a retry can succeed without
// the data being on disk.
func (l *Log) Append(batch []byte) (int64, error) {
	h, err := checkBatch(batch)
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return 0, err
	}
	if end := l.end.Load(); h.baseOffset != end {
		return 0, fmt.Errorf("%w: got %d, want %d", ErrUnexpectedOffset, h.baseOffset, end)
	}
	s := l.segs[len(l.segs)-1]
	if l.shouldRollLocked(s, h) {
		if s, err = l.rollLocked(); err != nil {
			return 0, err
		}
	}
	if err := s.append(batch, h); err != nil {
		return 0, l.fail(err)
	}
	next := h.lastOffset() + 1
	l.end.Store(next)
	return next, nil
}

func (l *Log) shouldRollLocked(s *segment, h batchHeader) bool {
	size := s.size.Load()
	if size == 0 {
		return false
	}
	if size+h.size() > l.cfg.SegmentBytes {
		return true
	}
	if h.lastOffset()-s.base > math.MaxInt32 {
		return true // relative offsets in the indexes would overflow
	}
	if s.firstTs >= 0 {
		return h.maxTimestamp-s.firstTs > l.cfg.SegmentMs
	}
	return l.now().Sub(s.created).Milliseconds() > l.cfg.SegmentMs
}

// rollLocked seals the active segment and starts a new one at the log end.
// It holds syncMu so that a concurrent Sync either finishes before the roll
// or starts after it. Otherwise a Sync could read the old end offset, fsync
// the old segment, and persist a recovery point at the new segment's base
// while the old segment's final time index entry (written here) is not yet
// on disk; recovery would then trust that segment's time index.
func (l *Log) rollLocked() (*segment, error) {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if err := l.segs[len(l.segs)-1].seal(); err != nil {
		return nil, l.fail(err)
	}
	s, err := createSegment(l.dir, l.end.Load(), l.cfg.IndexIntervalBytes, l.now(), l.lg)
	if err != nil {
		return nil, l.fail(err)
	}
	l.segsMu.Lock()
	l.segs = append(l.segs, s)
	l.segsMu.Unlock()
	l.dirDirty.Store(true)
	l.lg.Debug("rolled segment", "base", s.base)
	return s, nil
}

// Sync makes everything appended so far durable: the log files of the
// active segment and of every segment rolled since the last Sync, the indexes
// of sealed segments, and the directory entries of new segments. Then it
// advances the recovery point. Call it concurrently with Append to share one
// fsync among many appends.
func (l *Log) Sync() error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.closed.Load() {
		return ErrClosed
	}
	return l.syncLocked(false)
}

// syncLocked is Sync with syncMu held. all also fsyncs the active segment's
// indexes (for Close).
func (l *Log) syncLocked(all bool) error {
	if err := l.failed(); err != nil {
		return err
	}
	// Read the end before looking for dirty segments: every batch below it
	// was written before its segment was marked dirty.
	end := l.end.Load()
	var buf [4]*segment
	dirty, lastDirty := l.acquireDirty(buf[:0])
	defer func() {
		for _, s := range dirty {
			s.decRef()
		}
	}()
	dirDirty := l.dirDirty.Swap(false)
	for i, s := range dirty {
		if err := s.sync(all || i != lastDirty); err != nil {
			return l.fail(err)
		}
	}
	if dirDirty {
		if err := syncDir(l.dir); err != nil {
			return l.fail(err)
		}
	}
	if end > l.recoveryPoint.Load() {
		l.recoveryPoint.Store(end)
	}
	return l.maybeCheckpoint()
}

// acquireDirty references and returns the segments written since the last
// Sync, and the index in it of the active segment (-1 if it is clean).
func (l *Log) acquireDirty(dst []*segment) ([]*segment, int) {
	l.segsMu.RLock()
	defer l.segsMu.RUnlock()
	active := -1
	for i, s := range l.segs {
		if s.dirty.Swap(false) {
			s.incRef()
			if i == len(l.segs)-1 {
				active = len(dst)
			}
			dst = append(dst, s)
		}
	}
	return dst, active
}

// maybeCheckpoint persists the recovery point once it passes the base of the
// active segment, so that recovery after a crash scans about one segment.
// Writing it on every Sync would add two fsyncs to each group commit.
func (l *Log) maybeCheckpoint() error {
	l.segsMu.RLock()
	active := l.segs[len(l.segs)-1].base
	l.segsMu.RUnlock()
	l.ckptMu.Lock()
	stale := l.ckptRP <= active
	l.ckptMu.Unlock()
	if !stale || l.recoveryPoint.Load() <= active {
		return nil
	}
	return l.writeCheckpoint(false)
}

// writeCheckpoint persists the current start offset, recovery point and
// gapsBelow. All only grow, and they are read under ckptMu, so a later
// write never stores smaller values than an earlier one.
func (l *Log) writeCheckpoint(clean bool) error {
	l.ckptMu.Lock()
	defer l.ckptMu.Unlock()
	c := checkpoint{startOffset: l.start.Load(), recoveryPoint: l.recoveryPoint.Load(), gapsBelow: l.gapsBelow.Load(), clean: clean}
	if err := writeCheckpoint(l.dir, c); err != nil {
		return err
	}
	l.ckptRP = c.recoveryPoint
	return nil
}

// Close fsyncs everything, writes the checkpoint with the clean-shutdown
// mark, and closes the files (those pinned by unreleased Chunks close on
// Release). Calling Close again returns nil.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return nil
	}
	l.syncMu.Lock()
	err := l.segs[len(l.segs)-1].seal()
	if err == nil {
		err = l.syncLocked(true)
	}
	if err == nil {
		err = l.writeCheckpoint(true)
	}
	l.closed.Store(true)
	l.syncMu.Unlock()

	l.segsMu.Lock()
	segs := l.segs
	l.segs = nil
	l.segsMu.Unlock()
	for _, s := range segs {
		s.decRef()
	}
	return err
}

// Delete closes the log and removes its directory (topic deletion).
func (l *Log) Delete() error {
	err := l.Close()
	if rerr := os.RemoveAll(l.dir); rerr != nil {
		err = errors.Join(err, fmt.Errorf("commitlog: %w", rerr))
	}
	return err
}

// usable returns why writers must stop, or nil. The caller holds mu.
func (l *Log) usable() error {
	if l.closed.Load() {
		return ErrClosed
	}
	return l.failed()
}

func (l *Log) failed() error {
	if p := l.failure.Load(); p != nil {
		return *p
	}
	return nil
}

// fail records the first I/O error as sticky (see Append) and returns err.
func (l *Log) fail(err error) error {
	if l.failure.CompareAndSwap(nil, &err) {
		l.lg.Error("log failed; reopen to recover", "err", err)
	}
	return err
}
