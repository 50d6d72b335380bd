package broker

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/commitlog"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// FetchPart asks for one partition's data from Offset. Topic is looked up
// by TopicID when Topic is "".
type FetchPart struct {
	Topic     string
	TopicID   [16]byte
	Partition int32
	Offset    int64
	MaxBytes  int32
}

// FetchRequest is a whole fetch: it returns when MinBytes are available,
// MaxWait has passed, or ctx is done. A ReadCommitted fetch reads only
// below each partition's last stable offset.
type FetchRequest struct {
	MaxWait   time.Duration
	MinBytes  int32
	MaxBytes  int32
	Isolation partition.Isolation
	Parts     []FetchPart
}

// FetchResult answers one FetchPart. The caller must Release Records after
// sending them.
type FetchResult struct {
	Err            error
	HighWatermark  int64
	LastStable     int64
	LogStartOffset int64
	Records        commitlog.Chunk
	// AbortedTransactions, for a ReadCommitted fetch, are those that
	// overlap Records (see partition.Fetched).
	AbortedTransactions []partition.AbortedTxn
}

type fetchTarget struct {
	p *partition.Partition
	t *topic
}

// Fetch reads every part, waiting for more data as the request allows.
func (b *Broker) Fetch(ctx context.Context, req FetchRequest) []FetchResult {
	targets := make([]fetchTarget, len(req.Parts))
	results := make([]FetchResult, len(req.Parts))
	for i, part := range req.Parts {
		p, t, err := b.fetchPartition(part)
		targets[i] = fetchTarget{p, t}
		if err != nil {
			results[i] = FetchResult{Err: err, HighWatermark: -1, LastStable: -1, LogStartOffset: -1}
		}
	}
	total, failed := b.readAll(req, targets, results)
	if failed || total >= int(req.MinBytes) || req.MaxWait <= 0 {
		return b.countOut(targets, results)
	}
	b.waitForData(ctx, req, targets, results)
	return b.countOut(targets, results)
}

func (b *Broker) fetchPartition(part FetchPart) (*partition.Partition, *topic, error) {
	var t *topic
	if part.Topic == "" {
		if t = b.lookupID(part.TopicID); t == nil {
			return nil, nil, kerr.UnknownTopicID
		}
	} else if t = b.lookup(part.Topic); t == nil {
		return nil, nil, kerr.UnknownTopicOrPartition
	}
	if part.Partition < 0 || int(part.Partition) >= len(t.partitions) {
		return nil, nil, kerr.UnknownTopicOrPartition
	}
	return t.partitions[part.Partition], t, nil
}

// readAll fills results from the logs, releasing any chunks from a previous
// round. The response budget MaxBytes is spent in order; the first non-empty
// partition always gets at least one whole batch, as Kafka does.
func (b *Broker) readAll(req FetchRequest, targets []fetchTarget, results []FetchResult) (total int, failed bool) {
	budget := int(req.MaxBytes)
	if limit := int(b.cfg.FetchMaxBytes()); budget <= 0 || budget > limit {
		budget = limit
	}
	for i, part := range req.Parts {
		p := targets[i].p
		if p == nil {
			failed = true
			continue
		}
		results[i].Records.Release()
		f, err := p.ReadIsolated(part.Offset, max(min(int(part.MaxBytes), budget-total), 1), req.Isolation)
		// The high watermark is loaded after the read's last stable
		// offset, so that the response never has LSO > HWM.
		res := FetchResult{HighWatermark: p.HighWatermark(), LastStable: f.LastStable, LogStartOffset: p.LogStartOffset(),
			Records: f.Records, AbortedTransactions: f.Aborted}
		if err != nil {
			res.Err = err
			failed = true
		}
		// Only the first partition with data may go over the limits (by
		// one batch, KIP-74); later ones return only batches that fit,
		// and none returned needs no aborted transactions (Kafka's
		// emptyFetchDataInfo).
		if total > 0 && res.Records.Len() > min(int(part.MaxBytes), budget-total) {
			res.Records.Release()
			res.Records, res.AbortedTransactions = commitlog.Chunk{}, nil
		}
		total += res.Records.Len()
		results[i] = res
	}
	return total, failed
}

// waitForData parks the fetch until an append to one of its partitions,
// the wait time, or cancellation, re-reading after each wake-up. Markers
// are appends too, so a ReadCommitted fetch wakes when the last stable
// offset moves.
func (b *Broker) waitForData(ctx context.Context, req FetchRequest, targets []fetchTarget, results []FetchResult) {
	w := partition.NewWaiter()
	timer := time.NewTimer(req.MaxWait)
	defer timer.Stop()
	for {
		for _, t := range targets {
			t.p.Watch(w)
		}
		// Re-read after registering: an append between the last read and
		// Watch would otherwise go unnoticed until the timeout.
		total, failed := b.readAll(req, targets, results)
		if failed || total >= int(req.MinBytes) {
			b.unwatch(targets, w)
			return
		}
		select {
		case <-w.C:
		case <-timer.C:
			b.unwatch(targets, w)
			return
		case <-ctx.Done():
			b.unwatch(targets, w)
			return
		case <-b.stop:
			b.unwatch(targets, w)
			return
		}
	}
}

func (b *Broker) unwatch(targets []fetchTarget, w *partition.Waiter) {
	for _, t := range targets {
		t.p.Unwatch(w)
	}
}

func (b *Broker) countOut(targets []fetchTarget, results []FetchResult) []FetchResult {
	for i, t := range targets {
		if t.t != nil {
			t.t.counters.Out.Add(float64(results[i].Records.Len()))
		}
	}
	return results
}

// ListOffset answers ListOffsets for one partition; see
// partition.ListOffset for how iso bounds the answer.
func (b *Broker) ListOffset(topicName string, index int32, timestamp int64, iso partition.Isolation) (offset, ts int64, err error) {
	p, _, err := b.fetchPartition(FetchPart{Topic: topicName, Partition: index})
	if err != nil {
		return -1, -1, err
	}
	return p.ListOffset(timestamp, iso)
}

// PartitionOffsets returns a partition's log start offset and high watermark.
func (b *Broker) PartitionOffsets(topicName string, index int32) (start, hwm int64, err error) {
	p, _, err := b.fetchPartition(FetchPart{Topic: topicName, Partition: index})
	if err != nil {
		return -1, -1, err
	}
	return p.LogStartOffset(), p.HighWatermark(), nil
}
