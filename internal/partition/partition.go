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
	Log                    commitlog.Config
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
	closed    bool  // Close or Delete ran
	snapBase  int64 // active segment base when the last snapshot was considered
	hwm       atomic.Int64
	dirty     atomic.Bool // appended since the last fsync

	flusher flusher
	waiters waiters
}

// Open opens (recovering if needed) the partition's log in dir.
func Open(dir, topic string, index int32, cfg Config, lg *slog.Logger) (*Partition, error) {
	lg = lg.With("topic", topic, "partition", index)
	log, err := commitlog.Open(dir, cfg.Log, lg)
	if err != nil {
		return nil, err
	}
	p := &Partition{Topic: topic, Index: index, dir: dir, log: log, lg: lg, snapBase: log.ActiveSegmentBase()}
	if err := p.loadProducers(dir); err != nil {
		log.Close()
		return nil, err
	}
	p.cfg.Store(&cfg)
	p.hwm.Store(log.EndOffset())
	p.flusher.log = log
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
// producers.check); a retried one is answered as Duplicate.
func (p *Partition) Append(b []byte, now time.Time) (Appended, error) {
	cfg := p.cfg.Load()
	if len(b) > int(cfg.MaxMessageBytes) {
		return Appended{}, fmt.Errorf("partition: batch of %d bytes over max.message.bytes %d: %w",
			len(b), cfg.MaxMessageBytes, kerr.MessageTooLarge)
	}
	h, err := batch.Validate(b)
	if err != nil {
		return Appended{}, err
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
	res.BaseOffset = p.log.EndOffset()
	batch.SetBaseOffset(b, res.BaseOffset)
	_, err = p.log.Append(b)
	if err == nil {
		p.hwm.Store(p.log.EndOffset())
		p.dirty.Store(true)
		p.snapshotOnRollLocked(res.BaseOffset)
		if h.ProducerID >= 0 {
			p.producers.update(h, res.BaseOffset)
		}
	}
	p.appendMu.Unlock()
	if err != nil {
		p.lg.Error("append failed", "err", err)
		return Appended{}, fmt.Errorf("partition: %v: %w", err, kerr.KafkaStorageError)
	}
	p.waiters.wakeAll()
	return res, nil
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
	if err := writeSnapshot(p.dir, base, p.producers, false); err != nil {
		p.lg.Warn("producer state snapshot failed; recovery will replay more", "err", err)
		return
	}
	pruneSnapshots(p.dir)
}

// Sync returns once everything appended before the call is on disk. Many
// concurrent callers share one fsync.
func (p *Partition) Sync() error {
	return p.flusher.sync()
}

// FlushIfDirty fsyncs the log if anything was appended since the last
// fsync; the background flusher calls it for acks=0/1 data.
func (p *Partition) FlushIfDirty() error {
	if !p.dirty.Load() {
		return nil
	}
	return p.Sync()
}

// HighWatermark is the offset consumers can read up to (exclusive).
func (p *Partition) HighWatermark() int64 { return p.hwm.Load() }

// LogStartOffset is the first offset still in the log.
func (p *Partition) LogStartOffset() int64 { return p.log.StartOffset() }

// Size is the log's size in bytes.
func (p *Partition) Size() int64 { return p.log.Size() }

// Read returns whole batches from offset up to maxBytes (at least one batch)
// below the high watermark. The caller must Release the chunk.
func (p *Partition) Read(offset int64, maxBytes int) (commitlog.Chunk, error) {
	hwm := p.hwm.Load()
	if offset > hwm {
		return commitlog.Chunk{}, kerr.OffsetOutOfRange
	}
	c, err := p.log.Read(offset, maxBytes, hwm)
	if errors.Is(err, commitlog.ErrOffsetOutOfRange) {
		return commitlog.Chunk{}, kerr.OffsetOutOfRange
	}
	if err != nil {
		p.lg.Error("read failed", "offset", offset, "err", err)
		return commitlog.Chunk{}, kerr.KafkaStorageError
	}
	return c, nil
}

// ApplyRetention deletes segments past the topic's retention.
func (p *Partition) ApplyRetention(now time.Time) error {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	n, err := p.log.ApplyRetention(now)
	if n > 0 {
		p.lg.Info("retention deleted segments", "segments", n, "log_start_offset", p.log.StartOffset())
	}
	expiry := cmp.Or(p.cfg.Load().ProducerIDExpirationMs, defaultProducerIDExpirationMs)
	if gone := p.producers.expire(now.UnixMilli(), expiry, p.log.StartOffset()); gone > 0 {
		p.lg.Info("expired idempotent producer state", "producers", gone)
	}
	return err
}

// Close fsyncs and closes the log, then saves the producer state so that
// the next Open need not replay the log.
func (p *Partition) Close() error {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	p.waiters.wakeAll()
	if p.closed {
		return nil
	}
	p.closed = true
	end := p.log.EndOffset()
	if err := p.log.Close(); err != nil {
		return err
	}
	if err := writeSnapshot(p.dir, end, p.producers, true); err != nil {
		return err
	}
	pruneSnapshots(p.dir)
	return nil
}

// Delete closes the log and removes its files.
func (p *Partition) Delete() error {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	p.waiters.wakeAll()
	p.closed = true
	return p.log.Delete()
}
