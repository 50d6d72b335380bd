package broker

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/samsa-streaming/samsa/internal/commitlog"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// The log cleaner: one goroutine compacting, one pass at a time, the
// partitions of topics whose cleanup.policy includes compact (Kafka's
// LogCleaner with log.cleaner.threads=1). Each round it asks every such
// partition for its CleanState and cleans the one with the highest dirty
// ratio among those due; when none is due it sleeps
// log.cleaner.backoff.ms. The cleaning itself (partition.Clean) runs
// alongside produce and fetch. A partition whose cleaning fails is not
// cleaned again until a restart, as Kafka marks it uncleanable, so that one
// bad segment does not turn the cleaner into a loop of errors.

// minCleanerBackoff keeps log.cleaner.backoff.ms=0 from spinning over
// every partition's state without pause.
const minCleanerBackoff = 10 * time.Millisecond

func (b *Broker) startCleaner() {
	b.bg.Add(1)
	go b.runCleaner()
}

func (b *Broker) runCleaner() {
	defer b.bg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-b.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	uncleanable := make(map[*partition.Partition]bool)
	for ctx.Err() == nil {
		if b.cleanFilthiest(ctx, uncleanable) {
			continue
		}
		t := time.NewTimer(b.cleanerBackoff())
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

func (b *Broker) cleanerBackoff() time.Duration {
	v, _ := b.cfg.Value("log.cleaner.backoff.ms")
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		ms = 15000
	}
	return max(time.Duration(ms)*time.Millisecond, minCleanerBackoff)
}

// cleanFilthiest cleans the dirtiest due partition and reports whether
// there was one.
func (b *Broker) cleanFilthiest(ctx context.Context, uncleanable map[*partition.Partition]bool) bool {
	now := b.now()
	p := b.filthiest(now, uncleanable)
	if p == nil {
		return false
	}
	st, err := p.Clean(ctx, now)
	switch {
	case errors.Is(err, commitlog.ErrCleanAborted), errors.Is(err, commitlog.ErrClosed):
		return false
	case err != nil:
		b.lg.Error("cleaning failed; the partition is not cleaned again until restart", "topic", p.Topic, "partition", p.Index, "err", err)
		uncleanable[p] = true
		return false
	}
	b.lg.Info("cleaned log", "topic", p.Topic, "partition", p.Index, "dirty_from", st.FirstDirty, "dirty_to", st.CleanedTo,
		"bytes_read", st.BytesRead, "bytes_written", st.BytesWritten, "records_read", st.RecordsRead, "records_kept", st.RecordsKept)
	return true
}

// filthiest returns the due partition with the highest dirty ratio, and
// forgets uncleanable partitions that no longer exist.
func (b *Broker) filthiest(now time.Time, uncleanable map[*partition.Partition]bool) *partition.Partition {
	var best *partition.Partition
	bestRatio := -1.0
	seen := make(map[*partition.Partition]bool, len(uncleanable))
	for _, p := range b.allPartitions() {
		if uncleanable[p] {
			seen[p] = true
			continue
		}
		if !p.Compacted() {
			continue
		}
		st, err := p.CleanState(now)
		if err != nil {
			if !errors.Is(err, commitlog.ErrClosed) {
				b.lg.Warn("cannot tell whether the partition needs cleaning", "topic", p.Topic, "partition", p.Index, "err", err)
			}
			continue
		}
		if st.Due && st.DirtyRatio > bestRatio {
			best, bestRatio = p, st.DirtyRatio
		}
	}
	for p := range uncleanable {
		if !seen[p] {
			delete(uncleanable, p)
		}
	}
	return best
}
