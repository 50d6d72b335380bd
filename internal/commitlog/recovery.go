package commitlog

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Recovery. Open trusts what was durable at the last shutdown and scans the
// rest, which a crash may have torn:
//
//   - After a clean shutdown (Close wrote the mark) every segment is trusted.
//     The active one is checked by walking batch headers from its last index
//     entry to the end of the file, which also yields its end offset.
//   - Otherwise, the segments before the one holding the last durable offset
//     (recovery point - 1) are trusted: Sync fsynced their data and indexes
//     before that recovery point was written.
//   - A trusted segment gets Kafka's cheap index sanity check (sizes, last
//     entries) and a walk over the few batch headers after its last index
//     entry, which must end exactly where the next segment begins (trust.go).
//     If that fails, or an index file is missing, scanning starts at that
//     segment instead.
//   - Scanned segments are read batch by batch: the header must be sane, the
//     batch must fit in the file, the CRC must match and the base offset must
//     be the next expected offset (or a later one below the checkpoint's
//     gapsBelow, where the cleaner left gaps; never between segments). The segment is truncated at the first
//     batch that fails, every later segment is deleted (each segment must end
//     where the next begins, and nothing past a torn write was
//     acknowledged), and the indexes of every scanned segment are rebuilt
//     from the log: an index is never trusted past a crash.
//   - Before all this, cleanings a crash interrupted are discarded or
//     completed (swap.go).
//
// Before it modifies anything, Open rewrites the checkpoint without the clean
// mark and with the recovery point lowered to where scanning starts, so a
// crash during recovery leads to the same recovery. Afterwards it fsyncs what
// it changed and checkpoints the new end offset as the recovery point.

func (l *Log) load() error {
	ck, haveCk, err := readCheckpoint(l.dir)
	if err != nil {
		if !IsCorruption(err) {
			return err
		}
		l.lg.Warn("ignoring corrupt checkpoint; scanning the whole log", "err", err)
	}
	if err := l.finishCleaning(); err != nil {
		return err
	}
	if err := l.openSegments(); err != nil {
		return err
	}
	start := int64(0)
	if haveCk {
		start = ck.startOffset
	}
	if len(l.segs) == 0 {
		return l.initEmpty(start)
	}
	l.start.Store(max(start, l.segs[0].base))
	// Without a checkpoint nothing says which segments the cleaner
	// rewrote: gaps are allowed in all of them, and the recovered end
	// becomes the bound below.
	l.gapsBelow.Store(math.MaxInt64)
	if haveCk {
		l.gapsBelow.Store(ck.gapsBelow)
	}

	trusted, err := l.trustedPrefix(ck, haveCk)
	if err != nil {
		return err
	}
	if trusted < len(l.segs) {
		rp := l.segs[trusted].base
		if haveCk {
			rp = min(rp, ck.recoveryPoint)
		}
		l.recoveryPoint.Store(rp)
		if err := l.writeCheckpoint(false); err != nil {
			return err
		}
		if err := l.recoverFrom(trusted); err != nil {
			return err
		}
	}
	if err := l.applyStartOffset(); err != nil {
		return err
	}
	end := l.segs[len(l.segs)-1].next.Load()
	if haveCk && ck.recoveryPoint > end {
		l.lg.Warn("log ends before its recovery point; fsynced data is missing", "recovery_point", ck.recoveryPoint, "end", end)
	}
	l.end.Store(end)
	l.recoveryPoint.Store(end)
	if !haveCk {
		l.gapsBelow.Store(end)
	}
	l.segs[len(l.segs)-1].created = l.now()
	if err := syncDir(l.dir); err != nil {
		return err
	}
	return l.writeCheckpoint(false)
}

// initEmpty starts a log without segments at start.
func (l *Log) initEmpty(start int64) error {
	s, err := createSegment(l.dir, start, l.cfg.IndexIntervalBytes, l.now(), l.lg)
	if err != nil {
		return err
	}
	l.segs = []*segment{s}
	l.start.Store(start)
	l.end.Store(start)
	l.recoveryPoint.Store(start)
	if err := syncDir(l.dir); err != nil {
		return err
	}
	return l.writeCheckpoint(false)
}

// openSegments opens every segment in the directory, sorted by base offset,
// after removing temporary files and index files without a log file.
func (l *Log) openSegments() error {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("commitlog: %w", err)
	}
	var bases []int64
	var indexes []string
	for _, e := range entries {
		name := e.Name()
		if stem, ok := strings.CutSuffix(name, ".tmp"); ok && isOurFile(stem) {
			l.lg.Info("removing stray temporary file", "file", name)
			if err := os.Remove(filepath.Join(l.dir, name)); err != nil {
				return fmt.Errorf("commitlog: %w", err)
			}
			continue
		}
		switch base, ext, ok := parseSegmentName(name); {
		case ok && ext == logExt:
			bases = append(bases, base)
		case ok:
			indexes = append(indexes, name)
		}
	}
	slices.Sort(bases)
	for _, name := range indexes {
		if base, _, _ := parseSegmentName(name); !slices.Contains(bases, base) {
			l.lg.Info("removing index file without a log file", "file", name)
			if err := os.Remove(filepath.Join(l.dir, name)); err != nil {
				return fmt.Errorf("commitlog: %w", err)
			}
		}
	}
	for _, base := range bases {
		s, err := openSegment(l.dir, base, l.cfg.IndexIntervalBytes, l.now(), l.lg)
		if err != nil {
			return err
		}
		l.segs = append(l.segs, s)
	}
	return nil
}

// parseSegmentName splits "00000000000000001234.log" into 1234 and ".log".
func parseSegmentName(name string) (base int64, ext string, ok bool) {
	ext = filepath.Ext(name)
	if ext != logExt && ext != indexExt && ext != timeIndexExt {
		return 0, "", false
	}
	stem := strings.TrimSuffix(name, ext)
	if len(stem) != 20 || strings.Trim(stem, "0123456789") != "" {
		return 0, "", false
	}
	base, err := strconv.ParseInt(stem, 10, 64)
	return base, ext, err == nil
}

func isOurFile(name string) bool {
	_, _, ok := parseSegmentName(name)
	return ok || name == checkpointName
}

// trustedPrefix checks the segments that need no scan and returns how many
// passed; the rest must be scanned.
func (l *Log) trustedPrefix(ck checkpoint, haveCk bool) (int, error) {
	segs := l.segs
	n := 0
	switch {
	case haveCk && ck.clean:
		n = len(segs)
	case haveCk:
		// The segment holding recoveryPoint-1 is the last with a smaller base.
		n = sort.Search(len(segs), func(i int) bool { return segs[i].base >= ck.recoveryPoint }) - 1
	}
	for i := range max(n, 0) {
		var problem string
		var err error
		if i == len(segs)-1 {
			problem, err = segs[i].trustActive(l.gapsBelow.Load())
		} else {
			problem, err = segs[i].trustSealed(segs[i+1].base, l.gapsBelow.Load())
		}
		if err != nil {
			return 0, err
		}
		if problem != "" {
			l.lg.Warn("segment fails its sanity check; scanning from it", "segment", segs[i].log.Name(), "problem", problem)
			return i, nil
		}
	}
	return max(n, 0), nil
}

// recoverFrom scans segs[first:], truncating at the first invalid batch and
// deleting what follows it, then fsyncs what remains of them.
func (l *Log) recoverFrom(first int) error {
	expected := l.segs[first].base
	for i := first; i < len(l.segs); i++ {
		s := l.segs[i]
		if s.base != expected {
			l.lg.Info("offsets jump between segments; deleting the later ones", "expected", expected, "segment", s.log.Name())
			l.dropFrom(i)
			break
		}
		fileSize := s.size.Load()
		res, err := scanSegment(s.log, s.base, fileSize, l.cfg.IndexIntervalBytes, true, l.gapsBelow.Load())
		if err != nil {
			return err
		}
		truncated := res.size < fileSize
		if truncated {
			l.lg.Info("truncating log at the first invalid batch", "segment", s.log.Name(),
				"offset", res.next, "position", res.size, "bytes", fileSize-res.size, "reason", res.problem)
			if err := s.log.Truncate(res.size); err != nil {
				return fmt.Errorf("commitlog: truncate %s: %w", s.log.Name(), err)
			}
		}
		if err := s.install(res); err != nil {
			return err
		}
		expected = res.next
		if truncated && i+1 < len(l.segs) {
			l.dropFrom(i + 1)
			break
		}
	}
	for i := first; i < len(l.segs); i++ {
		s := l.segs[i]
		if i < len(l.segs)-1 {
			if err := s.seal(); err != nil {
				return err
			}
		}
		if err := s.sync(true); err != nil {
			return err
		}
	}
	return nil
}

// dropFrom deletes segs[i:]: they follow a torn write or a gap.
func (l *Log) dropFrom(i int) {
	for _, s := range l.segs[i:] {
		l.lg.Info("deleting segment after the end of the valid log", "segment", s.log.Name(), "bytes", s.size.Load())
		if err := s.removeFiles(); err != nil {
			l.lg.Warn("cannot delete segment", "segment", s.log.Name(), "err", err)
		}
		s.decRef()
	}
	l.segs = l.segs[:i]
}

// install adopts the result of scanning a segment: its valid size and end
// offset, and the indexes rebuilt from it.
func (s *segment) install(res scanResult) error {
	if err := rewriteFile(s.offIdx.f, res.offIdx); err != nil {
		return err
	}
	if err := rewriteFile(s.timeIdx.f, res.timeIdx); err != nil {
		return err
	}
	s.offIdx.buf, s.timeIdx.buf = res.offIdx, res.timeIdx
	s.idxLoaded, s.indexMissing = true, false
	s.size.Store(res.size)
	s.next.Store(res.next)
	s.ix, s.firstTs = res.ix, res.firstTs
	s.setMaxTimestamp(res.ix.maxTs, res.ix.maxTsOffset)
	return nil
}

// applyStartOffset reconciles the checkpointed start offset with the
// segments: if it lies past the recovered end (unsynced data below it was
// lost), the log restarts empty at it, as Kafka does; segments wholly below
// it (a crash came between checkpoint and deletion) are deleted.
func (l *Log) applyStartOffset() error {
	start := l.start.Load()
	if end := l.segs[len(l.segs)-1].next.Load(); start > end {
		l.lg.Warn("log start offset is past the recovered end; starting empty", "start", start, "end", end)
		l.dropFrom(0)
		s, err := createSegment(l.dir, start, l.cfg.IndexIntervalBytes, l.now(), l.lg)
		if err != nil {
			return err
		}
		l.segs = []*segment{s}
		return nil
	}
	n := 0
	for n < len(l.segs)-1 && l.segs[n+1].base <= start {
		n++
	}
	for _, s := range l.segs[:n] {
		l.lg.Info("deleting segment below the log start offset", "segment", s.log.Name())
		if err := s.removeFiles(); err != nil {
			return fmt.Errorf("commitlog: %w", err)
		}
		s.decRef()
	}
	l.segs = slices.Clone(l.segs[n:])
	return nil
}
