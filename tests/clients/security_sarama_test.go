package clients

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Sarama against the secured listeners: its own PLAIN (handshake v0 with
// raw tokens and v1), SCRAM through its SCRAMClient hook, OAUTHBEARER
// through a token provider, TLS with and without a client certificate.

// saramaSecure configures SASL (mechanism "" for none) and TLS (nil for
// none) on top of saramaConfig.
func saramaSecure(mech sarama.SASLMechanism, user, secret string, tlsCfg *tls.Config) *sarama.Config {
	cfg := saramaConfig(sarama.CompressionNone)
	cfg.Net.ReadTimeout, cfg.Net.DialTimeout = 5*time.Second, 5*time.Second
	cfg.Producer.Retry.Max = 0
	cfg.Metadata.Retry.Max = 0
	if tlsCfg != nil {
		cfg.Net.TLS.Enable, cfg.Net.TLS.Config = true, tlsCfg
	}
	if mech == "" {
		return cfg
	}
	cfg.Net.SASL.Enable, cfg.Net.SASL.Mechanism = true, mech
	cfg.Net.SASL.User, cfg.Net.SASL.Password = user, secret
	switch mech {
	case sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512:
		cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &saramaScram{mech: string(mech)} }
	case sarama.SASLTypeOAuth:
		cfg.Net.SASL.TokenProvider = staticToken(secret)
	}
	return cfg
}

// saramaScram is Sarama's SCRAMClient on top of franz-go's SCRAM session.
type saramaScram struct {
	mech    string
	session sasl.Session
	first   []byte
	done    bool
}

func (s *saramaScram) Begin(user, password, authzID string) error {
	auth := scram.Auth{User: user, Pass: password, Zid: authzID}
	m := auth.AsSha256Mechanism()
	if s.mech == sarama.SASLTypeSCRAMSHA512 {
		m = auth.AsSha512Mechanism()
	}
	var err error
	s.session, s.first, err = m.Authenticate(context.Background(), "")
	return err
}

func (s *saramaScram) Step(challenge string) (string, error) {
	if s.first != nil {
		first := string(s.first)
		s.first = nil
		return first, nil
	}
	done, next, err := s.session.Challenge([]byte(challenge))
	s.done = done
	return string(next), err
}

func (s *saramaScram) Done() bool { return s.done }

type staticToken string

func (t staticToken) Token() (*sarama.AccessToken, error) {
	return &sarama.AccessToken{Token: string(t)}, nil
}

// saramaProduce sends one record and returns the error, if any.
func saramaProduce(t *testing.T, addr string, cfg *sarama.Config) error {
	t.Helper()
	p, err := sarama.NewSyncProducer([]string{addr}, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	_, _, err = p.SendMessage(&sarama.ProducerMessage{Topic: "secured", Partition: 0, Value: sarama.StringEncoder("sarama")})
	return err
}

func TestSecuritySarama(t *testing.T) {
	sb := startSecure(t)
	for _, tt := range []struct {
		name     string
		listener string
		cfg      func() *sarama.Config
		user     string // the principal the broker logs, "" to skip
	}{
		{"PLAIN handshake v1", "SASL_SSL", func() *sarama.Config {
			return saramaSecure(sarama.SASLTypePlaintext, "alice", "alice-secret", sb.clientTLS(nil))
		}, "alice"},
		{"PLAIN handshake v0 raw tokens", "SASL_PLAINTEXT", func() *sarama.Config {
			cfg := saramaSecure(sarama.SASLTypePlaintext, "bob", "bob-secret", nil)
			cfg.Net.SASL.Version, cfg.ApiVersionsRequest = sarama.SASLHandshakeV0, false
			return cfg
		}, "bob"},
		{"SCRAM-SHA-512", "SASL_SSL", func() *sarama.Config {
			return saramaSecure(sarama.SASLTypeSCRAMSHA512, "alice", "alice-secret", sb.clientTLS(nil))
		}, "alice"},
		{"SCRAM-SHA-256 handshake v0", "SASL_PLAINTEXT", func() *sarama.Config {
			cfg := saramaSecure(sarama.SASLTypeSCRAMSHA256, "bob", "bob-secret", nil)
			cfg.Net.SASL.Version, cfg.ApiVersionsRequest = sarama.SASLHandshakeV0, false
			return cfg
		}, "bob"},
		{"OAUTHBEARER", "SASL_SSL", func() *sarama.Config {
			return saramaSecure(sarama.SASLTypeOAuth, "", sb.token(t, "ES256", "carol", time.Hour), sb.clientTLS(nil))
		}, "carol"},
		{"mutual TLS", "SSL", func() *sarama.Config {
			return saramaSecure("", "", "", sb.clientTLS(sb.clientCert(t, "Dave")))
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := saramaProduce(t, sb.ListenerAddr(tt.listener), tt.cfg()); err != nil {
				t.Fatal(err)
			}
			if tt.user != "" {
				sb.logs.waitLog(t, "msg=authenticated", "listener="+tt.listener, "principal=User:"+tt.user)
			}
		})
	}
	sb.logs.waitLog(t, "authenticated by TLS client certificate", "principal=User:dave")
}

func TestSecuritySaramaFailures(t *testing.T) {
	sb := startSecure(t)
	for _, tt := range []struct {
		name     string
		listener string
		cfg      *sarama.Config
	}{
		{"PLAIN wrong password", "SASL_SSL", saramaSecure(sarama.SASLTypePlaintext, "alice", "wrong-secret", sb.clientTLS(nil))},
		{"SCRAM unknown user", "SASL_PLAINTEXT", saramaSecure(sarama.SASLTypeSCRAMSHA256, "carol", "wrong-secret", nil)},
		{"OAUTHBEARER expired", "SASL_SSL", saramaSecure(sarama.SASLTypeOAuth, "", sb.token(t, "RS256", "alice", -time.Minute), sb.clientTLS(nil))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := saramaProduce(t, sb.ListenerAddr(tt.listener), tt.cfg)
			if err == nil {
				t.Fatal("authenticated")
			}
			if !errors.Is(err, sarama.ErrOutOfBrokers) && !strings.Contains(err.Error(), "SASL") && !strings.Contains(err.Error(), "uthentication") {
				t.Errorf("unexpected error %v", err)
			}
		})
	}
	// Sarama acknowledges the error challenge with the four characters
	// `\x01` instead of the byte 0x01, which Kafka, and so Samsa, take for
	// a malformed first message: the failure is generic, the refusal
	// logged before it says why.
	sb.logs.waitLog(t, "credential refused", "mechanism=OAUTHBEARER", `reason="invalid token: JWT expired`)
	sb.logs.waitLog(t, "authentication failed", "mechanism=OAUTHBEARER", "Invalid OAUTHBEARER client first message")
}
