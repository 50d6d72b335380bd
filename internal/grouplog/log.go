package grouplog

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/group"
	"github.com/samsa-streaming/samsa/internal/logscan"
	"github.com/samsa-streaming/samsa/internal/partition"
)

// Partition is what Log needs of the __consumer_offsets partition;
// *partition.Partition is the implementation. Append takes one client-style
// batch (base offset 0, producer id -1) and gives nothing back to the
// caller; Sync returns once everything appended before it is on disk.
type Partition interface {
	logscan.Reader
	Append(b []byte, now time.Time) (partition.Appended, error)
	Sync() error
}

var (
	_ Partition   = (*partition.Partition)(nil)
	_ group.Store = (*Log)(nil)
)

// Log is a group.Store over a __consumer_offsets partition. Its methods are
// safe for concurrent use, and each returns after its records were appended
// and fsynced. Errors from the partition are wrapped, so errors.Is finds
// their kerr value (kerr.MessageTooLarge for a call over max.message.bytes).
type Log struct {
	p Partition

	// mu is held across each Append and the index update that follows, so
	// the index matches the log's order: a DeleteGroup cannot miss an offset
	// whose commit was appended before its tombstones. The partition
	// serializes appends anyway; Sync runs outside mu, so concurrent calls
	// share fsyncs.
	mu struct {
		sync.Mutex
		live    map[string]*liveKeys
		pending map[int64]pendingKeys // open transactions' offsets, by producer id
		seqs    map[int64]producerSeq // next sequence of each producer
	}
}

// liveKeys are a group's keys whose latest record is not a tombstone.
type liveKeys struct {
	meta     bool // GroupMetadata
	offsets  map[group.TopicPartition]struct{}
	consumer map[consumerKey]struct{}
}

func newLiveKeys() *liveKeys {
	return &liveKeys{offsets: make(map[group.TopicPartition]struct{}), consumer: make(map[consumerKey]struct{})}
}

func (k *liveKeys) empty() bool { return !k.meta && len(k.offsets) == 0 && len(k.consumer) == 0 }

// Open replays p and returns the Log writing to it and the state it holds.
// lg may be nil.
func Open(p Partition, lg *slog.Logger) (*Log, group.Loaded, error) {
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	r := newReplay(lg)
	if err := r.run(p); err != nil {
		return nil, group.Loaded{}, err
	}
	r.logSkipped()
	loaded := r.loaded()
	lg.Info("loaded consumer groups", "groups", len(loaded.Groups), "kip848_groups", len(loaded.ConsumerGroups), "groups_with_offsets", len(loaded.Offsets),
		"log_start_offset", p.LogStartOffset(), "high_watermark", p.HighWatermark(), "took", time.Since(start))
	l := &Log{p: p}
	l.mu.live, l.mu.pending, l.mu.seqs = r.live, r.pendingKeys(), r.seqs
	return l, loaded, nil
}

// CommitOffsets writes an OffsetCommit record for each offset; a later
// offset for the same partition in offsets wins. A nil Metadata is stored
// as "", as Kafka stores it.
func (l *Log) CommitOffsets(g string, offsets []group.Offset) error {
	if len(offsets) == 0 {
		return nil
	}
	if err := checkLen("group", g); err != nil {
		return err
	}
	size, largest := 0, 0
	for i := range offsets {
		if err := checkOffset(&offsets[i]); err != nil {
			return err
		}
		n := offsetRecordSize(g, &offsets[i])
		size += n
		largest = max(largest, n)
	}
	w := newBatchWriter(len(offsets), size, largest)
	for i := range offsets {
		w.scratch = appendOffsetKey(w.scratch[:0], g, offsets[i].TopicPartition)
		n := len(w.scratch)
		w.scratch = appendOffsetValue(w.scratch, &offsets[i])
		w.add(w.scratch[:n], w.scratch[n:])
	}
	l.mu.Lock()
	err := l.appendLocked(&w)
	if err == nil {
		k := l.keysLocked(g)
		for i := range offsets {
			k.offsets[offsets[i].TopicPartition] = struct{}{}
		}
	}
	l.mu.Unlock()
	return l.sync(err)
}

// DeleteOffsets writes a tombstone for each of partitions that has a
// committed offset in g.
func (l *Log) DeleteOffsets(g string, partitions []group.TopicPartition) error {
	l.mu.Lock()
	k := l.mu.live[g]
	var w batchWriter
	if k != nil {
		for _, tp := range partitions {
			if _, ok := k.offsets[tp]; ok {
				w.scratch = appendOffsetKey(w.scratch[:0], g, tp)
				w.add(w.scratch, nil)
			}
		}
	}
	var err error
	if w.n > 0 {
		if err = l.appendLocked(&w); err == nil {
			for _, tp := range partitions {
				delete(k.offsets, tp)
			}
			l.forgetIfEmptyLocked(g, k)
		}
	}
	l.mu.Unlock()
	// With nothing to write, Sync still waits for tombstones another call
	// appended but has not yet made durable.
	return l.sync(err)
}

// SaveGroup writes a GroupMetadata record for s, replacing the group's
// previous one. If the group has live consumer-group records (a consumer
// group downgraded), their tombstones come first, as Kafka writes them.
func (l *Log) SaveGroup(s group.GroupSnapshot) error {
	v, err := groupValue(&s)
	if err != nil {
		return err
	}
	l.mu.Lock()
	var w batchWriter
	k := l.mu.live[s.Group]
	if k != nil {
		addConsumerTombstones(&w, s.Group, k.consumer)
	}
	w.scratch = appendGroupKey(w.scratch[:0], s.Group)
	n := len(w.scratch)
	w.scratch = v.AppendTo(w.scratch)
	w.add(w.scratch[:n], w.scratch[n:])
	err = l.appendLocked(&w)
	if err == nil {
		k = l.keysLocked(s.Group)
		k.meta = true
		clear(k.consumer)
	}
	l.mu.Unlock()
	return l.sync(err)
}

// DeleteGroup writes a tombstone for the group's metadata, for each of its
// consumer-group records and for each of its committed offsets. The
// metadata tombstone is written even when no metadata is known, as Kafka
// writes it, so that a record replay could not decode is deleted too.
func (l *Log) DeleteGroup(g string) error {
	if err := checkLen("group", g); err != nil {
		return err
	}
	l.mu.Lock()
	var w batchWriter
	w.scratch = appendGroupKey(w.scratch, g)
	w.add(w.scratch, nil)
	if k := l.mu.live[g]; k != nil {
		addConsumerTombstones(&w, g, k.consumer)
		tps := make([]group.TopicPartition, 0, len(k.offsets))
		for tp := range k.offsets {
			tps = append(tps, tp)
		}
		slices.SortFunc(tps, compareTP) // a deterministic log, for tests and tools
		for _, tp := range tps {
			w.scratch = appendOffsetKey(w.scratch[:0], g, tp)
			w.add(w.scratch, nil)
		}
	}
	err := l.appendLocked(&w)
	if err == nil {
		delete(l.mu.live, g)
	}
	l.mu.Unlock()
	return l.sync(err)
}

func compareTP(a, b group.TopicPartition) int {
	return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
}

// keysLocked returns g's live keys, creating them.
func (l *Log) keysLocked(g string) *liveKeys {
	k := l.mu.live[g]
	if k == nil {
		k = newLiveKeys()
		l.mu.live[g] = k
	}
	return k
}

func (l *Log) forgetIfEmptyLocked(g string, k *liveKeys) {
	if k.empty() {
		delete(l.mu.live, g)
	}
}

// appendLocked seals w into a batch and appends it.
func (l *Log) appendLocked(w *batchWriter) error {
	return l.appendHeaderLocked(w, func(*batch.Header) {})
}

// appendHeaderLocked is appendLocked with the batch header adjusted by set
// (transactional batches).
func (l *Log) appendHeaderLocked(w *batchWriter, set func(*batch.Header)) error {
	now := time.Now()
	b, err := w.seal(now.UnixMilli(), set)
	if err != nil {
		return fmt.Errorf("grouplog: build batch: %w", err)
	}
	if _, err := l.p.Append(b, now); err != nil {
		return fmt.Errorf("grouplog: append %d records (%d bytes): %w", w.n, len(b), err)
	}
	return nil
}

// sync returns err, or waits for the fsync covering the caller's append.
func (l *Log) sync(err error) error {
	if err != nil {
		return err
	}
	if err := l.p.Sync(); err != nil {
		return fmt.Errorf("grouplog: sync: %w", err)
	}
	return nil
}

// batchWriter encodes records straight into the records section of one
// uncompressed batch. batch.Build would take the same records but grow its
// buffer record by record; CommitOffsets knows the size up front.
type batchWriter struct {
	raw     []byte // encoded records
	scratch []byte // the key and value of the record being added
	n       int32
}

// recordOverhead bounds a record's framing besides its key and value: the
// varints of its length, offset delta and value length (5 bytes each), of
// its key length (3: keys are under 64 KiB), and a byte each for attributes,
// timestamp delta and header count.
const recordOverhead = 5 + 5 + 5 + 3 + 3

// newBatchWriter sizes, in one allocation, the records section for records
// whose keys and values add up to keysAndValues bytes and the scratch space
// for the largest key and value, maxRecord bytes.
func newBatchWriter(records, keysAndValues, maxRecord int) batchWriter {
	n := keysAndValues + records*recordOverhead
	buf := make([]byte, n+maxRecord)
	return batchWriter{raw: buf[:0:n], scratch: buf[n:n]}
}

// add appends a record; a nil value is a tombstone. key and value may alias
// w.scratch.
func (w *batchWriter) add(key, value []byte) {
	w.raw = batch.AppendRecord(w.raw, batch.Record{OffsetDelta: w.n, Key: key, Value: value})
	w.n++
}

// seal returns the batch as a non-idempotent client would send it, every
// record stamped ms: the header batch.Build computes for these records.
func (w *batchWriter) seal(ms int64, set func(*batch.Header)) ([]byte, error) {
	h := batch.Header{
		Magic:           2,
		LastOffsetDelta: w.n - 1,
		BaseTimestamp:   ms,
		MaxTimestamp:    ms,
		ProducerID:      -1,
		ProducerEpoch:   -1,
		BaseSequence:    -1,
		NumRecords:      w.n,
	}
	set(&h)
	return batch.Seal(h, w.raw)
}
