package cli

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// security is how every client command connects: TLS and SASL, as a Kafka
// client's security.protocol, ssl.* and sasl.* settings.
type security struct {
	tls           bool
	tlsCA         string
	tlsCert       string
	tlsKey        string
	tlsInsecure   bool
	saslMechanism string
	saslUser      string
	saslPassword  string
	saslToken     string
}

// securityFromEnv reads the secrets that should stay off the command line,
// where other users of the machine could read them in the process list.
func securityFromEnv(getenv func(string) string) security {
	if getenv == nil {
		return security{}
	}
	return security{saslPassword: getenv("SAMSA_SASL_PASSWORD"), saslToken: getenv("SAMSA_SASL_TOKEN")}
}

var securityFlagNames = []string{
	"tls", "tls-ca", "tls-cert", "tls-key", "tls-insecure-skip-verify",
	"sasl-mechanism", "sasl-user", "sasl-password", "sasl-token",
}

func (sec *security) register(fs *flagSet) {
	fs.BoolVar(&sec.tls, "tls", sec.tls, "connect with TLS (implied by the other --tls-* flags)")
	fs.StringVar(&sec.tlsCA, "tls-ca", sec.tlsCA, "PEM `file` of the CA certificates to trust (default: the system's)")
	fs.StringVar(&sec.tlsCert, "tls-cert", sec.tlsCert, "PEM `file` of the client certificate, for brokers that ask for one")
	fs.StringVar(&sec.tlsKey, "tls-key", sec.tlsKey, "PEM `file` of the client certificate's private key")
	fs.BoolVar(&sec.tlsInsecure, "tls-insecure-skip-verify", sec.tlsInsecure, "do not verify the broker's certificate (testing only)")
	fs.StringVar(&sec.saslMechanism, "sasl-mechanism", sec.saslMechanism, "authenticate with `MECH`: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER")
	fs.StringVar(&sec.saslUser, "sasl-user", sec.saslUser, "SASL user `name` (PLAIN, SCRAM)")
	fs.Var(secret{&sec.saslPassword}, "sasl-password", "SASL `password` (PLAIN, SCRAM); env SAMSA_SASL_PASSWORD keeps it out of the process list")
	fs.Var(secret{&sec.saslToken}, "sasl-token", "OAUTHBEARER `token`; env SAMSA_SASL_TOKEN keeps it out of the process list")
	for _, name := range securityFlagNames {
		fs.globals[name] = true
	}
}

// opts turns the flags into franz-go options; a bad combination or an
// unreadable file is a usage error.
func (sec *security) opts() ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if sec.wantsTLS() {
		cfg, err := sec.tlsConfig()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	mech, err := sec.mechanism()
	if err != nil {
		return nil, err
	}
	if mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}

func (sec *security) wantsTLS() bool {
	return sec.tls || sec.tlsCA != "" || sec.tlsCert != "" || sec.tlsKey != "" || sec.tlsInsecure
}

func (sec *security) tlsConfig() (*tls.Config, error) {
	// ServerName is left empty: franz-go sets it to each broker's host.
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: sec.tlsInsecure}
	if sec.tlsCA != "" {
		pem, err := os.ReadFile(sec.tlsCA)
		if err != nil {
			return nil, usagef("--tls-ca: %v", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, usagef("--tls-ca %s: no PEM certificate found", sec.tlsCA)
		}
	}
	if (sec.tlsCert == "") != (sec.tlsKey == "") {
		return nil, usagef("--tls-cert and --tls-key go together")
	}
	if sec.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(sec.tlsCert, sec.tlsKey)
		if err != nil {
			return nil, usagef("--tls-cert/--tls-key: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// mechanism is the SASL mechanism the flags ask for, nil for none.
func (sec *security) mechanism() (sasl.Mechanism, error) {
	name := strings.ToUpper(sec.saslMechanism)
	if name == "" {
		if sec.saslUser != "" {
			return nil, usagef("--sasl-user needs --sasl-mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)")
		}
		return nil, nil
	}
	if name == "OAUTHBEARER" {
		if sec.saslToken == "" {
			return nil, usagef("--sasl-mechanism OAUTHBEARER needs --sasl-token or env SAMSA_SASL_TOKEN")
		}
		return oauth.Auth{Token: sec.saslToken}.AsMechanism(), nil
	}
	if sec.saslUser == "" || sec.saslPassword == "" {
		if isUserPasswordMechanism(name) {
			return nil, usagef("--sasl-mechanism %s needs --sasl-user and --sasl-password (or env SAMSA_SASL_PASSWORD)", name)
		}
	}
	switch name {
	case "PLAIN":
		return plain.Auth{User: sec.saslUser, Pass: sec.saslPassword}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: sec.saslUser, Pass: sec.saslPassword}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: sec.saslUser, Pass: sec.saslPassword}.AsSha512Mechanism(), nil
	}
	return nil, usagef("--sasl-mechanism %q: want PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER", sec.saslMechanism)
}

func isUserPasswordMechanism(name string) bool {
	return name == "PLAIN" || name == "SCRAM-SHA-256" || name == "SCRAM-SHA-512"
}

// secret is a string flag that never shows its value, so a password from
// the environment does not appear as a default in --help.
type secret struct{ p *string }

func (s secret) String() string     { return "" }
func (s secret) Set(v string) error { *s.p = v; return nil }
