// Package samsatest runs Samsa brokers inside Go tests, as net/http/httptest
// runs servers: each in its own temporary data directory, on a free port,
// closed when the test ends.
package samsatest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/samsa-streaming/samsa"
)

// Option adjusts the broker's Options before it starts.
type Option func(*samsa.Options)

// Config sets a broker property (Kafka's name).
func Config(name, value string) Option {
	return func(o *samsa.Options) {
		if o.Configs == nil {
			o.Configs = make(map[string]string)
		}
		o.Configs[name] = value
	}
}

// DataDir makes the broker use dir, e.g. to restart on the same data.
func DataDir(dir string) Option { return func(o *samsa.Options) { o.DataDir = dir } }

// Listen binds the PLAINTEXT listener to addr instead of a free loopback
// port; "" leaves only the listeners of the listeners property.
func Listen(addr string) Option { return func(o *samsa.Options) { o.Listen = addr } }

// Listener adds a listener on a free loopback port: name is its listener
// name, protocol its security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT,
// SASL_SSL), mapped in listener.security.protocol.map. Its settings are
// broker properties (Config), e.g. listener.name.<name>.ssl.keystore.location;
// Broker.ListenerAddr(name) gives its address.
func Listener(name, protocol string) Option {
	return func(o *samsa.Options) {
		Config("listeners", join(o.Configs["listeners"], name+"://127.0.0.1:0"))(o)
		m := o.Configs["listener.security.protocol.map"]
		if m == "" {
			m = "PLAINTEXT:PLAINTEXT"
		}
		Config("listener.security.protocol.map", join(m, name+":"+protocol))(o)
	}
}

func join(list, item string) string {
	if list == "" {
		return item
	}
	return list + "," + item
}

// ScramCredentials makes SCRAM users come from creds instead of the
// broker's own store.
func ScramCredentials(creds samsa.ScramCredentials) Option {
	return func(o *samsa.Options) { o.ScramCredentials = creds }
}

// Admin turns on the admin HTTP listener on a free loopback port.
func Admin() Option { return func(o *samsa.Options) { o.AdminListen = "127.0.0.1:0" } }

// Start runs a broker for the rest of the test. Its logs go to t.Log.
func Start(t testing.TB, opts ...Option) *samsa.Broker {
	t.Helper()
	o := samsa.Options{
		DataDir: t.TempDir(),
		Listen:  "127.0.0.1:0",
		Logger:  slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	for _, opt := range opts {
		opt(&o)
	}
	b, err := samsa.Start(context.Background(), o)
	if err != nil {
		t.Fatalf("samsatest: starting broker: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("samsatest: closing broker: %v", err)
		}
	})
	return b
}

// testWriter sends log lines to t.Log so they show with the failing test.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p[:len(p)-min(len(p), 1)]))
	return len(p), nil
}

// Logger sends the broker's logs to lg instead of the test log.
func Logger(lg *slog.Logger) Option { return func(o *samsa.Options) { o.Logger = lg } }
