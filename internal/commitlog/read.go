package commitlog

import "sort"

// Read returns whole batches starting with the batch that holds offset, up to
// maxBytes in total but always at least that one batch, and none whose base
// offset is >= maxOffset (the caller's high watermark). The chunk comes from
// one segment; a caller wanting more continues at the offset after it.
//
// The chunk is empty when offset is maxOffset or beyond, or the log end
// offset. Read returns ErrOffsetOutOfRange for an offset below StartOffset or
// above EndOffset. The first batch may begin below offset (and below
// StartOffset); callers skip the records they did not ask for, as Kafka
// consumers do. The caller must Release the chunk.
func (l *Log) Read(offset int64, maxBytes int, maxOffset int64) (Chunk, error) {
	if l.closed.Load() {
		return Chunk{}, ErrClosed
	}
	end := l.end.Load()
	if offset < l.start.Load() || offset > end {
		return Chunk{}, ErrOffsetOutOfRange
	}
	if offset >= maxOffset || offset == end {
		return Chunk{}, nil
	}
	s, err := l.acquire(offset)
	if err != nil {
		return Chunk{}, err
	}
	c, err := s.read(offset, maxBytes, maxOffset)
	if err != nil || c.n == 0 {
		s.decRef()
		return Chunk{}, err
	}
	return c, nil
}

// acquire references the segment holding offset: the last whose base is <= offset.
func (l *Log) acquire(offset int64) (*segment, error) {
	l.segsMu.RLock()
	defer l.segsMu.RUnlock()
	if l.segs == nil {
		return nil, ErrClosed
	}
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].base > offset })
	if i == 0 {
		return nil, ErrOffsetOutOfRange // retention removed it after the range check
	}
	s := l.segs[i-1]
	s.incRef()
	return s, nil
}

func (s *segment) read(offset int64, maxBytes int, maxOffset int64) (Chunk, error) {
	limit := s.size.Load() // everything before it is whole batches
	if err := s.ensureIndexes(); err != nil {
		return Chunk{}, err
	}
	var buf [batchHeaderLen]byte
	from, err := s.position(buf[:], limit, func(x *offsetIndex) int { return x.search(offset) })
	if err != nil {
		return Chunk{}, err
	}
	pos, h, found, err := s.scan(buf[:], from, limit, func(h batchHeader) bool { return h.lastOffset() >= offset })
	if err != nil || !found {
		return Chunk{}, err
	}
	end := pos + h.size()
	if maxOffset < s.next.Load() {
		from, err := s.position(buf[:], limit, func(x *offsetIndex) int { return x.search(maxOffset) })
		if err != nil {
			return Chunk{}, err
		}
		limit, _, _, err = s.scan(buf[:], max(from, end), limit, func(h batchHeader) bool { return h.baseOffset >= maxOffset })
		if err != nil {
			return Chunk{}, err
		}
	}
	if end, err = s.extend(buf[:], pos, end, maxBytes, limit); err != nil {
		return Chunk{}, err
	}
	return Chunk{seg: s, pos: pos, n: int(end - pos)}, nil
}

// extend grows the chunk [pos, end) by whole batches while it stays within
// maxBytes, never past limit (a batch boundary).
func (s *segment) extend(buf []byte, pos, end int64, maxBytes int, limit int64) (int64, error) {
	if int64(maxBytes) >= limit-pos {
		return limit, nil
	}
	want := pos + int64(maxBytes)
	if want <= end {
		return end, nil
	}
	// Jump near want with the index rather than read every header from end:
	// 1 MiB of 100-byte batches would otherwise cost 10,000 reads.
	from, err := s.position(buf, limit, func(x *offsetIndex) int { return x.searchPosition(want) })
	if err != nil {
		return 0, err
	}
	for from = max(from, end); from < want; {
		h, err := s.readHeader(buf, from, limit)
		if err != nil {
			return 0, err
		}
		if from+h.size() > want {
			break
		}
		from += h.size()
	}
	return from, nil
}

// OffsetForTimestamp finds the first batch, at or after StartOffset, whose max
// timestamp is >= ts, and returns its base offset (raised to StartOffset if
// the batch straddles it) and its max timestamp. Kafka's ListOffsets answers
// with the first record whose timestamp is >= ts; that record is in this
// batch, which the caller reads to refine the answer. ok is false if no batch
// reaches ts.
func (l *Log) OffsetForTimestamp(ts int64) (offset, timestamp int64, ok bool, err error) {
	start := l.start.Load()
	after := int64(-1) // base offset of the last segment searched
	for {
		s, err := l.acquireForTimestamp(ts, start, after)
		if s == nil || err != nil {
			return 0, 0, false, err
		}
		offset, timestamp, ok, err = s.findTimestamp(ts, start)
		s.decRef()
		if ok || err != nil {
			return offset, timestamp, ok, err
		}
		after = s.base
	}
}

// acquireForTimestamp references the first segment after the one based at
// after whose largest timestamp reaches ts and that holds offsets >= start.
func (l *Log) acquireForTimestamp(ts, start, after int64) (*segment, error) {
	l.segsMu.RLock()
	defer l.segsMu.RUnlock()
	if l.segs == nil {
		return nil, ErrClosed
	}
	for _, s := range l.segs {
		if s.base <= after || s.next.Load() <= start {
			continue
		}
		if maxTs, _ := s.maxTimestamp(); maxTs >= ts {
			s.incRef()
			return s, nil
		}
	}
	return nil, nil
}

func (s *segment) findTimestamp(ts, minOffset int64) (offset, timestamp int64, ok bool, err error) {
	limit := s.size.Load()
	if err := s.ensureIndexes(); err != nil {
		return 0, 0, false, err
	}
	// The time index gives an offset whose batch and all before it are
	// below ts; both lookups then give a position at or before the batch we
	// want, so the later of the two is too.
	s.idxMu.RLock()
	below, belowOK := s.timeIdx.lookup(ts)
	s.idxMu.RUnlock()
	var buf [batchHeaderLen]byte
	from, err := s.position(buf[:], limit, func(x *offsetIndex) int {
		i := -1
		if belowOK {
			i = x.search(below)
		}
		if minOffset > s.base {
			i = max(i, x.search(minOffset))
		}
		return i
	})
	if err != nil {
		return 0, 0, false, err
	}
	_, h, found, err := s.scan(buf[:], from, limit, func(h batchHeader) bool {
		return h.lastOffset() >= minOffset && h.maxTimestamp >= ts
	})
	if err != nil || !found {
		return 0, 0, false, err
	}
	return max(h.baseOffset, minOffset), h.maxTimestamp, true, nil
}

// MaxTimestamp returns the largest batch max timestamp in the log and the
// last offset of the first batch that carried it (ListOffsets -3; the caller
// reads that batch to find the record). It returns -1, -1 for a log without
// timestamps.
func (l *Log) MaxTimestamp() (timestamp, offset int64) {
	l.segsMu.RLock()
	defer l.segsMu.RUnlock()
	timestamp, offset = -1, -1
	for _, s := range l.segs {
		if ts, off := s.maxTimestamp(); ts > timestamp {
			timestamp, offset = ts, off
		}
	}
	return timestamp, offset
}
