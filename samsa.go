// Package samsa embeds a Samsa broker: a Kafka-compatible streaming broker
// that any Kafka client can produce to and consume from.
//
//	b, err := samsa.Start(ctx, samsa.Options{DataDir: dir, Listen: "127.0.0.1:0"})
//	...
//	client, _ := kgo.NewClient(kgo.SeedBrokers(b.Addr()))
//	...
//	b.Close()
//
// The `samsa serve` command runs the same broker.
package samsa

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/kafka"
	"github.com/samsa-streaming/samsa/internal/metrics"
)

// Options configure an embedded broker. The zero value of each field
// means its documented default.
type Options struct {
	// DataDir holds all the broker's state. Default: log.dirs from Configs,
	// else "./samsa-data".
	DataDir string
	// Listen is the Kafka listener address. Default: the PLAINTEXT entry of
	// the listeners property, else "127.0.0.1:9092". Use "127.0.0.1:0" for
	// a free port (tests).
	Listen string
	// Advertise is the host:port given to clients. Default: the PLAINTEXT
	// entry of advertised.listeners, else the bound listener address.
	Advertise string
	// AdminListen serves /metrics and /healthz over HTTP. Default: off.
	// (`samsa serve` turns it on at 127.0.0.1:9644.)
	AdminListen string
	// Configs are broker properties under Apache Kafka's names
	// (num.partitions, log.retention.ms, ...). Unknown names are an error.
	Configs map[string]string
	// Logger receives the broker's logs. Default: discard.
	Logger *slog.Logger
	// ShutdownTimeout bounds how long Close waits for in-flight requests.
	// Default: 10s.
	ShutdownTimeout time.Duration
}

// Broker is a running broker.
type Broker struct {
	core    *broker.Broker
	kafka   *kafka.Server
	admin   *metrics.Server
	lg      *slog.Logger
	timeout time.Duration
	served  chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Start opens the data directory (recovering it after a crash), binds the
// listeners and starts serving. ctx bounds start-up only.
func Start(ctx context.Context, opts Options) (*Broker, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg, err := config.NewBroker(opts.Configs)
	if err != nil {
		return nil, err
	}
	opts, err = resolve(opts, cfg)
	if err != nil {
		return nil, err
	}
	for _, name := range cfg.Ignored {
		opts.Logger.Warn("ignoring Kafka property that does not apply to a single-node broker", "property", name)
	}
	m := metrics.New()
	core, err := broker.Open(broker.Options{DataDir: opts.DataDir, Config: cfg, Logger: opts.Logger, Metrics: m})
	if err != nil {
		return nil, err
	}
	b := &Broker{core: core, lg: opts.Logger, timeout: opts.ShutdownTimeout, served: make(chan struct{})}
	if err := b.listen(opts, m); err != nil {
		core.Close()
		return nil, err
	}
	go func() {
		b.kafka.Serve()
		close(b.served)
	}()
	opts.Logger.Info("samsa started", "kafka", b.kafka.Addr().String(), "advertised", b.kafka.Advertised(),
		"admin", b.AdminAddr(), "data_dir", opts.DataDir, "cluster_id", core.ClusterID(), "node_id", core.NodeID())
	return b, nil
}

func (b *Broker) listen(opts Options, m *metrics.Metrics) error {
	var err error
	b.kafka, err = kafka.Listen(opts.Listen, kafka.Options{Broker: b.core, Logger: opts.Logger, Advertised: opts.Advertise})
	if err != nil {
		return fmt.Errorf("samsa: kafka listener: %w", err)
	}
	if opts.AdminListen == "" {
		return nil
	}
	b.admin, err = metrics.Serve(opts.AdminListen, m, func() bool { return true }, opts.Logger)
	if err != nil {
		b.kafka.Close(context.Background())
		return fmt.Errorf("samsa: admin listener: %w", err)
	}
	return nil
}

// resolve fills in defaults from the Kafka properties and Samsa's own.
func resolve(opts Options, cfg *config.Broker) (Options, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.DataDir == "" {
		opts.DataDir = cfg.DataDir()
	}
	if opts.DataDir == "" {
		opts.DataDir = "./samsa-data"
	}
	var err error
	if opts.Listen == "" {
		if opts.Listen, err = cfg.PlaintextListener("listeners"); err != nil {
			return opts, err
		}
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:9092"
	}
	if opts.Advertise == "" {
		if opts.Advertise, err = cfg.PlaintextListener("advertised.listeners"); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// Addr is the address clients should bootstrap from (the advertised one).
func (b *Broker) Addr() string { return b.kafka.Advertised() }

// ListenAddr is the address the Kafka listener is bound to.
func (b *Broker) ListenAddr() string { return b.kafka.Addr().String() }

// AdminAddr is the admin HTTP address, or "" when it is off.
func (b *Broker) AdminAddr() string {
	if b.admin == nil {
		return ""
	}
	return b.admin.Addr()
}

// ClusterID is the cluster id persisted in the data directory.
func (b *Broker) ClusterID() string { return b.core.ClusterID() }

// Close shuts down gracefully: stop accepting, answer the requests already
// read, fsync and close every log, release the data directory.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		defer cancel()
		errs := []error{b.kafka.Close(ctx)}
		<-b.served
		if b.admin != nil {
			errs = append(errs, b.admin.Close())
		}
		errs = append(errs, b.core.Close())
		b.closeErr = errors.Join(errs...)
		b.lg.Info("samsa stopped", "err", b.closeErr)
	})
	return b.closeErr
}
