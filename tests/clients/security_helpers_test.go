package clients

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/samsa-streaming/samsa"
	samsasasl "github.com/samsa-streaming/samsa/internal/sasl"
	"github.com/samsa-streaming/samsa/samsatest"
	"github.com/samsa-streaming/samsa/samsatest/pki"
)

// A broker with every kind of listener, for the security tests:
//
//	PLAINTEXT       samsatest's default listener, for admin set-up
//	SSL             TLS; client certificates requested and mapped to users
//	SASL_PLAINTEXT  PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER
//	SASL_SSL        the same over TLS
//
// Users: alice/alice-secret and bob/bob-secret for PLAIN and both SCRAM
// mechanisms; OAUTHBEARER tokens signed by the test issuer for audience
// "kafka".

type secureBroker struct {
	*samsa.Broker
	ca       *pki.CA
	issuer   *pki.Issuer
	logs     *securityLogs
	keyStore string // the server's PEM key store file
}

// passwords are the secrets no log may contain.
var passwords = []string{"alice-secret", "bob-secret", "wrong-secret"}

const securityRules = "RULE:^CN=([^,]+),OU=Clients.*$/$1/L,DEFAULT"

func startSecure(t *testing.T, opts ...samsatest.Option) *secureBroker {
	t.Helper()
	dir := t.TempDir()
	sb := &secureBroker{ca: pki.NewCA(t), issuer: pki.NewIssuer(t, "https://issuer.test"), logs: &securityLogs{}}
	keyStore := pki.WriteFile(t, dir, "server.pem", sb.ca.Server(t).KeyStore())
	sb.keyStore = keyStore
	trustStore := pki.WriteFile(t, dir, "ca.pem", sb.ca.PEM)
	jwks := pki.WriteFile(t, dir, "jwks.json", sb.issuer.JWKS())
	jaas := `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";`
	base := []samsatest.Option{
		samsatest.Logger(slog.New(slog.NewTextHandler(sb.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		samsatest.Listener("SSL", "SSL"),
		samsatest.Listener("SASL_PLAINTEXT", "SASL_PLAINTEXT"),
		samsatest.Listener("SASL_SSL", "SASL_SSL"),
		samsatest.Config("ssl.keystore.type", "PEM"),
		samsatest.Config("ssl.keystore.location", keyStore),
		samsatest.Config("ssl.truststore.type", "PEM"),
		samsatest.Config("ssl.truststore.location", trustStore),
		samsatest.Config("listener.name.ssl.ssl.client.auth", "requested"),
		samsatest.Config("ssl.principal.mapping.rules", securityRules),
		samsatest.Config("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"),
		samsatest.Config("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas),
		samsatest.Config("sasl.jaas.config", jaas), // Samsa's fallback, used by SASL_SSL
		samsatest.Config("sasl.oauthbearer.jwks.endpoint.url", (&url.URL{Scheme: "file", Path: jwks}).String()),
		samsatest.Config("sasl.oauthbearer.expected.audience", "kafka"),
		samsatest.Config("sasl.oauthbearer.expected.issuer", sb.issuer.Name),
		samsatest.ScramCredentials(testScramUsers(t)),
	}
	sb.Broker = samsatest.Start(t, append(base, opts...)...)
	t.Cleanup(func() { sb.logs.checkNoSecrets(t) })
	createTopic(t, newAdmin(t, sb.Addr()), "secured", 1, nil)
	return sb
}

func testScramUsers(t *testing.T) scramUsers {
	t.Helper()
	users := scramUsers{}
	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-512"} {
		for _, u := range []string{"alice", "bob"} {
			c, err := samsasasl.NewScramCredential(mech, u+"-secret", []byte("salt of "+u), 4096)
			if err != nil {
				t.Fatal(err)
			}
			users[mech+"/"+u] = c
		}
	}
	return users
}

// scramUsers is an in-memory SCRAM credential store.
type scramUsers map[string]samsa.ScramCredential

func (s scramUsers) Lookup(mechanism, user string) (samsa.ScramCredential, bool) {
	c, ok := s[mechanism+"/"+user]
	return c, ok
}

// token is an OAUTHBEARER token for sub valid for ttl (negative: expired).
func (sb *secureBroker) token(t *testing.T, alg, sub string, ttl time.Duration) string {
	claims := sb.issuer.Claims(sub, ttl)
	claims["aud"] = "kafka"
	if ttl < 0 {
		claims["iat"] = time.Now().Add(2 * ttl).Unix()
	}
	tok := sb.issuer.Token(t, alg, claims)
	sb.logs.addSecret(tok)
	return tok
}

// clientTLS trusts the test CA and presents cert if given.
func (sb *secureBroker) clientTLS(cert *tls.Certificate) *tls.Config {
	cfg := &tls.Config{RootCAs: sb.ca.Pool(), ServerName: "127.0.0.1"}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return cfg
}

// clientCert is a client certificate for CN=name,OU=Clients,O=Samsa.
func (sb *secureBroker) clientCert(t *testing.T, name string) *tls.Certificate {
	c := sb.ca.Client(t, pkix.Name{CommonName: name, OrganizationalUnit: []string{"Clients"}, Organization: []string{"Samsa"}}).TLS(t)
	return &c
}

// mechanism builds franz-go's SASL mechanism for a test login.
func mechanism(name, user, secret string) sasl.Mechanism {
	switch name {
	case "PLAIN":
		return plain.Auth{User: user, Pass: secret}.AsMechanism()
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: secret}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: secret}.AsSha512Mechanism()
	}
	return oauth.Auth{Token: secret}.AsMechanism()
}

// saslClient is a franz-go client on a SASL listener.
func (sb *secureBroker) saslClient(t *testing.T, listener string, m sasl.Mechanism, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append(opts, kgo.SASL(m))
	if listener == "SASL_SSL" {
		opts = append(opts, kgo.DialTLSConfig(sb.clientTLS(nil)))
	}
	return newClient(t, sb.ListenerAddr(listener), opts...)
}

// produceSecured produces one record through cl.
func produceSecured(t *testing.T, cl *kgo.Client, topic string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(testContext(t), 20*time.Second)
	defer cancel()
	return cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("secured")}).FirstErr()
}

// securityLogs keeps the broker's logs and the secrets they must not hold.
type securityLogs struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	secrets []string
}

func (l *securityLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *securityLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *securityLogs) addSecret(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.secrets = append(l.secrets, s)
}

// has reports whether a log line holds every part.
func (l *securityLogs) has(parts ...string) bool {
	for _, line := range strings.Split(l.String(), "\n") {
		if containsAll(line, parts) {
			return true
		}
	}
	return false
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// waitLog polls for a log line with every part.
func (l *securityLogs) waitLog(t *testing.T, parts ...string) {
	t.Helper()
	waitFor(t, "log line "+strings.Join(parts, " "), func() error {
		if l.has(parts...) {
			return nil
		}
		text := l.String()
		return errorString("not in the broker's logs:\n" + text[max(0, len(text)-4000):])
	})
}

// checkNoSecrets fails the test if a password, token or private key
// reached the logs.
func (l *securityLogs) checkNoSecrets(t *testing.T) {
	text := l.String()
	l.mu.Lock()
	secrets := append(append([]string{}, passwords...), l.secrets...)
	l.mu.Unlock()
	for _, s := range append(secrets, "PRIVATE KEY") {
		if strings.Contains(text, s) {
			t.Errorf("a secret (%.12s...) is in the broker's logs", s)
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
