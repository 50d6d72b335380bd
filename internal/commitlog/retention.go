package commitlog

import (
	"fmt"
	"slices"
	"time"
)

// ApplyRetention deletes the oldest segments as Kafka's delete cleanup policy
// does, and returns how many it deleted:
//
//   - segments whose largest timestamp (the file's modification time if no
//     batch has one) is more than RetentionMs before now;
//   - then the oldest segments while the log is larger than RetentionBytes
//     by at least their size;
//   - then segments wholly below the log start offset.
//
// Deletion stops at the first segment that is kept. If every segment goes,
// the active one is rolled first (Kafka does the same), so the log keeps one
// empty segment and StartOffset becomes EndOffset. The start offset moves to
// the new first segment and is checkpointed before files are removed;
// readers holding Chunks of a deleted segment keep reading it.
func (l *Log) ApplyRetention(now time.Time) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return 0, err
	}
	n, err := l.expiredLocked(now)
	if err != nil || n == 0 {
		return 0, err
	}
	return n, l.deleteOldestLocked(n, "retention")
}

// expiredLocked counts the oldest segments retention deletes.
func (l *Log) expiredLocked(now time.Time) (int, error) {
	segs, cfg := l.segs, l.cfg
	// The active segment may go only if it holds data; it is rolled first.
	deletable := func(i int) bool { return i < len(segs)-1 || segs[i].size.Load() > 0 }
	n := 0
	if cfg.RetentionMs >= 0 {
		for n < len(segs) && deletable(n) {
			ts, err := segs[n].largestTimestamp()
			if err != nil {
				return 0, err
			}
			if now.UnixMilli()-ts <= cfg.RetentionMs {
				break
			}
			n++
		}
	}
	if cfg.RetentionBytes >= 0 {
		excess := -cfg.RetentionBytes
		for _, s := range segs[n:] {
			excess += s.size.Load()
		}
		for n < len(segs) && deletable(n) && excess >= segs[n].size.Load() {
			excess -= segs[n].size.Load()
			n++
		}
	}
	for n < len(segs)-1 && segs[n+1].base <= l.start.Load() {
		n++
	}
	return n, nil
}

// largestTimestamp is what time retention compares: the largest batch
// timestamp, or the log file's modification time if there is none.
func (s *segment) largestTimestamp() (int64, error) {
	if ts, _ := s.maxTimestamp(); ts >= 0 {
		return ts, nil
	}
	st, err := s.log.Stat()
	if err != nil {
		return 0, fmt.Errorf("commitlog: stat %s: %w", s.log.Name(), err)
	}
	return st.ModTime().UnixMilli(), nil
}

// SetStartOffset raises the log start offset (DeleteRecords) and deletes the
// segments wholly below it. Lower values are ignored; values past EndOffset
// are ErrOffsetOutOfRange.
func (l *Log) SetStartOffset(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return err
	}
	if offset <= l.start.Load() {
		return nil
	}
	if offset > l.end.Load() {
		return ErrOffsetOutOfRange
	}
	l.start.Store(offset)
	n := 0
	for n < len(l.segs)-1 && l.segs[n+1].base <= offset {
		n++
	}
	if n == 0 {
		return l.writeCheckpoint(false)
	}
	return l.deleteOldestLocked(n, "start offset")
}

// deleteOldestLocked removes the n oldest segments from the log, checkpoints
// the new start offset, then unlinks their files. If the files were unlinked
// first, a crash before the checkpoint would be harmless too (Open takes the
// larger of the checkpoint and the first segment's base), but the
// checkpoint-first order matches Kafka's and never leaves the log claiming
// offsets it no longer has.
func (l *Log) deleteOldestLocked(n int, reason string) error {
	if n == len(l.segs) {
		if _, err := l.rollLocked(); err != nil {
			return err
		}
	}
	l.segsMu.Lock()
	victims := l.segs[:n]
	l.segs = slices.Clone(l.segs[n:])
	l.segsMu.Unlock()
	if base := l.segs[0].base; base > l.start.Load() {
		l.start.Store(base)
	}
	err := l.writeCheckpoint(false)
	var bytes int64
	for _, s := range victims {
		bytes += s.size.Load()
		if rerr := s.removeFiles(); rerr != nil {
			l.lg.Warn("cannot delete segment files", "segment", s.log.Name(), "err", rerr)
		}
		s.decRef()
	}
	l.lg.Info("deleted segments", "reason", reason, "segments", n, "bytes", bytes, "start_offset", l.start.Load())
	return err
}
