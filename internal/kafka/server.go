package kafka

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// Options configure the Kafka front end.
type Options struct {
	Broker *broker.Broker
	Logger *slog.Logger
	// Advertised is the host:port given to clients in Metadata; empty means
	// the listener's own address.
	Advertised string
}

// Server serves the Kafka protocol on one listener.
type Server struct {
	b          *broker.Broker
	lg         *slog.Logger
	ln         net.Listener
	host       string // advertised
	port       int32
	maxRequest int32
	idle       time.Duration // connections.max.idle.ms
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

// Listen binds addr; call Serve to accept connections.
func Listen(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	adv := opts.Advertised
	if adv == "" {
		adv = ln.Addr().String()
	}
	host, portStr, err := net.SplitHostPort(adv)
	if err != nil {
		ln.Close()
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	cfg := opts.Broker.Config()
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		b: opts.Broker, lg: opts.Logger, ln: ln, host: host, port: int32(port),
		maxRequest: cfg.SocketRequestMaxBytes(),
		idle:       cfg.ConnectionsMaxIdle(),
		sessions:   newFetchSessions(cfg.FetchSessionSlots()),
		ctx:        ctx, cancel: cancel,
		conns: make(map[*conn]struct{}),
	}, nil
}

// Addr is the bound listener address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Advertised is the host:port clients are told to connect to.
func (s *Server) Advertised() string {
	return net.JoinHostPort(s.host, strconv.Itoa(int(s.port)))
}

// Serve accepts connections until Close.
func (s *Server) Serve() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if !s.closing.Load() {
				s.lg.Error("accept failed; listener stopped", "err", err)
			}
			return
		}
		c := newConn(s, nc)
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
	err := s.ln.Close()
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
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
