package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/samsa-streaming/samsa"
	"github.com/samsa-streaming/samsa/internal/config"
)

// overrides collects repeated --override name=value flags.
type overrides []string

func (o *overrides) String() string     { return strings.Join(*o, ",") }
func (o *overrides) Set(v string) error { *o = append(*o, v); return nil }

func serve(args []string) int {
	fs := flag.NewFlagSet("samsa serve", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data directory (default: log.dirs, else ./samsa-data)")
	listen := fs.String("listen", "", "PLAINTEXT listener host:port, added to or replacing the PLAINTEXT entry of listeners (default: listeners, else 127.0.0.1:9092)")
	advertise := fs.String("advertise", "", "host:port given to PLAINTEXT clients (default: advertised.listeners, else the listener)")
	admin := fs.String("admin-listen", "127.0.0.1:9644", "admin HTTP host:port for /metrics and /healthz; empty disables it")
	configFile := fs.String("config", "", "server.properties file with Kafka broker properties")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	var ovr overrides
	fs.Var(&ovr, "override", "name=value broker property, repeatable; wins over --config")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	lg, err := newLogger(*logLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "samsa:", err)
		return 2
	}
	props, err := loadProperties(*configFile, ovr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "samsa:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	b, err := samsa.Start(ctx, samsa.Options{
		DataDir: *dataDir, Listen: *listen, Advertise: *advertise, AdminListen: *admin,
		Configs: props, Logger: lg,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "samsa:", err)
		return 1
	}
	<-ctx.Done()
	lg.Info("shutting down")
	if err := b.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "samsa: shutdown:", err)
		return 1
	}
	return 0
}

func loadProperties(file string, ovr []string) (map[string]string, error) {
	props := make(map[string]string)
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if props, err = config.ParseProperties(f); err != nil {
			return nil, err
		}
	}
	for _, o := range ovr {
		name, value, err := config.ParseOverride(o)
		if err != nil {
			return nil, err
		}
		props[name] = value
	}
	return props, nil
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad --log-level %q", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
