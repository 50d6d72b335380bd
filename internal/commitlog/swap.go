package commitlog

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Swapping a cleaned segment in, Kafka's replaceSegments with its file
// suffixes:
//
//  1. The cleaner writes <base>.{index,timeindex,log}.cleaned and fsyncs
//     them (cleaned.go). A crash now leaves .cleaned files, which Open
//     deletes: the cleaning is lost, the old segments are intact.
//  2. Under the writers' lock, the checkpoint's gapsBelow is raised to the
//     group's end (checkpoint.go), then the three files are renamed to
//     .swap, the log file last, and the directory is fsynced. The .log.swap file is
//     the commit point: from then on Open completes the swap. .index.swap
//     or .timeindex.swap files without a .log.swap are deleted.
//  3. The segment list is updated in memory; the old segments' files are
//     unlinked (readers holding Chunks keep their descriptors); the .swap
//     files are renamed to their final names, the log last; the directory
//     is fsynced.
//
// To complete a swap, Open reads the .log.swap file's batch headers to
// find the offset E after its last batch, deletes every segment whose base
// lies in [base, E) and renames the .swap files. The cleaner keeps the last
// batch of every group, so E is exactly where the next segment begins and
// the group's old segments are precisely those bases.

const (
	cleanedSuffix = ".cleaned"
	swapSuffix    = ".swap"
)

// swap replaces the run of sealed segments old with the finished cleaned
// segment cs. It reports false, and discards cs, if old is no longer in the
// log (retention or SetStartOffset deleted some of it meanwhile). Failures
// after the commit point are sticky, as a failed write is: reopening the
// log completes the swap.
func (l *Log) swap(old []*segment, cs *cleanedSegment) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		cs.discard()
		return false, err
	}
	i := l.runIndexLocked(old)
	if i < 0 {
		cs.discard()
		return false, nil
	}
	if err := l.allowGapsLocked(l.segs[i+len(old)].base); err != nil {
		cs.discard()
		return false, err
	}
	if err := cs.rename(cleanedSuffix, swapSuffix); err != nil {
		cs.discard()
		return false, err
	}
	if err := syncDir(l.dir); err != nil {
		return true, l.fail(err)
	}
	s := cs.segment(l.cfg.IndexIntervalBytes, l.now(), l.lg)
	l.segsMu.Lock()
	l.segs = slices.Concat(l.segs[:i], []*segment{s}, l.segs[i+len(old):])
	l.segsMu.Unlock()
	for _, o := range old {
		if err := o.removeFiles(); err != nil {
			l.lg.Warn("cannot delete cleaned-away segment", "segment", o.log.Name(), "err", err)
		}
		o.decRef()
	}
	if err := cs.rename(swapSuffix, ""); err != nil {
		return true, l.fail(err)
	}
	if err := syncDir(l.dir); err != nil {
		return true, l.fail(err)
	}
	return true, nil
}

// allowGapsLocked makes the checkpoint say that offsets below end may skip,
// before a cleaned segment with gaps below end is swapped in: recovery
// would otherwise take the gaps for damage.
func (l *Log) allowGapsLocked(end int64) error {
	if end <= l.gapsBelow.Load() {
		return nil
	}
	l.gapsBelow.Store(end)
	return l.writeCheckpoint(false)
}

// runIndexLocked returns where the run old starts in l.segs, or -1 if the
// log no longer holds exactly those segments there (before its active one).
func (l *Log) runIndexLocked(old []*segment) int {
	i := slices.Index(l.segs, old[0])
	if i < 0 || i+len(old) >= len(l.segs) {
		return -1
	}
	for k, s := range old {
		if l.segs[i+k] != s {
			return -1
		}
	}
	return i
}

// rename moves the three files from one suffix to another, the log last.
func (c *cleanedSegment) rename(from, to string) error {
	for _, ext := range segmentExts {
		if err := os.Rename(c.path(ext, from), c.path(ext, to)); err != nil {
			return fmt.Errorf("commitlog: swap in cleaned segment: %w", err)
		}
	}
	return nil
}

// finishCleaning runs first in Open: it deletes the files of cleanings a
// crash interrupted before their commit point and completes the swaps it
// interrupted after.
func (l *Log) finishCleaning() error {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("commitlog: %w", err)
	}
	var swaps []int64
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, cleanedSuffix) {
			l.lg.Info("removing the files of an interrupted cleaning", "file", name)
			if err := os.Remove(filepath.Join(l.dir, name)); err != nil {
				return fmt.Errorf("commitlog: %w", err)
			}
		}
		if stem, ok := strings.CutSuffix(name, swapSuffix); ok {
			if base, ext, ok := parseSegmentName(stem); ok && ext == logExt {
				swaps = append(swaps, base)
			}
		}
	}
	slices.Sort(swaps)
	for _, base := range swaps {
		if err := l.completeSwap(base); err != nil {
			return err
		}
	}
	return l.removeOrphanSwaps()
}

// completeSwap finishes the swap of the committed cleaned segment base.
func (l *Log) completeSwap(base int64) error {
	end, err := l.swapEnd(base)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("commitlog: %w", err)
	}
	for _, e := range entries {
		if b, _, ok := parseSegmentName(e.Name()); ok && b >= base && b < end {
			if err := os.Remove(filepath.Join(l.dir, e.Name())); err != nil {
				return fmt.Errorf("commitlog: %w", err)
			}
		}
	}
	cs := &cleanedSegment{dir: l.dir, base: base}
	for _, ext := range segmentExts {
		err := os.Rename(cs.path(ext, swapSuffix), cs.path(ext, ""))
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("commitlog: complete swap: %w", err)
		}
	}
	l.lg.Info("completed the swap of a cleaned segment", "base", base, "end", end)
	return syncDir(l.dir)
}

// swapEnd reads the headers of <base>.log.swap and returns the offset after
// its last batch. A damaged file (it was fsynced before the commit, so only
// the disk could damage it) is cut at the damage and its indexes dropped,
// so that recovery rebuilds them.
func (l *Log) swapEnd(base int64) (int64, error) {
	cs := &cleanedSegment{dir: l.dir, base: base}
	f, err := os.OpenFile(cs.path(logExt, swapSuffix), os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("commitlog: complete swap: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("commitlog: complete swap: %w", err)
	}
	res, err := scanSegment(f, base, st.Size(), l.cfg.IndexIntervalBytes, false, math.MaxInt64)
	if err != nil {
		return 0, err
	}
	if res.problem != "" {
		l.lg.Warn("cleaned segment damaged; keeping its valid part", "base", base, "problem", res.problem)
		if err := f.Truncate(res.size); err != nil {
			return 0, fmt.Errorf("commitlog: complete swap: %w", err)
		}
		os.Remove(cs.path(indexExt, swapSuffix))
		os.Remove(cs.path(timeIndexExt, swapSuffix))
	}
	return res.next, nil
}

// removeOrphanSwaps deletes .swap index files left by a swap that never
// reached its commit point.
func (l *Log) removeOrphanSwaps() error {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("commitlog: %w", err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), swapSuffix) {
			l.lg.Info("removing the files of an interrupted swap", "file", e.Name())
			if err := os.Remove(filepath.Join(l.dir, e.Name())); err != nil {
				return fmt.Errorf("commitlog: %w", err)
			}
		}
	}
	return nil
}
