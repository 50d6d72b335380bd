package clients

import (
	"context"
	"crypto/tls"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
	"github.com/samsa-streaming/samsa/samsatest/pki"
)

// TestSecurityFranzReauthentication: with connections.max.reauth.ms the
// session lifetime reaches franz-go in SaslAuthenticate, and franz-go
// re-authenticates on its live connection (KIP-368) instead of having it
// closed; requests keep working across several lifetimes.
func TestSecurityFranzReauthentication(t *testing.T) {
	sb := startSecure(t, samsatest.Config("connections.max.reauth.ms", "1500"))
	cl := sb.saslClient(t, "SASL_SSL", mechanism("SCRAM-SHA-512", "alice", "alice-secret"))
	end := time.Now().Add(4 * time.Second)
	for i := 0; time.Now().Before(end); i++ {
		if err := produceSecured(t, cl, "secured"); err != nil {
			t.Fatalf("produce %d: %v", i, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sb.logs.waitLog(t, "msg=authenticated", "mechanism=SCRAM-SHA-512", "reauthentication=true", "principal=User:alice")
	if sb.logs.has("SASL session expired") {
		t.Error("a connection was closed for an expired session; franz-go should have re-authenticated")
	}
}

// TestSecurityTLSReload: a new certificate written over the key store is
// served to new connections within about a second, without a restart.
func TestSecurityTLSReload(t *testing.T) {
	sb := startSecure(t)
	newCA := pki.NewCA(t)
	trustsNew := &tls.Config{RootCAs: newCA.Pool(), ServerName: "127.0.0.1"}
	if err := pingWith(t, sb.ListenerAddr("SSL"), trustsNew); err == nil {
		t.Fatal("a client trusting only the new CA connected before the rotation")
	}
	if err := os.WriteFile(sb.keyStore, newCA.Server(t).KeyStore(), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rotated certificate", func() error { return pingWith(t, sb.ListenerAddr("SSL"), trustsNew) })
	sb.logs.waitLog(t, "reloaded TLS key and trust stores", "listener=SSL")
}

func pingWith(t *testing.T, addr string, cfg *tls.Config) error {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DialTLSConfig(cfg), kgo.RequestRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(testContext(t), 5*time.Second)
	defer cancel()
	return cl.Ping(ctx)
}
