package commitlog

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// verifyChunk checks that b is whole batches with valid CRCs, the first
// holding offset and each following the previous one.
func verifyChunk(b []byte, offset int64) error {
	next := int64(-1)
	for len(b) > 0 {
		if len(b) < batchHeaderLen {
			return fmt.Errorf("%d trailing bytes", len(b))
		}
		h := parseBatchHeader(b)
		if h.size() > int64(len(b)) {
			return fmt.Errorf("batch of %d bytes, %d left", h.size(), len(b))
		}
		if _, err := checkBatch(b[:h.size()]); err != nil {
			return err
		}
		switch {
		case next < 0 && (h.baseOffset > offset || h.lastOffset() < offset):
			return fmt.Errorf("first batch [%d, %d] does not hold %d", h.baseOffset, h.lastOffset(), offset)
		case next >= 0 && h.baseOffset != next:
			return fmt.Errorf("batch at %d follows one ending at %d", h.baseOffset, next)
		}
		next = h.lastOffset() + 1
		b = b[h.size():]
	}
	return nil
}

// Readers, a group-committing syncer and retention run against a busy
// appender; run with -race.
func TestConcurrentReadersAndAppender(t *testing.T) {
	l := openLog(t, t.TempDir(), Config{SegmentBytes: 4000, IndexIntervalBytes: 256, RetentionBytes: 20000, RetentionMs: -1})
	const total = 2000
	var done atomic.Bool
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	report := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 1))
			var buf []byte
			for !done.Load() {
				start, end := l.StartOffset(), l.EndOffset()
				if end == start {
					continue
				}
				offset := start + rng.Int64N(end-start)
				c, err := l.Read(offset, rng.IntN(10000), end)
				if errors.Is(err, ErrOffsetOutOfRange) {
					continue // retention passed it
				}
				if err != nil {
					report(err)
					return
				}
				buf, err = c.AppendTo(buf[:0])
				c.Release()
				if err == nil {
					err = verifyChunk(buf, offset)
				}
				if err != nil {
					report(fmt.Errorf("Read(%d): %w", offset, err))
					return
				}
				if _, _, _, err := l.OffsetForTimestamp(int64(rng.IntN(total))); err != nil {
					report(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // group commit
		defer wg.Done()
		for !done.Load() {
			end := l.EndOffset()
			if err := l.Sync(); err != nil {
				report(err)
				return
			}
			if rp := l.RecoveryPoint(); rp < end {
				report(fmt.Errorf("recovery point %d after syncing up to %d", rp, end))
				return
			}
		}
	}()
	for i := range total {
		b := makeBatch(l.EndOffset(), 1+i%3, int64(i), 50+i%400)
		if _, err := l.Append(b); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			if _, err := l.ApplyRetention(time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	done.Store(true)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if _, err := l.ApplyRetention(time.Now()); err != nil {
		t.Fatal(err)
	}
	// Retention leaves less than RetentionBytes plus one segment.
	if l.StartOffset() == 0 || l.Size() > 20000+4000 {
		t.Fatalf("retention did not run: start %d, size %d", l.StartOffset(), l.Size())
	}
}
