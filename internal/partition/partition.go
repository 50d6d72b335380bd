package partition

import (
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
	Log             commitlog.Config
}

// Partition is one partition of a topic.
type Partition struct {
	Topic string
	Index int32

	log *commitlog.Log
	lg  *slog.Logger
	cfg atomic.Pointer[Config]

	appendMu sync.Mutex // serializes appends so offsets stay dense
	hwm      atomic.Int64
	dirty    atomic.Bool // appended since the last fsync

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
	p := &Partition{Topic: topic, Index: index, log: log, lg: lg}
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
}

// Append validates one client batch and appends it, returning its offsets.
// The batch's broker-owned fields are set in place; the caller gives up b.
// Errors are kerr values (wrapped) fit for the client.
func (p *Partition) Append(b []byte, now time.Time) (Appended, error) {
	cfg := p.cfg.Load()
	if len(b) > int(cfg.MaxMessageBytes) {
		return Appended{}, fmt.Errorf("partition: batch of %d bytes over max.message.bytes %d: %w",
			len(b), cfg.MaxMessageBytes, kerr.MessageTooLarge)
	}
	if _, err := batch.Validate(b); err != nil {
		return Appended{}, err
	}
	res := Appended{LogAppendTime: -1}
	if cfg.LogAppendTime {
		res.LogAppendTime = now.UnixMilli()
		batch.SetLogAppendTime(b, res.LogAppendTime)
	}
	batch.SetPartitionLeaderEpoch(b, 0)

	p.appendMu.Lock()
	res.BaseOffset = p.log.EndOffset()
	batch.SetBaseOffset(b, res.BaseOffset)
	_, err := p.log.Append(b)
	if err == nil {
		p.hwm.Store(p.log.EndOffset())
		p.dirty.Store(true)
	}
	p.appendMu.Unlock()
	if err != nil {
		p.lg.Error("append failed", "err", err)
		return Appended{}, fmt.Errorf("partition: %v: %w", err, kerr.KafkaStorageError)
	}
	p.waiters.wakeAll()
	return res, nil
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
	return err
}

// Close fsyncs and closes the log.
func (p *Partition) Close() error {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	p.waiters.wakeAll()
	return p.log.Close()
}

// Delete closes the log and removes its files.
func (p *Partition) Delete() error {
	p.appendMu.Lock()
	defer p.appendMu.Unlock()
	p.waiters.wakeAll()
	return p.log.Delete()
}
