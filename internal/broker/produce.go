package broker

import (
	"errors"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/partition"
)

// Acks values of a produce request.
const (
	AcksNone   int16 = 0
	AcksLeader int16 = 1
	AcksAll    int16 = -1
)

// ProducePart is one partition's batch in a produce request. Records is a
// single record batch owned by the broker from here on (it is edited in
// place). Topic is looked up by TopicID when Topic is "".
type ProducePart struct {
	Topic     string
	TopicID   [16]byte
	Partition int32
	Records   []byte
	// ImplicitTxnAdd (Produce v12+, transaction protocol v2): a
	// transactional batch adds its partition to the producer's transaction
	// rather than having to be in it already.
	ImplicitTxnAdd bool
}

// ProduceResult answers one ProducePart.
type ProduceResult struct {
	Err            error // nil or a kerr code, possibly wrapped with a message
	BaseOffset     int64
	LogAppendTime  int64
	LogStartOffset int64
}

// Produced is the outcome of appending a produce request's batches. The
// appends happen, in order, inside Produce; Wait then satisfies the acks.
type Produced struct {
	b        *Broker
	results  []ProduceResult
	appended []*partition.Partition
	sync     bool
}

// Produce appends each part's batch. Callers that need request order (a
// connection's pipelined produces) call Produce in that order and may Wait
// concurrently.
func (b *Broker) Produce(acks int16, parts []ProducePart) *Produced {
	pr := &Produced{
		b:        b,
		results:  make([]ProduceResult, len(parts)),
		appended: make([]*partition.Partition, 0, len(parts)),
		sync:     acks == AcksAll && b.cfg.AcksAllFsync(),
	}
	now := b.now()
	for i, part := range parts {
		pr.results[i] = b.append(part, now, pr)
	}
	return pr
}

func (b *Broker) append(part ProducePart, now time.Time, pr *Produced) ProduceResult {
	p, t, err := b.producePartition(part)
	if err == nil {
		err = b.verifyTransactional(part, t.name)
	}
	var res partition.Appended
	if err == nil {
		var records []byte
		if records, err = b.recompress(t, part.Records); err == nil {
			res, err = p.Append(records, now)
		}
	}
	if err != nil {
		b.lg.Info("produce rejected", "topic", part.Topic, "partition", part.Partition, "err", err)
		return ProduceResult{Err: err, BaseOffset: -1, LogAppendTime: -1, LogStartOffset: -1}
	}
	if res.Duplicate {
		b.lg.Debug("duplicate batch from an idempotent producer answered with its original offset",
			"topic", t.name, "partition", part.Partition, "offset", res.BaseOffset)
	} else {
		t.counters.In.Add(float64(len(part.Records)))
	}
	// A duplicate's original may still be on its way to disk: acks=all
	// waits for the same fsync either way.
	pr.appended = append(pr.appended, p)
	return ProduceResult{BaseOffset: res.BaseOffset, LogAppendTime: res.LogAppendTime, LogStartOffset: p.LogStartOffset()}
}

// Wait returns the results once the request's acks are satisfied: for
// acks=all, once every appended batch is on disk. If an fsync fails the
// appended batches are reported as KAFKA_STORAGE_ERROR: they may or may not
// survive a crash, so the client must not count them as acknowledged.
func (pr *Produced) Wait() []ProduceResult {
	if !pr.sync || len(pr.appended) == 0 {
		return pr.results
	}
	if err := syncAll(pr.appended); err != nil {
		pr.b.lg.Error("fsync failed; failing the produce", "err", err)
		for i := range pr.results {
			if pr.results[i].Err == nil {
				pr.results[i] = ProduceResult{Err: kerr.KafkaStorageError, BaseOffset: -1, LogAppendTime: -1, LogStartOffset: -1}
			}
		}
	}
	return pr.results
}

func (b *Broker) producePartition(part ProducePart) (*partition.Partition, *topic, error) {
	var t *topic
	if part.Topic == "" {
		if t = b.lookupID(part.TopicID); t == nil {
			return nil, nil, kerr.UnknownTopicID
		}
	} else if t = b.lookup(part.Topic); t == nil {
		if _, err := b.AutoCreate(part.Topic); err != nil {
			return nil, nil, err
		}
		if t = b.lookup(part.Topic); t == nil {
			return nil, nil, kerr.UnknownTopicOrPartition
		}
	}
	if part.Partition < 0 || int(part.Partition) >= len(t.partitions) {
		return nil, nil, kerr.UnknownTopicOrPartition
	}
	if t.internal {
		return nil, nil, errorf(kerr.InvalidTopicException, "cannot append to internal topic %s", t.name)
	}
	return t.partitions[part.Partition], t, nil
}

// syncAll fsyncs the partitions concurrently, each through its group
// committer, and returns the first error.
func syncAll(parts []*partition.Partition) error {
	if len(parts) == 1 {
		return parts[0].Sync()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	seen := make(map[*partition.Partition]bool, len(parts))
	for i, p := range parts {
		if seen[p] {
			continue
		}
		seen[p] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.Sync()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
