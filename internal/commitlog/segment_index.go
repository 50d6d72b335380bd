package commitlog

import (
	"fmt"
	"math"
	"os"
)

// Reading a segment: batch headers, and the indexes that say where to start
// reading them.

// readHeader reads the header of the batch at pos and checks that the whole
// batch lies before limit.
func (s *segment) readHeader(buf []byte, pos, limit int64) (batchHeader, error) {
	if limit-pos < batchHeaderLen {
		return batchHeader{}, corruptf("%s: truncated batch header at position %d", s.log.Name(), pos)
	}
	if _, err := s.log.ReadAt(buf[:batchHeaderLen], pos); err != nil {
		return batchHeader{}, fmt.Errorf("commitlog: read %s: %w", s.log.Name(), err)
	}
	h := parseBatchHeader(buf)
	if p := h.problem(); p != "" {
		return batchHeader{}, corruptf("%s: position %d: %s", s.log.Name(), pos, p)
	}
	if h.size() > limit-pos {
		return batchHeader{}, corruptf("%s: batch at position %d runs past the end", s.log.Name(), pos)
	}
	return h, nil
}

// scan reads batch headers from pos, a batch boundary, and returns the first
// batch for which stop is true, or found == false at limit.
func (s *segment) scan(buf []byte, pos, limit int64, stop func(batchHeader) bool) (int64, batchHeader, bool, error) {
	for pos < limit {
		h, err := s.readHeader(buf, pos, limit)
		if err != nil {
			return 0, batchHeader{}, false, err
		}
		if stop(h) {
			return pos, h, true, nil
		}
		pos += h.size()
	}
	return limit, batchHeader{}, false, nil
}

// ensureIndexes loads a sealed segment's indexes on first use.
func (s *segment) ensureIndexes() error {
	s.idxMu.RLock()
	loaded := s.idxLoaded
	s.idxMu.RUnlock()
	if loaded {
		return nil
	}
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if s.idxLoaded {
		return nil
	}
	return s.loadIndexesLocked()
}

// loadIndexesLocked reads both index files and checks every entry, and
// rebuilds the indexes if the check fails.
func (s *segment) loadIndexesLocked() error {
	var err error
	if s.offIdx.buf, err = readFile(s.offIdx.f); err != nil {
		return err
	}
	if s.timeIdx.buf, err = readFile(s.timeIdx.f); err != nil {
		return err
	}
	next := s.next.Load()
	p := s.offIdx.check(s.size.Load(), next)
	if p == "" {
		p = s.timeIdx.check(next)
	}
	if p != "" {
		if err := s.rebuildIndexesLocked(p); err != nil {
			return err
		}
	}
	s.idxLoaded = true
	return nil
}

// position returns where to start reading batch headers: the position of the
// offset index entry that pick chooses, or 0 (the segment start) if it
// chooses none (-1). Before returning an entry's position it checks that a
// batch with the entry's last offset starts there: an index is a hint, and a
// damaged one that still passes the load check (a flipped bit in a position)
// must cost a rebuild, not a wrong read. Entries at or past limit (written
// for a batch not yet published) are not used.
func (s *segment) position(buf []byte, limit int64, pick func(*offsetIndex) int) (int64, error) {
	for rebuilt := false; ; rebuilt = true {
		s.idxMu.RLock()
		i := pick(&s.offIdx)
		var off, pos int64
		if i >= 0 {
			off, pos = s.offIdx.at(i)
		}
		s.idxMu.RUnlock()
		if i < 0 || pos >= limit {
			return 0, nil
		}
		h, err := s.readHeader(buf, pos, limit)
		if err == nil && h.lastOffset() == off {
			return pos, nil
		}
		if err != nil && !IsCorruption(err) {
			return 0, err
		}
		if rebuilt {
			return 0, corruptf("%s: index entry (offset %d, position %d) still wrong after a rebuild", s.log.Name(), off, pos)
		}
		reason := fmt.Sprintf("entry (offset %d, position %d) does not point at its batch", off, pos)
		if err := s.rebuildIndexes(reason); err != nil {
			return 0, err
		}
	}
}

func (s *segment) rebuildIndexes(reason string) error {
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	return s.rebuildIndexesLocked(reason)
}

// rebuildIndexesLocked replaces both indexes with ones rebuilt from the log
// (headers only: this segment's data was already validated or trusted).
//
// A sealed segment's index is rebuilt in memory only and its files are left
// alone: rewriting them in place could be cut short by a crash, and a sealed
// segment is trusted at the next open with only a sanity check, so a
// half-written time index would silently lower its max timestamp. It is
// rebuilt again when next needed. The active segment's files are rewritten,
// so that later appends extend a correct file; that is safe because after a
// crash recovery always rescans the active segment.
func (s *segment) rebuildIndexesLocked(reason string) error {
	size := s.size.Load()
	// The data was validated or trusted already: only the structure
	// matters here, gaps or not.
	res, err := scanSegment(s.log, s.base, size, s.interval, false, math.MaxInt64)
	if err != nil {
		return err
	}
	if res.problem != "" || res.size != size {
		return corruptf("%s: %s (valid up to position %d of %d)", s.log.Name(), res.problem, res.size, size)
	}
	sealed := s.sealed.Load()
	if !sealed {
		if err := rewriteFile(s.offIdx.f, res.offIdx); err != nil {
			return err
		}
		if err := rewriteFile(s.timeIdx.f, res.timeIdx); err != nil {
			return err
		}
	}
	s.offIdx.buf, s.timeIdx.buf = res.offIdx, res.timeIdx
	if sealed {
		// The active segment's max timestamp is maintained by Append and
		// may already cover batches past size.
		s.setMaxTimestamp(res.ix.maxTs, res.ix.maxTsOffset)
	}
	s.lg.Warn("rebuilt index from the log", "segment", s.log.Name(), "reason", reason)
	return nil
}

func readFile(f *os.File) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("commitlog: stat %s: %w", f.Name(), err)
	}
	buf := make([]byte, st.Size())
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, fmt.Errorf("commitlog: read %s: %w", f.Name(), err)
	}
	return buf, nil
}
