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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/kafka"
	"github.com/samsa-streaming/samsa/internal/meta"
	"github.com/samsa-streaming/samsa/internal/metrics"
	"github.com/samsa-streaming/samsa/internal/sasl"
)

// Options configure an embedded broker. The zero value of each field
// means its documented default.
type Options struct {
	// DataDir holds all the broker's state. Default: log.dirs from Configs,
	// else "./samsa-data".
	DataDir string
	// Listen is the address of the PLAINTEXT listener: it replaces the
	// address of the PLAINTEXT entry of the listeners property, or adds
	// that listener (first) if there is none. Default: the listeners
	// property as it is, and "127.0.0.1:9092" if it is empty. Use
	// "127.0.0.1:0" for a free port (tests). Listeners with other security
	// protocols (SSL, SASL_PLAINTEXT, SASL_SSL) come from the listeners
	// property and the ssl.* and sasl.* properties in Configs.
	Listen string
	// Advertise is the host:port given to clients of the PLAINTEXT
	// listener. Default: its advertised.listeners entry, else its bound
	// address.
	Advertise string
	// ScramCredentials backs SCRAM-SHA-256 and SCRAM-SHA-512 on SASL
	// listeners. Default: the broker's own credentials, kept in the data
	// directory and managed with AlterUserScramCredentials (kafka-configs.sh
	// --alter --add-config 'SCRAM-SHA-256=[password=...]', kadm).
	ScramCredentials ScramCredentials
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

	listeners []config.Listener // resolved from Listen, Advertise and Configs
}

// ScramCredentials is where SCRAM users come from: Lookup(mechanism, user)
// with mechanism SCRAM-SHA-256 or SCRAM-SHA-512, safe for concurrent use.
type ScramCredentials = sasl.ScramCredentials

// ScramCredential is one user's salted SCRAM secret, as Kafka stores it.
type ScramCredential = sasl.ScramCredential

// brokerScram serves the broker's persisted credentials to SASL.
type brokerScram struct{ store *meta.Scram }

func (b brokerScram) Lookup(mechanism, user string) (ScramCredential, bool) {
	c, ok := b.store.Lookup(mechanism, user)
	return ScramCredential(c), ok
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
	if opts.listeners, err = resolveListeners(opts, cfg); err != nil {
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
	opts.Logger.Info("samsa started", "listeners", b.describeListeners(), "admin", b.AdminAddr(),
		"data_dir", opts.DataDir, "cluster_id", core.ClusterID(), "node_id", core.NodeID())
	return b, nil
}

func (b *Broker) listen(opts Options, m *metrics.Metrics) error {
	scram := opts.ScramCredentials
	if scram == nil {
		scram = brokerScram{b.core.ScramCredentials()}
	}
	var err error
	b.kafka, err = kafka.Listen(kafka.Options{Broker: b.core, Logger: opts.Logger,
		Listeners: opts.listeners, ScramCredentials: scram})
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
	return opts, nil
}

// resolveListeners applies Listen and Advertise to the listeners property.
func resolveListeners(opts Options, cfg *config.Broker) ([]config.Listener, error) {
	ls, err := cfg.Listeners()
	if err != nil {
		return nil, err
	}
	if opts.Listen == "" && len(ls) == 0 {
		opts.Listen = "127.0.0.1:9092"
	}
	i := slices.IndexFunc(ls, func(l config.Listener) bool { return l.Name == config.Plaintext })
	if opts.Listen != "" {
		// First, so that Addr and ListenAddr describe it.
		l := config.Listener{Name: config.Plaintext, Protocol: config.Plaintext}
		if i >= 0 {
			l = ls[i]
			ls = slices.Delete(ls, i, i+1)
		}
		l.Addr = opts.Listen
		ls, i = slices.Insert(ls, 0, l), 0
	}
	if opts.Advertise != "" {
		if i < 0 {
			return nil, errors.New("samsa: Advertise (--advertise) needs a PLAINTEXT listener")
		}
		ls[i].Advertised = opts.Advertise
	}
	return ls, nil
}

// Addr is the address clients should bootstrap from: the advertised
// address of the first listener (the PLAINTEXT one when Listen is set).
func (b *Broker) Addr() string { return b.kafka.Advertised() }

// ListenAddr is the address the first listener is bound to.
func (b *Broker) ListenAddr() string { return b.kafka.Addr().String() }

// ListenerAddr is the advertised address of the listener with the given
// name (e.g. "SASL_SSL"), or "" if there is none.
func (b *Broker) ListenerAddr(name string) string {
	for _, l := range b.kafka.Listeners() {
		if l.Name == strings.ToUpper(name) {
			return l.Advertised
		}
	}
	return ""
}

func (b *Broker) describeListeners() string {
	var parts []string
	for _, l := range b.kafka.Listeners() {
		parts = append(parts, l.Name+"://"+l.Addr.String()+" (advertised "+l.Advertised+", "+l.Protocol+")")
	}
	return strings.Join(parts, ", ")
}

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
