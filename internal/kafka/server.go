package kafka

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/sasl"
)

// Options configure the Kafka front end.
type Options struct {
	Broker *broker.Broker
	Logger *slog.Logger
	// Listeners to bind, each with its security protocol; the first is
	// the one Addr and Advertised describe.
	Listeners []config.Listener
	// ScramCredentials backs SCRAM-SHA-256 and SCRAM-SHA-512; nil means
	// no listener may enable them.
	ScramCredentials sasl.ScramCredentials
}

// Server serves the Kafka protocol on its listeners.
type Server struct {
	b          *broker.Broker
	lg         *slog.Logger
	listeners  []*listener
	maxRequest int32
	idle       time.Duration // connections.max.idle.ms
	authDelay  time.Duration // connection.failed.authentication.delay.ms
	sessions   *fetchSessions

	// ctx parents every connection's context; Close cancels it so that
	// fetches parked in a long poll answer at once with what they have.
	ctx     context.Context
	cancel  context.CancelFunc
	closing atomic.Bool
	mu      sync.Mutex
	conns   map[*conn]struct{}
	wg      sync.WaitGroup
}

// Listen binds every listener; call Serve to accept connections.
func Listen(opts Options) (*Server, error) {
	if len(opts.Listeners) == 0 {
		return nil, errors.New("kafka: no listeners")
	}
	cfg := opts.Broker.Config()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		b: opts.Broker, lg: opts.Logger,
		maxRequest: cfg.SocketRequestMaxBytes(),
		idle:       cfg.ConnectionsMaxIdle(),
		authDelay:  cfg.FailedAuthenticationDelay(),
		sessions:   newFetchSessions(cfg.FetchSessionSlots()),
		ctx:        ctx, cancel: cancel,
		conns: make(map[*conn]struct{}),
	}
	for _, l := range opts.Listeners {
		bound, err := bindListener(cfg, l, opts.ScramCredentials, opts.Logger)
		if err != nil {
			s.closeListeners()
			cancel()
			return nil, err
		}
		s.listeners = append(s.listeners, bound)
	}
	return s, nil
}

func (s *Server) closeListeners() error {
	var errs []error
	for _, l := range s.listeners {
		if err := l.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Addr is the bound address of the first listener.
func (s *Server) Addr() net.Addr { return s.listeners[0].ln.Addr() }

// Advertised is the host:port the first listener's clients are told to
// connect to.
func (s *Server) Advertised() string { return s.listeners[0].advertised() }

// Listeners describes every listener, in configuration order.
func (s *Server) Listeners() []ListenerInfo {
	out := make([]ListenerInfo, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.info()
	}
	return out
}

// Serve accepts connections on every listener until Close.
func (s *Server) Serve() {
	var accepting sync.WaitGroup
	for _, l := range s.listeners {
		accepting.Add(1)
		go func() {
			defer accepting.Done()
			s.accept(l)
		}()
	}
	accepting.Wait()
}

func (s *Server) accept(l *listener) {
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if !s.closing.Load() {
				s.lg.Error("accept failed; listener stopped", "listener", l.name, "err", err)
			}
			return
		}
		c := newConn(s, l, nc)
		s.mu.Lock()
		if s.closing.Load() {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// Close stops accepting, lets every connection finish the requests it has
// read and write their responses, then closes the connections. ctx bounds
// the wait; when it ends connections are closed at once.
func (s *Server) Close(ctx context.Context) error {
	s.closing.Store(true)
	err := s.closeListeners()
	s.mu.Lock()
	for c := range s.conns {
		c.stopReading()
	}
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		<-done
	}
	return err
}
