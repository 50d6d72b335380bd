package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/sasl"
	"github.com/samsa-streaming/samsa/internal/tlsconf"
)

// listener is one bound endpoint and how its connections authenticate:
//
//	PLAINTEXT       tls nil, sasl nil   User:ANONYMOUS
//	SSL             tls set             the client certificate's mapped subject, else ANONYMOUS
//	SASL_PLAINTEXT  sasl set            the SASL user
//	SASL_SSL        both                the SASL user
type listener struct {
	name     string
	protocol string
	ln       net.Listener
	host     string // advertised to clients connected here
	port     int32
	tls      *tlsconf.Server
	sasl     *sasl.Listener
}

// ListenerInfo describes a bound listener.
type ListenerInfo struct {
	Name       string // upper case, e.g. PLAINTEXT or SASL_SSL
	Protocol   string
	Addr       net.Addr // bound
	Advertised string   // host:port given to its clients
}

// bindListener builds a listener's security from the broker config and
// binds it. Errors are configuration or bind errors for start-up.
func bindListener(cfg *config.Broker, l config.Listener, scram sasl.ScramCredentials, lg *slog.Logger) (*listener, error) {
	out := &listener{name: l.Name, protocol: l.Protocol}
	var err error
	if l.TLS() {
		if out.tls, err = tlsconf.New(tlsconf.ListenerOptions(cfg, l), lg.With("listener", l.Name)); err != nil {
			return nil, fmt.Errorf("listener %s: %w", l.Name, err)
		}
	}
	if l.SASL() {
		if out.sasl, err = sasl.NewListener(cfg, l.Name, scram, lg); err != nil {
			return nil, err
		}
	}
	if out.ln, err = net.Listen("tcp", l.Addr); err != nil {
		return nil, fmt.Errorf("listener %s: %w", l.Name, err)
	}
	if err := out.setAdvertised(l.Advertised); err != nil {
		out.ln.Close()
		return nil, fmt.Errorf("listener %s: advertised address: %w", l.Name, err)
	}
	return out, nil
}

// setAdvertised sets the address clients are told: the advertised.listeners
// entry, else the bound address; a wildcard host becomes "localhost".
func (l *listener) setAdvertised(adv string) error {
	if adv == "" {
		adv = l.ln.Addr().String()
	}
	host, portStr, err := net.SplitHostPort(adv)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	l.host, l.port = host, int32(port)
	return nil
}

func (l *listener) advertised() string {
	return net.JoinHostPort(l.host, strconv.Itoa(int(l.port)))
}

func (l *listener) info() ListenerInfo {
	return ListenerInfo{Name: l.name, Protocol: l.protocol, Addr: l.ln.Addr(), Advertised: l.advertised()}
}

// handshake runs the TLS handshake of a TLS listener's connection and, on
// SSL listeners, takes the principal from the client certificate (mapped
// by ssl.principal.mapping.rules; none: User:ANONYMOUS). false closes the
// connection: a failed handshake, or a certificate no rule maps (Kafka
// fails such connections too).
func (c *conn) handshake() bool {
	tc, ok := c.nc.(*tls.Conn)
	if !ok {
		return true
	}
	ctx, cancel := context.WithTimeout(c.s.ctx, c.s.idle)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		if errors.Is(err, io.EOF) {
			c.lg.Debug("connection closed before the TLS handshake", "listener", c.l.name)
		} else {
			c.lg.Info("TLS handshake failed", "listener", c.l.name, "err", err)
		}
		return false
	}
	if c.l.protocol != config.SSL {
		return true
	}
	name, ok, err := c.l.tls.ClientName(tc.ConnectionState())
	if err != nil {
		c.lg.Warn("closing connection: no principal for the client certificate", "listener", c.l.name, "err", err)
		return false
	}
	if ok {
		c.setPrincipal(auth.User(name))
		c.lg.Debug("authenticated by TLS client certificate", "listener", c.l.name, "principal", c.principal().String())
	}
	return true
}
