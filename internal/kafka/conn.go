package kafka

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// maxInFlight bounds the requests one connection may have read but not yet
// answered; the reader stops reading until the writer catches up.
const maxInFlight = 64

type conn struct {
	s   *Server
	l   *listener
	nc  net.Conn // a *tls.Conn on TLS listeners
	lg  *slog.Logger
	ctx context.Context // cancelled when the connection ends

	who  atomic.Pointer[auth.Principal] // see principal (sasl.go)
	sasl *saslConn                      // nil unless the listener is SASL_*

	queue    chan *slot
	stopping atomic.Bool
	throttle connThrottle // quota mute, see throttle.go
}

func newConn(s *Server, l *listener, nc net.Conn) *conn {
	c := &conn{
		s: s, l: l, nc: nc,
		lg:    s.lg.With("remote", nc.RemoteAddr().String()),
		queue: make(chan *slot, maxInFlight),
	}
	if l.tls != nil {
		// Wrapped now, the handshake runs in serve: Close may close
		// c.nc at any time, so it is never replaced.
		c.nc = tls.Server(nc, l.tls.Config())
	}
	if l.sasl != nil {
		c.sasl = &saslConn{l: l.sasl}
	}
	c.setPrincipal(auth.Anonymous)
	return c
}

// stopReading makes the reader stop after the request it is reading (a
// graceful shutdown); blocked reads are woken by an expired deadline.
func (c *conn) stopReading() {
	c.stopping.Store(true)
	c.nc.SetReadDeadline(time.Now())
}

func (c *conn) serve() {
	if !c.handshake() {
		c.nc.Close()
		return
	}
	ctx, cancel := context.WithCancel(c.s.ctx)
	c.ctx = ctx
	writerDone := make(chan struct{})
	go func() {
		c.writeLoop()
		cancel()
		close(writerDone)
	}()
	c.readLoop()
	close(c.queue)
	<-writerDone
	cancel()
	c.nc.Close()
}

func (c *conn) readLoop() {
	br := bufio.NewReaderSize(c.nc, 64*1024)
	for {
		// The deadline closes idle connections; set before checking
		// stopping so that stopReading's own deadline always wins.
		c.nc.SetReadDeadline(time.Now().Add(c.s.idle))
		if c.stopping.Load() {
			return
		}
		frame, err := c.readFrame(br)
		if err != nil {
			c.logReadError(err)
			return
		}
		c.awaitUnmute() // quotas (throttle.go): a throttled connection handles nothing until its mute ends (KIP-219)
		if !c.handleFrame(frame) {
			return
		}
		if c.ctx.Err() != nil {
			return
		}
	}
}

// readFrame reads one size-prefixed request, checking the size before
// allocating for it.
func (c *conn) readFrame(br *bufio.Reader) ([]byte, error) {
	var sizeBuf [4]byte
	if _, err := io.ReadFull(br, sizeBuf[:]); err != nil {
		return nil, err
	}
	size := int32(binary.BigEndian.Uint32(sizeBuf[:]))
	if limit, setting := c.maxFrame(); size < 0 || size > limit {
		return nil, &frameSizeError{size: size, max: limit, setting: setting}
	}
	frame := getFrame(int(size))
	if _, err := io.ReadFull(br, frame); err != nil {
		putFrame(frame)
		return nil, err
	}
	return frame, nil
}

type frameSizeError struct {
	size, max int32
	setting   string
}

func (e *frameSizeError) Error() string {
	return "kafka: request size " + itoa(int(e.size)) + " is outside 0.." + itoa(int(e.max)) + " (" + e.setting + ")"
}

// maxFrame is the largest request accepted now: sasl.server.max.receive.size
// until SASL authentication completes, then socket.request.max.bytes.
func (c *conn) maxFrame() (int32, string) {
	if c.sasl != nil && c.sasl.stage != stageComplete && c.sasl.l.MaxReceive() < c.s.maxRequest {
		return c.sasl.l.MaxReceive(), "sasl.server.max.receive.size"
	}
	return c.s.maxRequest, "socket.request.max.bytes"
}

func (c *conn) logReadError(err error) {
	var sizeErr *frameSizeError
	switch {
	case errors.As(err, &sizeErr):
		c.lg.Warn("closing connection: bad request size", "err", err)
	case errors.Is(err, io.EOF):
	case errors.Is(err, io.ErrUnexpectedEOF):
		c.lg.Info("connection closed mid-request", "err", err)
	case errors.Is(err, os.ErrDeadlineExceeded) && c.stopping.Load():
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.lg.Debug("closing idle connection", "idle", c.s.idle)
	case errors.Is(err, net.ErrClosed):
	default:
		c.lg.Info("connection read failed", "err", err)
	}
}

// handleFrame parses one request and queues its answer; false closes the
// connection (after the answers already queued are written), which is what
// Kafka does with a request it cannot parse or does not support.
func (c *conn) handleFrame(frame []byte) bool {
	if c.sasl != nil && c.sasl.stage == stageRawTokens {
		return c.handleRawToken(frame) // after a v0 SaslHandshake (sasl.go)
	}
	if !c.saslGate(frame) {
		putFrame(frame)
		return false
	}
	start := time.Now()
	h, req, err := decodeRequest(frame)
	if err != nil {
		c.logDecodeError(h, err)
		putFrame(frame)
		return false
	}
	r := &request{header: h, conn: c, kreq: req, start: start, frame: frame}
	s := &slot{done: make(chan struct{}), req: r}
	c.queue <- s
	c.run(s, c.dispatch(r)) // authorization first (authz.go)
	return !c.authFailed()
}

func (c *conn) logDecodeError(h header, err error) {
	switch {
	case errors.Is(err, errUnknownKey):
		c.lg.Warn("closing connection: unknown api key", "api_key", h.key, "correlation_id", h.correlationID)
	case errors.Is(err, errUnsupportedVersion):
		a := apis[h.key]
		c.lg.Warn("closing connection: unsupported api version", "api", kmsg.NameForKey(h.key),
			"version", h.version, "supported", itoa(int(a.min))+"-"+itoa(int(a.max)))
	case errors.Is(err, errMalformedBody):
		c.lg.Warn("closing connection: malformed request body", "api", kmsg.NameForKey(h.key),
			"version", h.version, "err", err)
	default:
		c.lg.Warn("closing connection: unparseable request header", "err", err)
	}
}

// run completes a slot with a handler's outcome, waiting in a goroutine if
// the outcome is not ready yet.
func (c *conn) run(s *slot, o outcome) {
	if o.wait == nil {
		s.complete(o)
		return
	}
	go func() { s.complete(o.wait()) }()
}

func (c *conn) writeLoop() {
	bw := bufio.NewWriterSize(c.nc, 64*1024)
	failed := false
	for {
		s, ok := c.next(bw)
		if !ok {
			break
		}
		if !failed && !s.out.none {
			if err := s.writeTo(bw, c.nc); err != nil {
				failed = true
				c.lg.Info("connection write failed", "err", err)
				c.nc.Close() // unblocks the reader
			}
		}
		s.release()
		c.s.b.Metrics().ObserveRequest(s.req.key, time.Since(s.req.start), s.req.failed)
	}
	if !failed {
		bw.Flush()
	}
}

// next returns the next slot once it is complete. Buffered responses are
// flushed before blocking, so pipelined responses share writes but none
// waits behind a slow one.
func (c *conn) next(bw *bufio.Writer) (*slot, bool) {
	var s *slot
	var ok bool
	select {
	case s, ok = <-c.queue:
	default:
		bw.Flush()
		s, ok = <-c.queue
	}
	if !ok {
		return nil, false
	}
	select {
	case <-s.done:
	default:
		bw.Flush()
		<-s.done
	}
	return s, true
}
