//go:build unix

package process

import (
	"context"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest/pki"
)

// The samsa binary with TLS and SASL listeners, driven by kcat,
// confluent-kafka (librdkafka) and kafka-python, whose SASL code is their
// own: librdkafka uses SaslHandshake v1 and SaslAuthenticate, kafka-python
// 2.0 a v0 handshake followed by raw tokens.
//
// Listeners: PLAINTEXT (--listen, the harness's) for set-up, and through
// --override, as in server.properties:
//
//	SSL             client certificates requested, mapped by ssl.principal.mapping.rules
//	SASL_PLAINTEXT  PLAIN (JAAS users), SCRAM-SHA-256, SCRAM-SHA-512
//	SASL_SSL        the same over TLS
//
// SCRAM users are created with AlterUserScramCredentials over PLAINTEXT,
// so they come from the broker's own store.

// securePasswords must never appear in the broker's output.
var securePasswords = []string{"alice-secret", "bob-secret", "wrong-secret"}

type secureProcess struct {
	*broker
	files  map[string]string // ca, client.pem, client.key, jwks
	addrs  map[string]string // listener name -> address
	issuer *pki.Issuer       // signs OAUTHBEARER tokens the broker trusts
}

func startSecureProcess(t *testing.T) *secureProcess {
	t.Helper()
	dir := t.TempDir()
	ca := pki.NewCA(t)
	client := ca.Client(t, pkix.Name{CommonName: "Carol", OrganizationalUnit: []string{"Clients"}, Organization: []string{"Samsa"}})
	issuer := pki.NewIssuer(t, "https://idp.samsa.test")
	sp := &secureProcess{
		files: map[string]string{
			"ca":         pki.WriteFile(t, dir, "ca.pem", ca.PEM),
			"client.pem": pki.WriteFile(t, dir, "client.pem", client.CertPEM),
			"client.key": pki.WriteFile(t, dir, "client.key", client.KeyPEM),
			"jwks":       pki.WriteFile(t, dir, "jwks.json", issuer.JWKS()),
		},
		addrs:  map[string]string{},
		issuer: issuer,
	}
	keyStore := pki.WriteFile(t, dir, "server.pem", ca.Server(t).KeyStore())
	var listeners []string
	for _, name := range []string{"SSL", "SASL_PLAINTEXT", "SASL_SSL"} {
		sp.addrs[name] = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
		listeners = append(listeners, name+"://"+sp.addrs[name])
	}
	jaas := `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";`
	opts := []brokerOption{
		withOverride("listeners=" + strings.Join(listeners, ",")),
		withOverride("ssl.keystore.type=PEM"),
		withOverride("ssl.keystore.location=" + keyStore),
		withOverride("ssl.truststore.type=PEM"),
		withOverride("ssl.truststore.location=" + sp.files["ca"]),
		withOverride("listener.name.ssl.ssl.client.auth=requested"),
		withOverride("ssl.principal.mapping.rules=RULE:^CN=([^,]+),OU=Clients.*$/$1/L,DEFAULT"),
		withOverride("sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"),
		withOverride("sasl.oauthbearer.jwks.endpoint.url=" + (&url.URL{Scheme: "file", Path: sp.files["jwks"]}).String()),
		withOverride("sasl.oauthbearer.expected.issuer=" + sp.issuer.Name),
		withOverride("listener.name.sasl_plaintext.plain.sasl.jaas.config=" + jaas),
		withOverride("listener.name.sasl_ssl.plain.sasl.jaas.config=" + jaas),
	}
	sp.broker = startBroker(t, opts...)
	sp.addrs["PLAINTEXT"] = sp.Addr()
	sp.addScramUsers(t)
	t.Cleanup(func() {
		var out strings.Builder
		for _, line := range strings.Split(sp.log.String(), "\n") {
			if !strings.HasPrefix(line, "=== start") { // the harness echoes the command line
				out.WriteString(line + "\n")
			}
		}
		for _, s := range securePasswords {
			if strings.Contains(out.String(), s) {
				t.Errorf("the password %q is in the broker's output", s)
			}
		}
	})
	return sp
}

func (sp *secureProcess) addScramUsers(t *testing.T) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(sp.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var ups []kadm.UpsertSCRAM
	for _, u := range []string{"alice", "bob"} {
		for _, m := range []kadm.ScramMechanism{kadm.ScramSha256, kadm.ScramSha512} {
			ups = append(ups, kadm.UpsertSCRAM{User: u, Mechanism: m, Iterations: 4096, Password: u + "-secret"})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// One upsertion per user per request: Kafka refuses a user named twice.
	for i := 0; i < len(ups); i += 2 {
		res, err := kadm.NewClient(cl).AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{ups[i]})
		if err == nil {
			err = res.Error()
		}
		if err == nil {
			res, err = kadm.NewClient(cl).AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{ups[i+1]})
			if err == nil {
				err = res.Error()
			}
		}
		if err != nil {
			t.Fatalf("creating SCRAM users: %v", err)
		}
	}
}

// kcatSecurity are kcat's -X settings for a login.
func (sp *secureProcess) kcatSecurity(listener, mech, user, pass string) []string {
	x := []string{"-X", "security.protocol=" + strings.ToLower(listener)}
	if strings.Contains(listener, "SSL") {
		x = append(x, "-X", "ssl.ca.location="+sp.files["ca"])
	}
	if listener == "SSL" && user != "" {
		x = append(x, "-X", "ssl.certificate.location="+sp.files["client.pem"], "-X", "ssl.key.location="+sp.files["client.key"])
	}
	if strings.HasPrefix(listener, "SASL") {
		x = append(x, "-X", "sasl.mechanisms="+mech, "-X", "sasl.username="+user, "-X", "sasl.password="+pass)
	}
	return x
}

func TestSecurityKcat(t *testing.T) {
	t.Parallel()
	kcat := kcatPath(t)
	sp := startSecureProcess(t)
	for _, tt := range []struct {
		listener, mech, user, pass string
	}{
		{"SASL_SSL", "PLAIN", "alice", "alice-secret"},
		{"SASL_SSL", "SCRAM-SHA-256", "bob", "bob-secret"},
		{"SASL_PLAINTEXT", "SCRAM-SHA-512", "alice", "alice-secret"},
		{"SSL", "", "carol", ""}, // with the client certificate
	} {
		t.Run(tt.listener+"/"+tt.mech, func(t *testing.T) {
			topic := "kcat-" + strings.ToLower(tt.listener+tt.mech)
			sec := sp.kcatSecurity(tt.listener, tt.mech, tt.user, tt.pass)
			args := append([]string{"-P", "-b", sp.addrs[tt.listener], "-t", topic, "-p", "0"}, sec...)
			run(t, kcatTimeout, "one\ntwo\nthree\n", kcat, args...)
			args = append([]string{"-C", "-b", sp.addrs[tt.listener], "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q"}, sec...)
			if got := run(t, kcatTimeout, "", kcat, args...); got != "one\ntwo\nthree\n" {
				t.Fatalf("consumed %q", got)
			}
		})
	}
	// OAUTHBEARER is not tried with kcat: Debian's librdkafka is built
	// without OIDC, and a static signed token needs a callback, which only
	// the library's bindings offer (see TestSecurityConfluentKafka).
	for _, tt := range []struct{ name, listener, mech, user, pass string }{
		{"wrong password", "SASL_SSL", "PLAIN", "alice", "wrong-secret"},
		{"unknown user", "SASL_PLAINTEXT", "SCRAM-SHA-256", "mallory", "wrong-secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-L", "-b", sp.addrs[tt.listener], "-m", "5"}, sp.kcatSecurity(tt.listener, tt.mech, tt.user, tt.pass)...)
			_, stderr, err := tryRun(kcatTimeout, "", kcat, args...)
			if err == nil {
				t.Fatal("kcat got metadata with bad credentials")
			}
			if !strings.Contains(stderr, "uthentication") {
				t.Errorf("kcat's error does not mention authentication:\n%s", stderr)
			}
		})
	}
}

// pySecurity runs testdata/security_client.py and returns its events and
// exit error.
func pySecurity(t *testing.T, client, addr, topic string, settings map[string]any) ([]pyEvent, error) {
	t.Helper()
	js, _ := json.Marshal(settings)
	stdout, stderr, err := tryRun(pythonTimeout, "", pythonPath, filepath.Join("testdata", "security_client.py"), client, addr, topic, string(js))
	var events []pyEvent
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e pyEvent
		if line != "" && json.Unmarshal([]byte(line), &e) == nil {
			events = append(events, e)
		}
	}
	if err != nil {
		err = fmt.Errorf("%v\nstderr:\n%s", err, stderr)
	}
	return events, err
}

func lastEvent(events []pyEvent) string {
	if len(events) == 0 {
		return ""
	}
	return events[len(events)-1].Event
}

func TestSecurityConfluentKafka(t *testing.T) {
	t.Parallel()
	requirePythonModule(t, "confluent_kafka", "python3-confluent-kafka")
	sp := startSecureProcess(t)
	for _, tt := range []struct {
		name, listener string
		settings       map[string]any
		ok             bool
	}{
		{"PLAIN over SASL_SSL", "SASL_SSL", map[string]any{"security.protocol": "SASL_SSL", "ssl.ca.location": sp.files["ca"],
			"sasl.mechanisms": "PLAIN", "sasl.username": "alice", "sasl.password": "alice-secret"}, true},
		{"SCRAM-SHA-512 over SASL_PLAINTEXT", "SASL_PLAINTEXT", map[string]any{"security.protocol": "SASL_PLAINTEXT",
			"sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "bob", "sasl.password": "bob-secret"}, true},
		{"mutual TLS", "SSL", map[string]any{"security.protocol": "SSL", "ssl.ca.location": sp.files["ca"],
			"ssl.certificate.location": sp.files["client.pem"], "ssl.key.location": sp.files["client.key"]}, true},
		{"wrong SCRAM password", "SASL_SSL", map[string]any{"security.protocol": "SASL_SSL", "ssl.ca.location": sp.files["ca"],
			"sasl.mechanisms": "SCRAM-SHA-256", "sasl.username": "alice", "sasl.password": "wrong-secret"}, false},
		{"unknown SCRAM user", "SASL_PLAINTEXT", map[string]any{"security.protocol": "SASL_PLAINTEXT",
			"sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "mallory", "sasl.password": "wrong-secret"}, false},
		{"unknown PLAIN user", "SASL_PLAINTEXT", map[string]any{"security.protocol": "SASL_PLAINTEXT",
			"sasl.mechanisms": "PLAIN", "sasl.username": "mallory", "sasl.password": "wrong-secret"}, false},
		{"OAUTHBEARER", "SASL_SSL", sp.oauthSettings(t, time.Hour), true},
		{"expired OAUTHBEARER token", "SASL_SSL", sp.oauthSettings(t, -time.Minute), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events, err := pySecurity(t, "confluent", sp.addrs[tt.listener], "py-"+strings.ToLower(tt.listener), tt.settings)
			checkPyLogin(t, events, err, tt.ok)
		})
	}
}

// oauthSettings are librdkafka's settings for an OAUTHBEARER login over
// SASL_SSL with a token of the trusted issuer for User:carol that expires
// after ttl (negative: already expired). librdkafka is told the token lives
// an hour either way, so that the broker is the one to refuse it.
func (sp *secureProcess) oauthSettings(t *testing.T, ttl time.Duration) map[string]any {
	claims := sp.issuer.Claims("carol", ttl)
	if ttl < 0 {
		claims["iat"] = time.Now().Add(2 * ttl).Unix()
	}
	return map[string]any{"security.protocol": "SASL_SSL", "ssl.ca.location": sp.files["ca"],
		"sasl.mechanisms": "OAUTHBEARER", "samsa.oauth.token": sp.issuer.Token(t, "RS256", claims),
		"samsa.oauth.expiry": time.Now().Add(time.Hour).Unix()}
}

func TestSecurityKafkaPython(t *testing.T) {
	t.Parallel()
	requirePythonModule(t, "kafka", "python3-kafka")
	sp := startSecureProcess(t)
	for _, tt := range []struct {
		name, listener string
		settings       map[string]any
		ok             bool
	}{
		{"PLAIN v0 over SASL_SSL", "SASL_SSL", map[string]any{"security_protocol": "SASL_SSL", "ssl_cafile": sp.files["ca"],
			"sasl_mechanism": "PLAIN", "sasl_plain_username": "alice", "sasl_plain_password": "alice-secret"}, true},
		{"SCRAM-SHA-256 v0 over SASL_PLAINTEXT", "SASL_PLAINTEXT", map[string]any{"security_protocol": "SASL_PLAINTEXT",
			"sasl_mechanism": "SCRAM-SHA-256", "sasl_plain_username": "bob", "sasl_plain_password": "bob-secret"}, true},
		{"wrong PLAIN password", "SASL_PLAINTEXT", map[string]any{"security_protocol": "SASL_PLAINTEXT",
			"sasl_mechanism": "PLAIN", "sasl_plain_username": "bob", "sasl_plain_password": "wrong-secret"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events, err := pySecurity(t, "kafka-python", sp.addrs[tt.listener], "kp-"+strings.ToLower(tt.listener), tt.settings)
			checkPyLogin(t, events, err, tt.ok)
		})
	}
}

func checkPyLogin(t *testing.T, events []pyEvent, err error, ok bool) {
	t.Helper()
	if ok {
		if err != nil || lastEvent(events) != "done" {
			t.Fatalf("events %+v, err %v", events, err)
		}
		return
	}
	if err == nil || lastEvent(events) != "auth_error" {
		t.Fatalf("bad credentials: events %+v, err %v; want an auth_error", events, err)
	}
}
