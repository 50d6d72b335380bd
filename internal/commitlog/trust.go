package commitlog

import (
	"fmt"
	"math"
	"os"
)

// Trusting a segment: what Open checks, without reading batch data, about a
// segment that was durable at the last shutdown (see recovery.go).

// trustSealed accepts a durable sealed segment that the next segment follows
// at offset next. Beyond Kafka's sanity check of the indexes (whole entries,
// last entries inside the segment) it walks the batch headers after the last
// indexed batch: a few reads that prove the file ends at a batch boundary
// exactly where the next segment begins. The segment's largest timestamp
// comes from the last time index entry and the walked headers.
func (s *segment) trustSealed(next, gapsBelow int64) (string, error) {
	if s.indexMissing {
		return "index file missing", nil
	}
	size := s.size.Load()
	off := offsetIndex{base: s.base}
	tim := timeIndex{base: s.base}
	var err error
	if off.buf, err = readLastEntry(s.offIdx.f, offsetEntrySize); err != nil {
		return "", err
	}
	if tim.buf, err = readLastEntry(s.timeIdx.f, timeEntrySize); err != nil {
		return "", err
	}
	if p := off.check(size, next); p != "" {
		return p, nil
	}
	if p := tim.check(next); p != "" {
		return p, nil
	}
	ix := newIndexer(s.interval)
	ix.maxTs, ix.maxTsOffset = tim.last()
	end, p, err := s.walkTail(&off, size, &ix, gapsBelow)
	if p != "" || err != nil {
		return p, err
	}
	if end != next {
		return fmt.Sprintf("segment ends at offset %d but the next one starts at %d", end, next), nil
	}
	// Sealing wrote the largest timestamp as the last entry; a larger one in
	// the walked batches means the time index lost entries.
	if ts, _ := tim.last(); ix.maxTs != ts {
		return fmt.Sprintf("time index ends at timestamp %d, below the segment's %d", ts, ix.maxTs), nil
	}
	s.next.Store(next)
	s.setMaxTimestamp(ix.maxTs, ix.maxTsOffset)
	s.sealed.Store(true)
	return "", nil
}

// readLastEntry returns a file's last entry, nil if it is empty, or the whole
// (odd-sized, so failing the check) file.
func readLastEntry(f *os.File, entrySize int64) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("commitlog: stat %s: %w", f.Name(), err)
	}
	if st.Size()%entrySize != 0 {
		return make([]byte, st.Size()%entrySize), nil
	}
	if st.Size() == 0 {
		return nil, nil
	}
	buf := make([]byte, entrySize)
	if _, err := f.ReadAt(buf, st.Size()-entrySize); err != nil {
		return nil, fmt.Errorf("commitlog: read %s: %w", f.Name(), err)
	}
	return buf, nil
}

// trustActive accepts the active segment after a clean shutdown: it loads
// and checks the indexes and walks the headers after the last indexed batch,
// which yields the log end offset.
func (s *segment) trustActive(gapsBelow int64) (string, error) {
	if s.indexMissing {
		return "index file missing", nil
	}
	size := s.size.Load()
	var err error
	if s.offIdx.buf, err = readFile(s.offIdx.f); err != nil {
		return "", err
	}
	if s.timeIdx.buf, err = readFile(s.timeIdx.f); err != nil {
		return "", err
	}
	if p := s.offIdx.check(size, math.MaxInt64); p != "" {
		return p, nil
	}
	ix := newIndexer(s.interval)
	ix.maxTs, ix.maxTsOffset = s.timeIdx.last()
	next, p, err := s.walkTail(&s.offIdx, size, &ix, gapsBelow)
	if p != "" || err != nil {
		return p, err
	}
	if p := s.timeIdx.check(next); p != "" {
		return p, nil
	}
	if size > 0 {
		var buf [batchHeaderLen]byte
		if _, err := s.log.ReadAt(buf[:], 0); err != nil {
			return "", fmt.Errorf("commitlog: read %s: %w", s.log.Name(), err)
		}
		s.firstTs = parseBatchHeader(buf[:]).maxTimestamp
	}
	s.ix = ix
	s.next.Store(next)
	s.setMaxTimestamp(ix.maxTs, ix.maxTsOffset)
	s.idxLoaded = true
	return "", nil
}

// walkTail reads the batch headers from the last entry of off (or the
// segment start) to size, which must be a batch boundary, feeds them to ix and
// returns the offset after the last batch. It reads headers only: the data
// was fsynced, and this checks structure, not contents. The entries in off
// must already have passed off.check.
func (s *segment) walkTail(off *offsetIndex, size int64, ix *indexer, gapsBelow int64) (int64, string, error) {
	if size > math.MaxInt32 {
		return 0, fmt.Sprintf("%d bytes, more than a segment holds", size), nil
	}
	var buf [batchHeaderLen]byte
	pos, next := int64(0), s.base
	if n := off.entries(); n > 0 {
		last, p := off.at(n - 1)
		h, err := s.readHeader(buf[:], p, size)
		if err != nil {
			return walkProblem(err)
		}
		if h.lastOffset() != last {
			return 0, fmt.Sprintf("last offset index entry (%d at %d) does not match the log", last, p), nil
		}
		pos, next = p, h.baseOffset
	}
	for pos < size {
		h, err := s.readHeader(buf[:], pos, size)
		if err != nil {
			return walkProblem(err)
		}
		if !offsetFollows(h.baseOffset, next, gapsBelow) || h.lastOffset()-s.base > math.MaxInt32 {
			return 0, fmt.Sprintf("batch at %d has base offset %d, want %d", pos, h.baseOffset, next), nil
		}
		ix.observe(h)
		pos, next = pos+h.size(), h.lastOffset()+1
	}
	return next, "", nil
}

// walkProblem turns corruption found by walkTail into a reason to scan.
func walkProblem(err error) (int64, string, error) {
	if IsCorruption(err) {
		return 0, err.Error(), nil
	}
	return 0, "", err
}
