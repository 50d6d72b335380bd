package kafka_test

import (
	"context"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/samsa-streaming/samsa/internal/sasl"
	"github.com/samsa-streaming/samsa/samsatest"
	"github.com/samsa-streaming/samsa/samsatest/pki"
)

// SASL on the wire, spoken by hand: the connection state machine of
// sasl.go, v0 raw tokens, failures and their delay, KIP-368.

func init() {
	versionChecks[17] = checkSaslHandshake
	versionChecks[36] = checkSaslAuthenticate
}

// On the PLAINTEXT listener of TestEveryAdvertisedVersion both SASL APIs
// answer ILLEGAL_SASL_STATE and leave the connection open, as Kafka does.
func checkSaslHandshake(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrSASLHandshakeRequest()
	req.Mechanism = "PLAIN"
	if code := c.roundTrip(req, v).(*kmsg.SASLHandshakeResponse).ErrorCode; code != kerr.IllegalSaslState.Code {
		t.Fatalf("handshake on PLAINTEXT: %v, want ILLEGAL_SASL_STATE", kerr.ErrorForCode(code))
	}
}

func checkSaslAuthenticate(t *testing.T, c *rawConn, v int16) {
	req := kmsg.NewPtrSASLAuthenticateRequest()
	req.SASLAuthBytes = []byte("\x00a\x00b")
	resp := c.roundTrip(req, v).(*kmsg.SASLAuthenticateResponse)
	if resp.ErrorCode != kerr.IllegalSaslState.Code || resp.ErrorMessage == nil {
		t.Fatalf("authenticate on PLAINTEXT: %v %v, want ILLEGAL_SASL_STATE with a message", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage)
	}
}

const plainJAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";`

type memScram map[string]sasl.ScramCredential

func (m memScram) Lookup(mechanism, user string) (sasl.ScramCredential, bool) {
	c, ok := m[mechanism+"/"+user]
	return c, ok
}

// startSASL runs a broker with a SASL_PLAINTEXT listener offering PLAIN and
// SCRAM-SHA-256 (alice/alice-secret, bob/bob-secret) and returns its
// address and logs.
func startSASL(t *testing.T, opts ...samsatest.Option) (string, *logBuffer) {
	t.Helper()
	creds := memScram{}
	for _, u := range []string{"alice", "bob"} {
		c, err := sasl.NewScramCredential(sasl.ScramSHA256, u+"-secret", []byte("salt-"+u), 4096)
		if err != nil {
			t.Fatal(err)
		}
		creds[sasl.ScramSHA256+"/"+u] = c
	}
	base := []samsatest.Option{
		samsatest.Listener("SASL_PLAINTEXT", "SASL_PLAINTEXT"),
		samsatest.Config("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256"),
		samsatest.Config("listener.name.sasl_plaintext.plain.sasl.jaas.config", plainJAAS),
		samsatest.Config("connection.failed.authentication.delay.ms", "300"),
		samsatest.ScramCredentials(creds),
	}
	b, logs := startLogged(t, append(base, opts...)...)
	return b.ListenerAddr("SASL_PLAINTEXT"), logs
}

func handshake(t *testing.T, c *rawConn, mech string, v int16) *kmsg.SASLHandshakeResponse {
	t.Helper()
	req := kmsg.NewPtrSASLHandshakeRequest()
	req.Mechanism = mech
	return c.roundTrip(req, v).(*kmsg.SASLHandshakeResponse)
}

func authenticate(t *testing.T, c *rawConn, msg []byte, v int16) *kmsg.SASLAuthenticateResponse {
	t.Helper()
	req := kmsg.NewPtrSASLAuthenticateRequest()
	req.SASLAuthBytes = msg
	return c.roundTrip(req, v).(*kmsg.SASLAuthenticateResponse)
}

// plainLogin authenticates with PLAIN over SaslHandshake v1 and
// SaslAuthenticate v2 and returns the answer.
func plainLogin(t *testing.T, c *rawConn, user, pass string) *kmsg.SASLAuthenticateResponse {
	t.Helper()
	if hs := handshake(t, c, "PLAIN", 1); hs.ErrorCode != 0 {
		t.Fatalf("handshake: %v", kerr.ErrorForCode(hs.ErrorCode))
	}
	return authenticate(t, c, []byte("\x00"+user+"\x00"+pass), 2)
}

func metadataWorks(t *testing.T, c *rawConn) {
	t.Helper()
	resp := c.roundTrip(kmsg.NewPtrMetadataRequest(), 12).(*kmsg.MetadataResponse)
	if len(resp.Brokers) != 1 {
		t.Fatalf("metadata: %d brokers", len(resp.Brokers))
	}
}

func TestSaslRequestsBeforeAuthenticationCloseTheConnection(t *testing.T) {
	addr, logs := startSASL(t)
	c := dial(t, addr)
	c.corr++
	c.write(frame(kmsg.NewPtrMetadataRequest(), 12, c.corr))
	c.expectClosed()
	logs.waitFor(t, "request not allowed before SASL authentication completes", "api=Metadata")

	// After ApiVersions only a handshake may come.
	c = dial(t, addr)
	c.roundTrip(kmsg.NewPtrApiVersionsRequest(), 0)
	c.corr++
	c.write(frame(kmsg.NewPtrApiVersionsRequest(), 0, c.corr))
	c.expectClosed()

	// After the handshake only SaslAuthenticate may come.
	c = dial(t, addr)
	handshake(t, c, "PLAIN", 1)
	c.corr++
	c.write(frame(kmsg.NewPtrMetadataRequest(), 12, c.corr))
	c.expectClosed()
}

func TestSaslPlainHandshakeV1(t *testing.T) {
	addr, logs := startSASL(t)
	c := dial(t, addr)
	avReq := kmsg.NewPtrApiVersionsRequest()
	avReq.ClientSoftwareName, avReq.ClientSoftwareVersion = "samsa-test", "1.0"
	if code := c.roundTrip(kmsg.NewPtrApiVersionsRequest(), 3).(*kmsg.ApiVersionsResponse).ErrorCode; code != kerr.InvalidRequest.Code {
		t.Fatalf("ApiVersions without software name: %v", kerr.ErrorForCode(code))
	}
	av := c.roundTrip(avReq, 3).(*kmsg.ApiVersionsResponse)
	if av.ErrorCode != 0 || len(av.ApiKeys) < 10 {
		t.Fatalf("ApiVersions before authentication: %v, %d keys", kerr.ErrorForCode(av.ErrorCode), len(av.ApiKeys))
	}
	hs := handshake(t, c, "PLAIN", 1)
	if hs.ErrorCode != 0 || strings.Join(hs.SupportedMechanisms, ",") != "PLAIN,SCRAM-SHA-256" {
		t.Fatalf("handshake: %v %v", kerr.ErrorForCode(hs.ErrorCode), hs.SupportedMechanisms)
	}
	resp := authenticate(t, c, []byte("\x00alice\x00alice-secret"), 2)
	if resp.ErrorCode != 0 || resp.SessionLifetimeMillis != 0 {
		t.Fatalf("authenticate: %v %v lifetime %d", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage, resp.SessionLifetimeMillis)
	}
	logs.waitFor(t, "authenticated", "principal=User:alice", "mechanism=PLAIN")
	metadataWorks(t, c)
	// Authenticated, no session expiry: a handshake is refused, the
	// connection stays.
	if hs := handshake(t, c, "PLAIN", 1); hs.ErrorCode != kerr.IllegalSaslState.Code {
		t.Fatalf("handshake after authentication: %v", kerr.ErrorForCode(hs.ErrorCode))
	}
	metadataWorks(t, c)
}

func TestSaslFailuresAreDelayedThenClosed(t *testing.T) {
	addr, logs := startSASL(t)
	for _, tt := range []struct {
		name, user, pass, want string
	}{
		{"wrong password", "alice", "nope", "Authentication failed: Invalid username or password"},
		{"unknown user", "mallory", "alice-secret", "Authentication failed: Invalid username or password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			start := time.Now()
			resp := plainLogin(t, c, tt.user, tt.pass)
			if resp.ErrorCode != kerr.SaslAuthenticationFailed.Code || resp.ErrorMessage == nil || *resp.ErrorMessage != tt.want {
				t.Fatalf("%v %v, want SASL_AUTHENTICATION_FAILED %q", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage, tt.want)
			}
			if took := time.Since(start); took < 250*time.Millisecond {
				t.Errorf("answered after %v, before connection.failed.authentication.delay.ms=300", took)
			}
			c.expectClosed()
		})
	}
	logs.waitFor(t, "authentication failed", "mechanism=PLAIN", "invalid username or password")
	c := dial(t, addr)
	hs := handshake(t, c, "GSSAPI", 1)
	if hs.ErrorCode != kerr.UnsupportedSaslMechanism.Code || len(hs.SupportedMechanisms) != 2 {
		t.Fatalf("unsupported mechanism: %v %v", kerr.ErrorForCode(hs.ErrorCode), hs.SupportedMechanisms)
	}
	c.expectClosed()
	if strings.Contains(logs.String(), "alice-secret") || strings.Contains(logs.String(), "nope") {
		t.Errorf("a password is in the logs:\n%s", logs.String())
	}
}

// rawToken sends a v0 SASL token and reads the raw reply.
func (r *rawConn) rawToken(msg []byte) ([]byte, error) {
	r.write(binary.BigEndian.AppendUint32(nil, uint32(len(msg))))
	r.write(msg)
	r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var size [4]byte
	if _, err := io.ReadFull(r.c, size[:]); err != nil {
		return nil, err
	}
	reply := make([]byte, binary.BigEndian.Uint32(size[:]))
	_, err := io.ReadFull(r.c, reply)
	return reply, err
}

func TestSaslHandshakeV0RawTokens(t *testing.T) {
	addr, _ := startSASL(t)
	t.Run("PLAIN", func(t *testing.T) {
		c := dial(t, addr)
		if hs := handshake(t, c, "PLAIN", 0); hs.ErrorCode != 0 {
			t.Fatal(kerr.ErrorForCode(hs.ErrorCode))
		}
		reply, err := c.rawToken([]byte("alice\x00alice\x00alice-secret"))
		if err != nil || len(reply) != 0 {
			t.Fatalf("reply %q, %v; want the empty token", reply, err)
		}
		metadataWorks(t, c)
	})
	t.Run("PLAIN wrong password", func(t *testing.T) {
		c := dial(t, addr)
		handshake(t, c, "PLAIN", 0)
		if reply, err := c.rawToken([]byte("\x00alice\x00nope")); err == nil {
			t.Fatalf("reply %q to a wrong password", reply)
		}
	})
	t.Run("SCRAM-SHA-256", func(t *testing.T) {
		c := dial(t, addr)
		handshake(t, c, "SCRAM-SHA-256", 0)
		session, msg, _ := scram.Auth{User: "bob", Pass: "bob-secret"}.AsSha256Mechanism().Authenticate(context.Background(), "")
		for {
			reply, err := c.rawToken(msg)
			if err != nil {
				t.Fatal(err)
			}
			done, next, err := session.Challenge(reply)
			if err != nil {
				t.Fatal(err)
			}
			if done {
				break
			}
			msg = next
		}
		metadataWorks(t, c)
	})
}

func TestSaslScramOverSaslAuthenticate(t *testing.T) {
	addr, _ := startSASL(t)
	for _, tt := range []struct {
		name, pass string
		ok         bool
	}{{"right", "bob-secret", true}, {"wrong", "alice-secret", false}} {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			handshake(t, c, "SCRAM-SHA-256", 1)
			session, msg, _ := scram.Auth{User: "bob", Pass: tt.pass}.AsSha256Mechanism().Authenticate(context.Background(), "")
			for {
				resp := authenticate(t, c, msg, 1)
				if resp.ErrorCode != 0 {
					want := "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256"
					if tt.ok || resp.ErrorMessage == nil || *resp.ErrorMessage != want {
						t.Fatalf("%v %v", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage)
					}
					c.expectClosed()
					return
				}
				done, next, err := session.Challenge(resp.SASLAuthBytes)
				if err != nil {
					t.Fatal(err)
				}
				if done {
					break
				}
				msg = next
			}
			if !tt.ok {
				t.Fatal("a wrong password authenticated")
			}
			metadataWorks(t, c)
		})
	}
}

func TestSaslReauthentication(t *testing.T) {
	addr, logs := startSASL(t, samsatest.Config("connections.max.reauth.ms", "1500"))
	c := dial(t, addr)
	resp := plainLogin(t, c, "alice", "alice-secret")
	if resp.ErrorCode != 0 || resp.SessionLifetimeMillis != 1500 {
		t.Fatalf("%v, session lifetime %d, want 1500", kerr.ErrorForCode(resp.ErrorCode), resp.SessionLifetimeMillis)
	}
	// The first re-authentication may start at once; the next one only a
	// second after it began (Kafka's rule), before that a handshake is an
	// ordinary request.
	if resp := plainLogin(t, c, "alice", "alice-secret"); resp.ErrorCode != 0 || resp.SessionLifetimeMillis != 1500 {
		t.Fatalf("re-authentication: %v %v", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage)
	}
	metadataWorks(t, c)
	if hs := handshake(t, c, "PLAIN", 1); hs.ErrorCode != kerr.IllegalSaslState.Code {
		t.Fatalf("second re-authentication within a second: %v, want ILLEGAL_SASL_STATE", kerr.ErrorForCode(hs.ErrorCode))
	}

	// Changing the principal is refused.
	c2 := dial(t, addr)
	plainLogin(t, c2, "alice", "alice-secret")
	resp = plainLogin(t, c2, "bob", "bob-secret")
	if resp.ErrorCode != kerr.SaslAuthenticationFailed.Code || resp.ErrorMessage == nil ||
		*resp.ErrorMessage != "Cannot change principals during re-authentication from User.alice: User.bob" {
		t.Fatalf("principal change: %v %v", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage)
	}
	c2.expectClosed()

	// Another mechanism is refused at the token.
	c3 := dial(t, addr)
	plainLogin(t, c3, "bob", "bob-secret")
	if hs := handshake(t, c3, "SCRAM-SHA-256", 1); hs.ErrorCode != 0 {
		t.Fatalf("re-authentication handshake: %v", kerr.ErrorForCode(hs.ErrorCode))
	}
	resp = authenticate(t, c3, []byte("n,,n=bob,r=abc"), 2)
	if resp.ErrorCode != kerr.SaslAuthenticationFailed.Code || !strings.Contains(*resp.ErrorMessage, "not supported for re-authentication") {
		t.Fatalf("mechanism change: %v %v", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage)
	}

	// An expired session is closed at its next request.
	time.Sleep(1600 * time.Millisecond)
	c.corr++
	c.write(frame(kmsg.NewPtrMetadataRequest(), 12, c.corr))
	c.expectClosed()
	logs.waitFor(t, "SASL session expired", "principal=User:alice")
}

func TestSaslMaxReceiveSizeBeforeAuthentication(t *testing.T) {
	addr, logs := startSASL(t, samsatest.Config("sasl.server.max.receive.size", "1000"))
	c := dial(t, addr)
	req := kmsg.NewPtrSASLHandshakeRequest()
	req.Mechanism = strings.Repeat("x", 2000)
	c.corr++
	c.write(frame(req, 1, c.corr))
	c.expectClosed()
	logs.waitFor(t, "bad request size", "sasl.server.max.receive.size")
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestSaslOAuthBearer(t *testing.T) {
	is := pki.NewIssuer(t, "https://issuer.test")
	jwks := pki.WriteFile(t, t.TempDir(), "jwks.json", is.JWKS())
	addr, logs := startSASL(t,
		samsatest.Config("sasl.enabled.mechanisms", "OAUTHBEARER"),
		samsatest.Config("sasl.oauthbearer.jwks.endpoint.url", "file://"+jwks),
		samsatest.Config("sasl.oauthbearer.clock.skew.seconds", "0"))
	initial := func(token string) []byte { return []byte("n,,\x01auth=Bearer " + token + "\x01\x01") }

	// Session lifetime = the token's remaining life, even with
	// connections.max.reauth.ms at 0 (Kafka's rule).
	c := dial(t, addr)
	handshake(t, c, "OAUTHBEARER", 1)
	resp := authenticate(t, c, initial(is.Token(t, "ES256", is.Claims("svc", 30*time.Second))), 1)
	if resp.ErrorCode != 0 || resp.SessionLifetimeMillis <= 25000 || resp.SessionLifetimeMillis > 30000 {
		t.Fatalf("%v %v, session lifetime %d, want about 30s", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage, resp.SessionLifetimeMillis)
	}
	logs.waitFor(t, "authenticated", "principal=User:svc", "mechanism=OAUTHBEARER")
	metadataWorks(t, c)

	// An invalid token: the RFC 7628 error challenge, then, once the
	// client acknowledges it with 0x01, the failure with the same text.
	c = dial(t, addr)
	handshake(t, c, "OAUTHBEARER", 1)
	resp = authenticate(t, c, initial(is.Token(t, "RS256", is.Claims("svc", -time.Minute))), 2)
	if resp.ErrorCode != 0 || string(resp.SASLAuthBytes) != `{"status":"invalid_token"}` {
		t.Fatalf("expired token: %v %q", kerr.ErrorForCode(resp.ErrorCode), resp.SASLAuthBytes)
	}
	resp = authenticate(t, c, []byte{1}, 2)
	if resp.ErrorCode != kerr.SaslAuthenticationFailed.Code || resp.ErrorMessage == nil || *resp.ErrorMessage != `{"status":"invalid_token"}` {
		t.Fatalf("after 0x01: %v %v", kerr.ErrorForCode(resp.ErrorCode), resp.ErrorMessage)
	}
	c.expectClosed()
	logs.waitFor(t, "authentication failed", "mechanism=OAUTHBEARER", "JWT expired")
}
