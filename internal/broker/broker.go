// Package broker is the core every front end calls: topics, produce, fetch
// and offsets, with validation and metrics done here once. Front ends
// translate their wire types to these calls and back; none touches storage.
package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/group"
	"github.com/samsa-streaming/samsa/internal/meta"
	"github.com/samsa-streaming/samsa/internal/metrics"
	"github.com/samsa-streaming/samsa/internal/txn"
)

// Options configure a broker core.
type Options struct {
	DataDir string
	Config  *config.Broker
	Logger  *slog.Logger     // nil discards
	Metrics *metrics.Metrics // nil creates a private set
	Now     func() time.Time // nil is time.Now
}

// Broker is the broker core of one node.
type Broker struct {
	cfg     *config.Broker
	dataDir string
	lg      *slog.Logger
	metrics *metrics.Metrics
	now     func() time.Time

	lock   *meta.Lock
	meta   *meta.Store
	quotas *meta.Quotas    // client quotas, enforced with rates
	rates  *quotaRates     // measured client byte rates (quotaenforce_rates.go)
	dyn    *dynamicConfigs // dynamic broker configs; see configs.go
	sec    security        // authorizer, ACLs, SCRAM credentials; see acl.go

	mu     sync.RWMutex // guards topics and ids; not held during I/O on partitions
	topics map[string]*topic
	ids    map[[16]byte]*topic

	groups     *group.Coordinator
	groupStore *groupStore

	producerIDs producerIDs
	txns        *txn.Coordinator

	closed atomic.Bool
	stop   chan struct{}
	bg     sync.WaitGroup
}

// Open locks the data directory, loads metadata and every partition log
// (recovering them after a crash), and starts background flushing and
// retention.
func Open(opts Options) (*Broker, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	lock, err := meta.LockDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	b := &Broker{
		cfg: opts.Config, dataDir: opts.DataDir, lg: opts.Logger, metrics: opts.Metrics, now: opts.Now,
		lock: lock, topics: make(map[string]*topic), ids: make(map[[16]byte]*topic), stop: make(chan struct{}),
	}
	if err := b.load(); err != nil {
		b.closeTopics()
		lock.Release()
		return nil, err
	}
	if err := b.compactInternalTopics(); err != nil {
		b.closeTopics()
		lock.Release()
		return nil, fmt.Errorf("broker: compacting internal topics: %w", err)
	}
	if err := b.openGroups(); err != nil {
		b.closeTopics()
		lock.Release()
		return nil, fmt.Errorf("broker: loading consumer groups: %w", err)
	}
	if err := b.openTransactions(); err != nil {
		b.groups.Close()
		b.closeTopics()
		lock.Release()
		return nil, fmt.Errorf("broker: loading transactions: %w", err)
	}
	b.startBackground()
	return b, nil
}

func (b *Broker) load() error {
	store, err := meta.Open(b.dataDir, b.cfg.NodeID())
	if err != nil {
		return err
	}
	b.meta = store
	if b.quotas, err = meta.OpenQuotas(b.dataDir); err != nil {
		return err
	}
	b.rates = b.newQuotaRates()
	if err := b.loadDynamicConfigs(); err != nil {
		return err
	}
	if err := b.openSecurity(); err != nil {
		return err
	}
	b.removeDeletedDirs()
	for _, mt := range store.Topics() {
		t, err := b.openTopic(mt)
		if err != nil {
			return fmt.Errorf("broker: opening topic %s: %w", mt.Name, err)
		}
		b.topics[t.name] = t
		b.ids[t.id] = t
	}
	b.lg.Info("metadata loaded", "cluster_id", store.ClusterID(), "topics", len(b.topics))
	return nil
}

// removeDeletedDirs finishes deletions a crash interrupted: deleted topics'
// partition directories are renamed with a -delete suffix first.
func (b *Broker) removeDeletedDirs() {
	entries, _ := os.ReadDir(b.dataDir)
	for _, e := range entries {
		if e.IsDir() && strings.HasSuffix(e.Name(), deletedSuffix) {
			os.RemoveAll(filepath.Join(b.dataDir, e.Name()))
		}
	}
}

// ClusterID is the persisted cluster id.
func (b *Broker) ClusterID() string { return b.meta.ClusterID() }

// NodeID is this broker's node id.
func (b *Broker) NodeID() int32 { return b.cfg.NodeID() }

// Config is the broker configuration.
func (b *Broker) Config() *config.Broker { return b.cfg }

// Metrics is the broker's metrics set.
func (b *Broker) Metrics() *metrics.Metrics { return b.metrics }

// Close stops background work, fsyncs and closes every partition and releases
// the data directory. In-flight calls must have finished.
func (b *Broker) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	close(b.stop)
	b.bg.Wait()
	b.txns.Close()
	b.groups.Close()
	err := b.closeTopics()
	return errors.Join(err, b.lock.Release())
}

func (b *Broker) closeTopics() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for _, t := range b.topics {
		for _, p := range t.partitions {
			errs = append(errs, p.Close())
		}
	}
	return errors.Join(errs...)
}
