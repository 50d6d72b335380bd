package commitlog

import (
	"bytes"
	"errors"
	"fmt"
	"math"
)

// Cleaning (log compaction) rewrites the oldest sealed segments through a
// filter the caller supplies: the log knows batch headers only, the caller
// (internal/partition) knows keys, tombstones and transactions. As Kafka's
// Cleaner does, the segments are cleaned in groups, each group into one
// new segment named after the group's first segment, at most SegmentBytes
// of source per group. Each cleaned segment is written aside, fsynced and
// then swapped in (swap.go); the active segment is never cleaned.

// ErrCleanAborted is returned by Clean when CleanOptions.Stop asked it to
// give up. Groups swapped in before then stay cleaned.
var ErrCleanAborted = errors.New("commitlog: cleaning aborted")

// CleanFilter decides what replaces one batch of a segment being cleaned:
// it appends to dst the batch itself, a rewritten batch with the same base
// offset and last offset, or nothing (the batch is dropped), and returns
// dst. keep is set for the last batch of each group, which must not be
// dropped (an empty batch will do) so that the cleaned segment still ends
// where the next segment begins. batch is valid only during the call.
type CleanFilter func(dst, batch []byte, keep bool) ([]byte, error)

// CleanOptions say what Clean rewrites and how.
type CleanOptions struct {
	// Upto bounds the cleaning: only sealed segments whose base offset is
	// below Upto are rewritten.
	Upto   int64
	Filter CleanFilter
	// BeforeSwap, if set, runs once a group's cleaned segment is durable,
	// just before it replaces the group; an error abandons the group.
	BeforeSwap func() error
	// Stop, if set, is polled between batches; true abandons the cleaning.
	Stop func() bool
}

// CleanStats count what Clean did.
type CleanStats struct {
	Groups, Swapped int // groups cleaned; groups that changed and were swapped in
	BatchesRead     int
	BatchesWritten  int
	BytesRead       int64
	BytesWritten    int64
}

// Clean rewrites the sealed segments below opts.Upto through opts.Filter.
// A group the filter leaves unchanged is not swapped. A group whose
// segments retention or SetStartOffset deleted meanwhile is skipped.
// Clean runs alongside Append and Read; only the swap itself takes the
// writers' lock, for a few renames and one directory fsync.
func (l *Log) Clean(opts CleanOptions) (CleanStats, error) {
	l.cleanMu.Lock()
	defer l.cleanMu.Unlock()
	groups, interval, err := l.cleanGroups(opts.Upto)
	if err != nil {
		return CleanStats{}, err
	}
	defer func() {
		for _, g := range groups {
			for _, s := range g {
				s.decRef()
			}
		}
	}()
	var st CleanStats
	for _, g := range groups {
		st.Groups++
		if err := l.cleanGroup(g, interval, &opts, &st); err != nil {
			return st, err
		}
	}
	return st, nil
}

// cleanGroups references the sealed segments below upto and groups them
// as Kafka's groupSegmentsBySize does: consecutive segments totalling at
// most SegmentBytes, spanning at most MaxInt32 offsets (index entries are
// relative to the group's base). It also returns the index interval to
// use for the cleaned segments.
func (l *Log) cleanGroups(upto int64) ([][]*segment, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return nil, 0, err
	}
	segs := l.segs
	n := 0
	for n < len(segs)-1 && segs[n].base < upto {
		n++
	}
	if n == 0 {
		return nil, l.cfg.IndexIntervalBytes, nil
	}
	var groups [][]*segment
	for i := 0; i < n; {
		j, size := i+1, segs[i].size.Load()
		for j < n && size+segs[j].size.Load() <= l.cfg.SegmentBytes && segs[j+1].base-1-segs[i].base <= math.MaxInt32 {
			size += segs[j].size.Load()
			j++
		}
		g := make([]*segment, j-i)
		copy(g, segs[i:j])
		for _, s := range g {
			s.incRef()
		}
		groups = append(groups, g)
		i = j
	}
	return groups, l.cfg.IndexIntervalBytes, nil
}

// cleanGroup cleans one group into a new segment and swaps it in if the
// filter changed anything.
func (l *Log) cleanGroup(g []*segment, interval int, opts *CleanOptions, st *CleanStats) error {
	cs, err := createCleaned(l.dir, g[0].base, interval)
	if err != nil {
		return err
	}
	changed, err := l.filterGroup(g, cs, opts, st)
	if err == nil && changed {
		err = cs.finish()
	}
	if err == nil && changed && opts.BeforeSwap != nil {
		err = opts.BeforeSwap()
	}
	if err != nil || !changed {
		cs.discard()
		return err
	}
	swapped, err := l.swap(g, cs)
	if swapped {
		st.Swapped++
		st.BytesWritten += cs.size
		l.lg.Debug("swapped in a cleaned segment", "base", g[0].base, "segments", len(g), "bytes", cs.size)
	}
	return err
}

// filterGroup passes every batch of g through the filter into cs and
// reports whether any came out different.
func (l *Log) filterGroup(g []*segment, cs *cleanedSegment, opts *CleanOptions, st *CleanStats) (bool, error) {
	changed := false
	var out []byte
	for i, s := range g {
		br := newBatchReader(s)
		for {
			if opts.Stop != nil && opts.Stop() {
				return false, ErrCleanAborted
			}
			b, h, err := br.next()
			if errors.Is(err, errEndOfSegment) {
				break
			}
			if err != nil {
				return false, err
			}
			keep := i == len(g)-1 && br.done()
			if out, err = opts.Filter(out[:0], b, keep); err != nil {
				return false, err
			}
			st.BatchesRead++
			st.BytesRead += h.size()
			if !bytes.Equal(out, b) {
				changed = true
			}
			if err := cs.appendFiltered(out, h, keep); err != nil {
				return false, err
			}
		}
	}
	if changed {
		st.BatchesWritten += cs.batches
	}
	return changed, nil
}

// appendFiltered checks what the filter made of the batch with header src
// and appends it.
func (c *cleanedSegment) appendFiltered(out []byte, src batchHeader, keep bool) error {
	if len(out) == 0 {
		if keep {
			return fmt.Errorf("commitlog: clean filter dropped the batch at offset %d, which must be kept", src.baseOffset)
		}
		return nil
	}
	h, err := checkBatch(out)
	if err != nil {
		return fmt.Errorf("commitlog: clean filter output for the batch at offset %d: %w", src.baseOffset, err)
	}
	if h.baseOffset != src.baseOffset || h.lastOffset() != src.lastOffset() {
		return fmt.Errorf("commitlog: clean filter turned offsets [%d, %d] into [%d, %d]",
			src.baseOffset, src.lastOffset(), h.baseOffset, h.lastOffset())
	}
	return c.append(out, h)
}
