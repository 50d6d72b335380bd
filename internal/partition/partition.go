package partition

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// Config is what a partition needs from its topic's configuration.
type Config struct {
	LogAppendTime   bool
	MaxMessageBytes int32
	// ProducerIDExpirationMs is how long an idempotent producer's state is
	// kept after its last batch (producer.id.expiration.ms); 0 means
	// Kafka's default, a day.
	ProducerIDExpirationMs int64
	// Compact: cleanup.policy includes compact. The cleaner (Clean) keeps
	// the latest record of each key, and Append refuses records without a
	// key, as Kafka does.
	Compact    bool
	Compaction Compaction
	Log        commitlog.Config
}

// Partition is one partition of a topic.
type Partition struct {
	Topic string
	Index int32

	dir string
	log *commitlog.Log
	lg  *slog.Logger
	cfg atomic.Pointer[Config]

	appendMu  sync.Mutex // serializes appends so offsets stay dense; guards the fields below
	producers producers
	ongoing   ongoingTxns
	index     *txnIndex // aborted transactions; see txnindex.go for its own locks
	closed    bool      // Close or Delete ran
	snapBase  int64     // active segment base when the last snapshot was considered
	hwm       atomic.Int64
	lso       atomic.Int64 // last stable offset, stored after hwm so that lso <= hwm
	dirty     atomic.Bool  // appended since the last fsync

	flusher flusher
	waiters waiters
	cleaner cleanerState
}

// Open opens (recovering if needed) the partition's log in dir.
func Open(dir, topic string, index int32, cfg Config, lg *slog.Logger) (*Partition, error) {
	lg = lg.With("topic", topic, "partition", index)
	log, err := commitlog.Open(dir, cfg.Log, lg)
	if err != nil {
		return nil, err
	}
	p := &Partition{Topic: topic, Index: index, dir: dir, log: log, lg: lg, snapBase: log.ActiveSegmentBase()}
	if err := p.loadState(dir); err != nil {
		log.Close()
		return nil, err
	}
	p.cfg.Store(&cfg)
	p.loadCleanCheckpoint()
	p.hwm.Store(log.EndOffset())
	p.updateLastStableLocked()
	p.flusher.log, p.flusher.index = log, p.index
	return p, nil
}

// SetConfig applies a changed topic configuration to the live partition.
func (p *Partition) SetConfig(cfg Config) error {
	p.cfg.Store(&cfg)
	return p.log.SetConfig(cfg.Log)
}

// Appended describes a successful append.
type Appended struct {
	BaseOffset    int64
	LogAppendTime int64 // -1 unless the topic uses LogAppendTime
	// Duplicate reports an idempotent producer's retry of a batch already
	// in the log: nothing was appended and BaseOffset is the original's.
	Duplicate bool
}

// Append validates one client batch and appends it, returning its offsets.
// The batch's broker-owned fields are set in place; the caller gives up b.
// Errors are kerr values (wrapped) fit for the client. A batch of an
// idempotent producer is checked against the producer's state first (see
// producers.check); a retried one is answered as Duplicate. A transactional
// batch from a producer without an ongoing transaction here begins one,
// which holds the last stable offset at the batch's base offset until its
// marker (AppendMarker).
func (p *Partition) Append(b []byte, now time.Time) (Appended, error) {
	cfg := p.cfg.Load()
	if len(b) > int(cfg.MaxMessageBytes) {
		return Appended{}, fmt.Errorf("partition: batch of %d bytes over max.message.bytes %d: %w",
			len(b), cfg.MaxMessageBytes, kerr.MessageTooLarge)
	}
	var info batch.Info
	h, err := batch.ValidateInfo(b, &info)
	if err != nil {
		return Appended{}, err
	}
	if cfg.Compact && info.NullKeys > 0 {
		return Appended{}, fmt.Errorf("partition: compacted topic cannot accept message without key in topic partition %s-%d: %w",
			p.Topic, p.Index, kerr.InvalidRecord)
	}
	res := Appended{LogAppendTime: -1}
	if cfg.LogAppendTime {
		res.LogAppendTime = now.UnixMilli()
		batch.SetLogAppendTime(b, res.LogAppendTime)
		h.MaxTimestamp = res.LogAppendTime
	}
	batch.SetPartitionLeaderEpoch(b, 0)

	p.appendMu.Lock()
	if h.ProducerID >= 0 {
		dup, isDup, err := p.producers.check(h)
		if err != nil || isDup {
			p.appendMu.Unlock()
			return duplicateOrError(cfg, dup, err)
		}
	}
	res.BaseOffset, err = p.appendLocked(b)
	if err == nil {
		if h.ProducerID >= 0 && p.producers.update(h, res.BaseOffset) {
			p.ongoing.add(h.ProducerID, res.BaseOffset)
		}
		p.updateLastStableLocked()
	}
	p.appendMu.Unlock()
	if err != nil {
		return Appended{}, err
	}
	p.waiters.wakeAll()
	return res, nil
}

// appendLocked writes the batch b at the log end and moves the high
// watermark; the caller then updates the producer state and the last
// stable offset.
func (p *Partition) appendLocked(b []byte) (int64, error) {
	base := p.log.EndOffset()
	batch.SetBaseOffset(b, base)
	if _, err := p.log.Append(b); err != nil {
		p.lg.Error("append failed", "err", err)
		return -1, fmt.Errorf("partition: %v: %w", err, kerr.KafkaStorageError)
	}
	p.hwm.Store(p.log.EndOffset())
	p.dirty.Store(true)
	p.snapshotOnRollLocked(base)
	return base, nil
}

func duplicateOrError(cfg *Config, dup batchMeta, err error) (Appended, error) {
	if err != nil {
		return Appended{}, err
	}
	res := Appended{BaseOffset: dup.FirstOffset, LogAppendTime: -1, Duplicate: true}
	if cfg.LogAppendTime {
		res.LogAppendTime = dup.Timestamp
	}
	return res, nil
}

// snapshotOnRollLocked writes a producer state snapshot when the append of
// the batch at base rolled the log, with the state before that batch, so
// that recovery after a crash replays at most the active segment.
func (p *Partition) snapshotOnRollLocked(base int64) {
	active := p.log.ActiveSegmentBase()
	if active == p.snapBase {
		return
	}
	p.snapBase = active
	if active != base {
		return
	}
	if err := writeSnapshot(p.dir, base, p.snapshotLocked(), false); err != nil {
		p.lg.Warn("producer state snapshot failed; recovery will replay more", "err", err)
		return
	}
	pruneSnapshots(p.dir)
}

func (p *Partition) snapshotLocked() snapshot {
	return snapshot{producers: p.producers, abortedUpTo: p.index.newest()}
}

// Sync returns once everything appended before the call is on disk, the
// aborted transaction index included. Many concurrent callers share one
// fsync.
func (p *Partition) Sync() error {
	return p.flusher.sync()
}

// FlushIfDirty fsyncs the log if anything was appended since the last
// fsync; the background flusher calls it for acks=0/1 data.
func (p *Partition) FlushIfDirty() error {
	// Cleared before the fsync: an append racing with it sets the flag
	// again, so at worst the next tick fsyncs once more than needed.
	if !p.dirty.Swap(false) {
		return nil
	}
	if err := p.Sync(); err != nil {
		p.dirty.Store(true)
		return err
	}
	return nil
}

// HighWatermark is the offset consumers can read up to (exclusive).
func (p *Partition) HighWatermark() int64 { return p.hwm.Load() }

// LogStartOffset is the first offset still in the log.
func (p *Partition) LogStartOffset() int64 { return p.log.StartOffset() }

// Size is the log's size in bytes.
func (p *Partition) Size() int64 { return p.log.Size() }

// ApplyRetention deletes segments past the topic's retention, with the
// aborted transactions whose markers they held, and expires idle producers.
func (p *Partition) ApplyRetention(now time.Time) error {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	n, err := p.log.ApplyRetention(now)
	if n > 0 {
		p.lg.Info("retention deleted segments", "segments", n, "log_start_offset", p.log.StartOffset())
	}
	return errors.Join(err, p.afterStartMovedLocked(now))
}

// afterStartMovedLocked drops the state below the log start offset once
// retention or DeleteRecords moved it: aborted transactions whose markers
// are gone, and producers with no batch left (or idle too long).
func (p *Partition) afterStartMovedLocked(now time.Time) error {
	start := p.log.StartOffset()
	err := p.index.prune(start)
	if err != nil {
		p.lg.Warn("pruning the aborted transaction index failed", "err", err)
	}
	p.updateLastStableLocked()
	expiry := cmp.Or(p.cfg.Load().ProducerIDExpirationMs, defaultProducerIDExpirationMs)
	if gone := p.producers.expire(now.UnixMilli(), expiry, start); gone > 0 {
		p.lg.Info("expired idempotent producer state", "producers", gone)
	}
	return err
}

// Close fsyncs and closes the log and the aborted transaction index, then
// saves the producer state so that the next Open need not replay the log.
func (p *Partition) Close() error {
	p.stopCleaning()
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	p.waiters.wakeAll()
	if p.closed {
		return nil
	}
	p.closed = true
	end := p.log.EndOffset()
	if err := p.log.Close(); err != nil {
		p.index.closeFile()
		return err
	}
	if err := p.index.close(); err != nil {
		return err
	}
	if err := writeSnapshot(p.dir, end, p.snapshotLocked(), true); err != nil {
		return err
	}
	pruneSnapshots(p.dir)
	return nil
}

// Delete closes the log and removes its files.
func (p *Partition) Delete() error {
	p.stopCleaning()
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	p.waiters.wakeAll()
	p.closed = true
	p.index.closeFile()
	return p.log.Delete()
}
