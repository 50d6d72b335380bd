package commitlog

import (
	"fmt"
	"math"
)

// SegmentInfo describes one segment for the cleaner's choice of what to
// compact (Kafka's LogCleanerManager reads the same from its segments).
type SegmentInfo struct {
	Base int64 // offset the segment starts at
	Size int64 // bytes
	// LargestTimestamp is the time retention compares: the largest batch
	// max timestamp, or the file's modification time if no batch has one.
	LargestTimestamp int64
	// FirstTimestamp is the max timestamp of the segment's first batch, -1
	// for an empty segment (max.compaction.lag.ms counts from it).
	FirstTimestamp int64
}

// Segments describes every segment, oldest first; the last is the active one.
func (l *Log) Segments() ([]SegmentInfo, error) {
	l.segsMu.RLock()
	segs := make([]*segment, len(l.segs))
	copy(segs, l.segs)
	for _, s := range segs {
		s.incRef()
	}
	l.segsMu.RUnlock()
	defer func() {
		for _, s := range segs {
			s.decRef()
		}
	}()
	if len(segs) == 0 {
		return nil, ErrClosed
	}
	out := make([]SegmentInfo, len(segs))
	for i, s := range segs {
		largest, err := s.largestTimestamp()
		if err != nil {
			return nil, err
		}
		first, err := s.firstTimestamp()
		if err != nil {
			return nil, err
		}
		out[i] = SegmentInfo{Base: s.base, Size: s.size.Load(), LargestTimestamp: largest, FirstTimestamp: first}
	}
	return out, nil
}

// unknownTimestamp marks segment.firstBatchTs as not read yet.
const unknownTimestamp = math.MinInt64

// firstTimestamp reads the first batch's max timestamp once and keeps it:
// batches are never rewritten in place, so it cannot change.
func (s *segment) firstTimestamp() (int64, error) {
	if ts := s.firstBatchTs.Load(); ts != unknownTimestamp {
		return ts, nil
	}
	if s.size.Load() < batchHeaderLen {
		return -1, nil
	}
	var buf [batchHeaderLen]byte
	if _, err := s.log.ReadAt(buf[:], 0); err != nil {
		return 0, fmt.Errorf("commitlog: read %s: %w", s.log.Name(), err)
	}
	ts := parseBatchHeader(buf[:]).maxTimestamp
	s.firstBatchTs.Store(ts)
	return ts, nil
}
