package clients

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa"
	"github.com/samsa-streaming/samsa/samsatest/pki"
)

// pingErr is the error of one metadata round trip (nil when it worked).
func pingErr(t *testing.T, cl *kgo.Client) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(testContext(t), 10*time.Second)
	defer cancel()
	return cl.Ping(ctx)
}

func TestSecurityFranzSASL(t *testing.T) {
	sb := startSecure(t)
	for _, listener := range []string{"SASL_PLAINTEXT", "SASL_SSL"} {
		for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"} {
			t.Run(listener+"/"+mech, func(t *testing.T) {
				secret := "bob-secret"
				if mech == "OAUTHBEARER" {
					secret = sb.token(t, "RS256", "bob", time.Hour)
				}
				cl := sb.saslClient(t, listener, mechanism(mech, "bob", secret))
				if err := produceSecured(t, cl, "secured"); err != nil {
					t.Fatal(err)
				}
				sb.logs.waitLog(t, "msg=authenticated", "listener="+listener, "mechanism="+mech, "principal=User:bob")
			})
		}
	}
}

func TestSecurityFranzSASLFailures(t *testing.T) {
	sb := startSecure(t)
	for _, tt := range []struct {
		name, mech, user, secret string
		want                     string // in the client's error
	}{
		{"PLAIN wrong password", "PLAIN", "alice", "wrong-secret", "Invalid username or password"},
		{"PLAIN unknown user", "PLAIN", "carol", "alice-secret", "Invalid username or password"},
		{"SCRAM-SHA-256 wrong password", "SCRAM-SHA-256", "alice", "wrong-secret", "invalid credentials with SASL mechanism SCRAM-SHA-256"},
		{"SCRAM-SHA-512 unknown user", "SCRAM-SHA-512", "carol", "wrong-secret", "invalid credentials with SASL mechanism SCRAM-SHA-512"},
		// franz-go gives up on the error challenge without acknowledging it.
		{"OAUTHBEARER expired token", "OAUTHBEARER", "", "expired", "unexpected data in oauth response"},
		{"OAUTHBEARER foreign token", "OAUTHBEARER", "", "foreign", "unexpected data in oauth response"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			secret := tt.secret
			switch secret {
			case "expired":
				secret = sb.token(t, "ES256", "alice", -time.Hour)
			case "foreign":
				other := pki.NewIssuer(t, sb.issuer.Name) // same name, other keys
				claims := other.Claims("alice", time.Hour)
				claims["aud"] = "kafka"
				secret = other.Token(t, "RS256", claims)
				sb.logs.addSecret(secret)
			}
			cl := sb.saslClient(t, "SASL_SSL", mechanism(tt.mech, tt.user, secret), kgo.RequestRetries(0))
			err := pingErr(t, cl)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
	sb.logs.waitLog(t, "credential refused", "mechanism=OAUTHBEARER", "expired")
	sb.logs.waitLog(t, "credential refused", "mechanism=OAUTHBEARER", "signature does not verify")
	sb.logs.waitLog(t, "authentication failed", "mechanism=SCRAM-SHA-512", "no SCRAM-SHA-512 credentials")
}

func TestSecurityFranzMutualTLS(t *testing.T) {
	sb := startSecure(t)
	for _, tt := range []struct {
		name      string
		cert      func() *tls.Certificate
		principal string
	}{
		{"mapped certificate", func() *tls.Certificate { return sb.clientCert(t, "Alice") }, "User:alice"},
		{"no certificate", func() *tls.Certificate { return nil }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cl := newClient(t, sb.ListenerAddr("SSL"), kgo.DialTLSConfig(sb.clientTLS(tt.cert())))
			if err := produceSecured(t, cl, "secured"); err != nil {
				t.Fatal(err)
			}
			if tt.principal != "" {
				sb.logs.waitLog(t, "authenticated by TLS client certificate", "principal="+tt.principal)
			}
		})
	}
	t.Run("other subjects map by DEFAULT", func(t *testing.T) {
		c := sb.ca.Client(t, pkix.Name{CommonName: "robot", Organization: []string{"Samsa"}}).TLS(t)
		cl := newClient(t, sb.ListenerAddr("SSL"), kgo.DialTLSConfig(sb.clientTLS(&c)))
		if err := pingErr(t, cl); err != nil {
			t.Fatal(err)
		}
		sb.logs.waitLog(t, "authenticated by TLS client certificate", `principal="User:CN=robot,O=Samsa"`)
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		other := pki.NewCA(t).Client(t, pkix.Name{CommonName: "mallory", OrganizationalUnit: []string{"Clients"}}).TLS(t)
		cl := newClient(t, sb.ListenerAddr("SSL"), kgo.DialTLSConfig(sb.clientTLS(&other)), kgo.RequestRetries(0))
		if err := pingErr(t, cl); err == nil {
			t.Fatal("a certificate from another CA was accepted")
		}
	})
	t.Run("plaintext client on the TLS port", func(t *testing.T) {
		cl := newClient(t, sb.ListenerAddr("SSL"), kgo.RequestRetries(0), kgo.DialTimeout(2*time.Second))
		ctx, cancel := context.WithTimeout(testContext(t), 5*time.Second)
		defer cancel()
		if err := cl.Ping(ctx); err == nil {
			t.Fatal("a plaintext client talked to the SSL listener")
		}
	})
}

// TestSecurityScramFromAlterUserScram uses the broker's own credential
// store: a user created with AlterUserScramCredentials over PLAINTEXT logs
// in over SASL_SSL, and stops being able to once deleted.
func TestSecurityScramFromAlterUserScram(t *testing.T) {
	sb := startSecure(t, func(o *samsa.Options) { o.ScramCredentials = nil })
	adm := newAdmin(t, sb.Addr())
	ctx := testContext(t)
	_, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{
		User: "dave", Mechanism: kadm.ScramSha512, Iterations: 8192, Password: "dave-secret",
	}})
	if err != nil {
		t.Fatal(err)
	}
	sb.logs.addSecret("dave-secret")
	cl := sb.saslClient(t, "SASL_SSL", mechanism("SCRAM-SHA-512", "dave", "dave-secret"))
	if err := produceSecured(t, cl, "secured"); err != nil {
		t.Fatal(err)
	}
	wrong := sb.saslClient(t, "SASL_SSL", mechanism("SCRAM-SHA-512", "dave", "wrong-secret"), kgo.RequestRetries(0))
	if err := pingErr(t, wrong); err == nil {
		t.Fatal("a wrong password authenticated")
	}
}

// TestSecurityMetadataAdvertisesTheListener: each listener's clients are
// given that listener's address (Kafka answers Metadata, FindCoordinator
// and DescribeCluster with the endpoint of the request's listener).
func TestSecurityMetadataAdvertisesTheListener(t *testing.T) {
	sb := startSecure(t)
	for _, listener := range []string{"PLAINTEXT", "SSL", "SASL_SSL"} {
		var cl *kgo.Client
		switch listener {
		case "PLAINTEXT":
			cl = newClient(t, sb.Addr())
		case "SSL":
			cl = newClient(t, sb.ListenerAddr("SSL"), kgo.DialTLSConfig(sb.clientTLS(nil)))
		default:
			cl = sb.saslClient(t, listener, mechanism("PLAIN", "alice", "alice-secret"))
		}
		want := sb.ListenerAddr(listener)
		ctx := testContext(t)
		md, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		got := net.JoinHostPort(md.Brokers[0].Host, strconv.Itoa(int(md.Brokers[0].Port)))
		fc := kmsg.NewPtrFindCoordinatorRequest()
		fc.CoordinatorKeys = []string{"g"}
		fr, err := fc.RequestWith(ctx, cl)
		if err != nil || len(fr.Coordinators) != 1 || fr.Coordinators[0].ErrorCode != 0 {
			t.Fatalf("FindCoordinator: %v %+v", err, fr)
		}
		c := fr.Coordinators[0]
		gotCoord := net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))
		if got != want || gotCoord != want {
			t.Errorf("%s: metadata gives %s, coordinator %s, want %s", listener, got, gotCoord, want)
		}
	}
}
