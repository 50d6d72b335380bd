package cli

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	defaultBrokers = "127.0.0.1:9092"
	defaultTimeout = 10 * time.Second
)

// globals are the flags every client command takes.
type globals struct {
	brokers string
	json    bool
	timeout time.Duration
	sec     security
}

func defaultGlobals(env *Env) *globals {
	g := &globals{brokers: defaultBrokers, timeout: defaultTimeout, sec: securityFromEnv(env.Getenv)}
	if env.Getenv != nil {
		if b := env.Getenv("SAMSA_BROKERS"); b != "" {
			g.brokers = b
		}
	}
	return g
}

// register adds the global flags to fs; values already parsed (before the
// command name, or from the environment) are the defaults.
func (g *globals) register(fs *flagSet) {
	fs.StringVar(&g.brokers, "brokers", g.brokers, "comma-separated `host:port` list to bootstrap from (env SAMSA_BROKERS)")
	fs.alias("b", "brokers")
	fs.BoolVar(&g.json, "json", g.json, "print JSON for programs instead of tables")
	fs.DurationVar(&g.timeout, "timeout", g.timeout, "how long to wait for the broker, connecting included")
	for _, name := range []string{"brokers", "b", "json", "timeout"} {
		fs.globals[name] = true
	}
	g.sec.register(fs)
}

// session is one command's connection to the cluster: a franz-go client
// opened on first use, and what we learnt about the broker.
type session struct {
	env   *Env
	g     *globals
	watch connWatch
	cl    *kgo.Client // the client of client() and admin()
	adm   *kadm.Client
	all   []*kgo.Client  // every client opened, closed newest first
	apis  map[int16]bool // from ApiVersions, loaded on first need
}

func newSession(env *Env, g *globals) *session { return &session{env: env, g: g} }

func (s *session) close() {
	for i := len(s.all) - 1; i >= 0; i-- {
		s.all[i].Close()
	}
}

// client opens the session's franz-go client with opts added to the
// common ones. Produce opens it first, with its options; later calls
// return the same client.
func (s *session) client(opts ...kgo.Opt) (*kgo.Client, error) {
	if s.cl != nil {
		return s.cl, nil
	}
	cl, err := s.newClient(opts...)
	if err != nil {
		return nil, err
	}
	s.cl = cl
	s.adm = kadm.NewClient(cl)
	s.adm.SetTimeoutMillis(int32(s.g.timeout.Milliseconds()))
	return cl, nil
}

// newClient opens another client, for a consumer whose options depend on
// what the admin client found out first.
func (s *session) newClient(opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(s.g.brokers, ",")...),
		kgo.ClientID("samsa-cli"),
		kgo.DialTimeout(s.g.timeout),
		kgo.RetryTimeout(s.g.timeout),
		// Also bounds the handshake of a new connection, which does not
		// watch the request's context: a listener that never answers
		// would otherwise hold every command for franz-go's default 10s.
		kgo.RequestTimeoutOverhead(s.g.timeout),
		kgo.WithHooks(&s.watch),
		kgo.DisableClientMetrics(), // a short-lived CLI has nothing to report
	}
	sec, err := s.g.sec.opts()
	if err != nil {
		return nil, err
	}
	base = append(base, sec...)
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, usagef("--brokers %q: %v", s.g.brokers, err)
	}
	s.all = append(s.all, cl)
	return cl, nil
}

func (s *session) admin() (*kadm.Client, error) {
	if _, err := s.client(); err != nil {
		return nil, err
	}
	return s.adm, nil
}

// deadline bounds one step of a command by --timeout.
func (s *session) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.g.timeout)
}

// Kafka API keys the CLI checks for before using, to fail with a clear
// message on brokers that lack them.
const (
	describeConfigsKey         = 32
	incrementalAlterConfigsKey = 44
	consumerGroupDescribeKey   = 69
)

// requireAPI fails with a clear message when the broker does not serve
// the API (key from Kafka's protocol), rather than franz-go's generic
// "broker is too old".
func (s *session) requireAPI(ctx context.Context, key int16) error {
	ok, err := s.supports(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("broker does not support %s (API key %d)", kmsg.NameForKey(key), key)
	}
	return nil
}

func (s *session) supports(ctx context.Context, key int16) (bool, error) {
	if s.apis == nil {
		cl, err := s.client()
		if err != nil {
			return false, err
		}
		req := kmsg.NewPtrApiVersionsRequest()
		req.ClientSoftwareName, req.ClientSoftwareVersion = "samsa-cli", "1"
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return false, err
		}
		s.apis = map[int16]bool{}
		for _, k := range resp.ApiKeys {
			s.apis[k.ApiKey] = true
		}
	}
	return s.apis[key], nil
}

// report prints a failed command's error and returns its exit code.
func (s *session) report(err error) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(s.env.Stderr, "samsa: %v\n", explain(err, s.g.brokers, s.g.timeout, &s.watch))
	return exitFailure
}

// warn prints a problem that does not fail the command.
func (s *session) warn(format string, args ...any) {
	fmt.Fprintf(s.env.Stderr, "samsa: warning: "+format+"\n", args...)
}

// connWatch remembers whether any broker connection succeeded and the last
// dial error: what "cannot connect" needs to say why.
type connWatch struct {
	mu        sync.Mutex
	connected bool
	dialErr   error
}

// OnBrokerConnect implements kgo.HookBrokerConnect.
func (w *connWatch) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		w.connected = true
	} else {
		w.dialErr = err
	}
}

func (w *connWatch) state() (connected bool, dialErr error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.connected, w.dialErr
}
