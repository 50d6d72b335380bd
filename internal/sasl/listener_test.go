package sasl

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/samsatest/pki"
)

func TestNewListener(t *testing.T) {
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(jwks, pki.NewIssuer(t, "i").JWKS(), 0o600)
	lg := slog.New(slog.DiscardHandler)
	creds := memScram{}
	cfg, err := config.NewBroker(map[string]string{
		"sasl.enabled.mechanisms":                                               "PLAIN",
		"listener.name.sasl_ssl.sasl.enabled.mechanisms":                        "PLAIN,SCRAM-SHA-512,OAUTHBEARER",
		"listener.name.sasl_ssl.plain.sasl.jaas.config":                         `org.apache.kafka.common.security.plain.PlainLoginModule required user_a="b";`,
		"listener.name.sasl_ssl.scram-sha-512.connections.max.reauth.ms":        "60000",
		"sasl.oauthbearer.jwks.endpoint.url":                                    "file://" + jwks,
		"listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class": validatorHandler,
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewListener(cfg, "SASL_SSL", creds, lg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(l.Mechanisms(), ","); got != "PLAIN,SCRAM-SHA-512,OAUTHBEARER" || l.MaxReauth(ScramSHA512) != time.Minute || l.MaxReauth(Plain) != 0 || l.MaxReceive() != 524288 {
		t.Errorf("mechanisms %s reauth %v/%v receive %d", got, l.MaxReauth(ScramSHA512), l.MaxReauth(Plain), l.MaxReceive())
	}
	ex, err := l.Start(Plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, done, err := ex.Next([]byte("\x00a\x00b")); !done || err != nil {
		t.Errorf("PLAIN from the JAAS config: %v", err)
	}
	if _, err := l.Start(ScramSHA256); err == nil {
		t.Error("a mechanism that is not enabled started")
	}

	for _, tt := range []struct {
		props map[string]string
		scram ScramCredentials
		want  string
	}{
		{map[string]string{}, creds, "GSSAPI (Kerberos) is not supported"},
		{map[string]string{"sasl.enabled.mechanisms": "PLAIN"}, creds, "PLAIN needs a sasl.jaas.config"},
		{map[string]string{"sasl.enabled.mechanisms": "PLAIN", "sasl.jaas.config": "x required a"}, creds, "JAAS"},
		{map[string]string{"sasl.enabled.mechanisms": "SCRAM-SHA-256"}, nil, "credential store"},
		{map[string]string{"sasl.enabled.mechanisms": "OAUTHBEARER"}, creds, "jwks.endpoint.url"},
		{map[string]string{"sasl.enabled.mechanisms": "OAUTHBEARER", "sasl.oauthbearer.jwks.endpoint.url": "file://" + jwks,
			"sasl.server.callback.handler.class": "com.example.Mine"}, creds, "not supported"},
		{map[string]string{"sasl.enabled.mechanisms": "DIGEST-MD5"}, creds, "unknown SASL mechanism"},
	} {
		cfg, err := config.NewBroker(tt.props)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewListener(cfg, "SASL_PLAINTEXT", tt.scram, lg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.props, err, tt.want)
		}
	}
}
