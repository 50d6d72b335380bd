package partition

import (
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
)

func openTest(t *testing.T, cfg Config) *Partition {
	t.Helper()
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = 1 << 20
	}
	p, err := Open(t.TempDir(), "t", 0, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// timedBatch builds a plain batch whose records have the given timestamps.
func timedBatch(t *testing.T, base int64, deltas ...int64) []byte {
	t.Helper()
	recs := make([]batch.Record, len(deltas))
	for i, d := range deltas {
		recs[i] = batch.Record{TimestampDelta: d, Value: []byte("v")}
	}
	b, err := batch.Build(batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: base}, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestListOffsetByTimestamp(t *testing.T) {
	p := openTest(t, Config{})
	now := time.Now()
	for _, b := range [][]byte{timedBatch(t, 1000, 0, 10, 20), timedBatch(t, 2000, 0, 500, 5)} {
		if _, err := p.Append(b, now); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		ts, offset, found int64
	}{
		{0, 0, 1000},
		{1005, 1, 1010},
		{1020, 2, 1020},
		{1021, 3, 2000},
		{2003, 4, 2500},
		{2501, -1, -1},
		{Earliest, 0, -1},
		{Latest, 6, -1},
		{MaxTimestamp, 4, 2500},
	}
	for _, tt := range tests {
		off, found, err := p.ListOffset(tt.ts, ReadUncommitted)
		if err != nil || off != tt.offset || found != tt.found {
			t.Errorf("ListOffset(%d) = %d, %d, %v; want %d, %d", tt.ts, off, found, err, tt.offset, tt.found)
		}
	}
}

func TestAppendLimitsAndLogAppendTime(t *testing.T) {
	p := openTest(t, Config{MaxMessageBytes: 100, LogAppendTime: true})
	if _, err := p.Append(timedBatch(t, 1, make([]int64, 20)...), time.Now()); !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("oversized batch: %v", err)
	}
	now := time.UnixMilli(1_700_000_000_000)
	res, err := p.Append(timedBatch(t, 1, 0), now)
	if err != nil || res.LogAppendTime != now.UnixMilli() {
		t.Fatalf("append: %+v, %v", res, err)
	}
	c, err := p.Read(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	raw, _ := c.AppendTo(nil)
	h, err := batch.Verify(raw)
	if err != nil || !h.LogAppendTime() || h.MaxTimestamp != now.UnixMilli() {
		t.Fatalf("stored batch %+v, %v", h, err)
	}
}

// TestConcurrentAppendSync runs appenders that each wait for their own
// fsync, as acks=all produces do, and checks offsets stay dense and unique.
func TestConcurrentAppendSync(t *testing.T) {
	p := openTest(t, Config{})
	const writers, each = 8, 25
	var mu sync.Mutex
	seen := make(map[int64]bool)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				res, err := p.Append(timedBatch(t, 1, 0, 1), time.Now())
				if err == nil {
					err = p.Sync()
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[res.BaseOffset] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if p.HighWatermark() != 2*writers*each {
		t.Fatalf("high watermark %d, want %d", p.HighWatermark(), 2*writers*each)
	}
	for off := int64(0); off < 2*writers*each; off += 2 {
		if !seen[off] {
			t.Fatalf("no append got base offset %d", off)
		}
	}
}

func TestWaiterWokenByAppend(t *testing.T) {
	p := openTest(t, Config{})
	w := NewWaiter()
	p.Watch(w)
	go p.Append(timedBatch(t, 1, 0), time.Now())
	select {
	case <-w.C:
	case <-time.After(10 * time.Second):
		t.Fatal("waiter not woken")
	}
	p.Unwatch(w) // already dropped: must be harmless
}

// TestFlushIfDirty: the background flush makes appended data durable and
// then has nothing to do until the next append.
func TestFlushIfDirty(t *testing.T) {
	p := openTest(t, Config{})
	if _, err := p.Append(timedBatch(t, 1, 0), time.Now()); err != nil {
		t.Fatal(err)
	}
	if !p.dirty.Load() {
		t.Fatal("an append left the partition clean")
	}
	if err := p.FlushIfDirty(); err != nil {
		t.Fatal(err)
	}
	if p.dirty.Load() || p.log.RecoveryPoint() != p.log.EndOffset() {
		t.Fatalf("after the flush: dirty %v, recovery point %d, end %d", p.dirty.Load(), p.log.RecoveryPoint(), p.log.EndOffset())
	}
}
