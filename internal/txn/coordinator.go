package txn

import (
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Kafka's defaults for the settings in Options.
const (
	DefaultMaxTimeout         = 15 * time.Minute   // transaction.max.timeout.ms
	DefaultAbortCheckInterval = 10 * time.Second   // transaction.abort.timed.out.transaction.cleanup.interval.ms
	DefaultIDExpiration       = 7 * 24 * time.Hour // transactional.id.expiration.ms
)

// Store persists transactional ids. Save returns once s is durable.
type Store interface {
	Save(s Snapshot) error
	Delete(id string) error
}

// Markers writes transaction markers: a commit or abort control batch of
// the producer to each partition, returning once all are durable. A
// partition that no longer exists is skipped.
type Markers interface {
	WriteMarkers(producerID int64, epoch int16, commit bool, partitions []TopicPartition) error
}

// Options configure a Coordinator. Zero durations take Kafka's defaults.
type Options struct {
	Store   Store
	Markers Markers
	// NewProducerID hands out producer ids never used before.
	NewProducerID func() (int64, error)
	// PartitionExists reports whether a partition exists, for
	// AddPartitionsToTxn's UNKNOWN_TOPIC_OR_PARTITION; nil accepts all.
	PartitionExists func(TopicPartition) bool
	Logger          *slog.Logger
	Now             func() time.Time

	MaxTimeout         time.Duration // transaction.max.timeout.ms: 15m
	AbortCheckInterval time.Duration // how often timed-out transactions are aborted: 10s
	IDExpiration       time.Duration // transactional.id.expiration.ms: 7 days

	// Loaded is the state Store held at start.
	Loaded []Snapshot
}

func (o *Options) ensureDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxTimeout <= 0 {
		o.MaxTimeout = DefaultMaxTimeout
	}
	if o.AbortCheckInterval <= 0 {
		o.AbortCheckInterval = DefaultAbortCheckInterval
	}
	if o.IDExpiration <= 0 {
		o.IDExpiration = DefaultIDExpiration
	}
}

// Coordinator coordinates every transactional id of the broker.
type Coordinator struct {
	opts Options
	lg   *slog.Logger

	mu    sync.Mutex
	txns  map[string]*txn
	byPID map[int64]*txn // the current producer id of each transactional id

	stop chan struct{}
	wg   sync.WaitGroup
}

// New starts a coordinator with the loaded state: transactions that were
// decided but not completed are completed now (or by the background loop
// if their markers cannot be written yet).
func New(opts Options) *Coordinator {
	opts.ensureDefaults()
	c := &Coordinator{
		opts: opts, lg: opts.Logger,
		txns: make(map[string]*txn), byPID: make(map[int64]*txn),
		stop: make(chan struct{}),
	}
	for _, s := range opts.Loaded {
		t := &txn{id: s.ID, lastEpoch: -1}
		t.restoreLocked(s)
		c.txns[s.ID], c.byPID[s.ProducerID] = t, t
	}
	c.completeDecided()
	c.wg.Add(1)
	go c.background()
	return c
}

// Close stops the background loop.
func (c *Coordinator) Close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.wg.Wait()
}

func (c *Coordinator) background() {
	defer c.wg.Done()
	tick := time.NewTicker(c.opts.AbortCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			c.completeDecided()
			c.abortTimedOut()
			c.expireIDs()
		}
	}
}

// all returns the transactions, for the background passes.
func (c *Coordinator) all() []*txn {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*txn, 0, len(c.txns))
	for _, t := range c.txns {
		out = append(out, t)
	}
	return out
}

// lookup returns the transactional id's state, locked, or nil.
func (c *Coordinator) lookup(id string) *txn {
	for {
		c.mu.Lock()
		t := c.txns[id]
		c.mu.Unlock()
		if t == nil {
			return nil
		}
		t.mu.Lock()
		if !t.removed {
			return t
		}
		t.mu.Unlock()
	}
}

// lookupOrCreate is lookup, creating an unpersisted Empty transactional id
// (producer id -1) if there is none.
func (c *Coordinator) lookupOrCreate(id string) *txn {
	for {
		c.mu.Lock()
		t := c.txns[id]
		if t == nil {
			t = &txn{id: id, pid: -1, epoch: -1, lastEpoch: -1, start: -1, prevPID: -1, nextPID: -1,
				partitions: make(map[TopicPartition]struct{})}
			c.txns[id] = t
		}
		c.mu.Unlock()
		t.mu.Lock()
		if !t.removed {
			return t
		}
		t.mu.Unlock()
	}
}

// removeLocked forgets t (expired, or created and never persisted).
func (c *Coordinator) removeLocked(t *txn) {
	t.removed = true
	c.mu.Lock()
	if c.txns[t.id] == t {
		delete(c.txns, t.id)
	}
	if c.byPID[t.pid] == t {
		delete(c.byPID, t.pid)
	}
	c.mu.Unlock()
}

// setPIDLocked gives t a producer id.
func (c *Coordinator) setPIDLocked(t *txn, pid int64) {
	c.mu.Lock()
	if c.byPID[t.pid] == t {
		delete(c.byPID, t.pid)
	}
	c.byPID[pid] = t
	c.mu.Unlock()
	t.pid = pid
}

// saveLocked persists t's state; on failure it restores prev and returns
// COORDINATOR_NOT_AVAILABLE, which clients retry.
func (c *Coordinator) saveLocked(t *txn, prev Snapshot) error {
	if err := c.opts.Store.Save(t.snapshotLocked()); err != nil {
		c.lg.Error("persisting transaction state failed", "transactional_id", t.id, "err", err)
		if prev.ProducerID != t.pid {
			c.setPIDLocked(t, prev.ProducerID)
		}
		t.restoreLocked(prev)
		return kerr.CoordinatorNotAvailable
	}
	return nil
}

func (c *Coordinator) nowMs() int64 { return c.opts.Now().UnixMilli() }

// errFenced is the answer to a producer whose epoch is not the current one.
var errFenced = kerr.ProducerFenced

// checkProducerLocked checks a request's producer id and epoch against t.
func checkProducerLocked(t *txn, pid int64, epoch int16) error {
	switch {
	case pid != t.pid:
		return kerr.InvalidProducerIDMapping
	case epoch != t.epoch:
		return errFenced
	}
	return nil
}
