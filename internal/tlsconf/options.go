package tlsconf

import (
	"crypto/tls"
	"fmt"

	"github.com/samsa-streaming/samsa/internal/config"
)

// Options are one listener's ssl.* settings (listener prefixes resolved).
type Options struct {
	KeystoreType     string // must be PEM
	KeystoreLocation string // file with key and chain, or ""
	KeystorePassword string // must be empty for PEM, as in Kafka
	KeyPassword      string // for an encrypted PKCS#8 key
	KeystoreChain    string // inline PEM chain (with KeystoreKey)
	KeystoreKey      string // inline PEM key

	TruststoreType         string // must be PEM when a trust store is given
	TruststoreLocation     string
	TruststorePassword     string // must be empty for PEM
	TruststoreCertificates string // inline PEM certificates

	ClientAuth   string   // none, requested or required
	Protocols    []string // TLSv1 .. TLSv1.3
	CipherSuites []string // IANA names; empty: Go's defaults
	MappingRules string   // ssl.principal.mapping.rules
}

// ListenerOptions reads a listener's settings from the broker config. On
// SASL_SSL listeners ssl.client.auth counts only with the listener prefix
// (Kafka's KIP-684): client certificates are not asked for otherwise.
func ListenerOptions(cfg *config.Broker, l config.Listener) Options {
	v := func(name string) string { return cfg.ListenerValue(l.Name, name) }
	clientAuth := v("ssl.client.auth")
	if l.Protocol == config.SASLSSL {
		var ok bool
		if clientAuth, ok = cfg.ListenerOverride(l.Name, "ssl.client.auth"); !ok {
			clientAuth = "none"
		}
	}
	return Options{
		KeystoreType: v("ssl.keystore.type"), KeystoreLocation: v("ssl.keystore.location"),
		KeystorePassword: v("ssl.keystore.password"), KeyPassword: v("ssl.key.password"),
		KeystoreChain: v("ssl.keystore.certificate.chain"), KeystoreKey: v("ssl.keystore.key"),
		TruststoreType: v("ssl.truststore.type"), TruststoreLocation: v("ssl.truststore.location"),
		TruststorePassword: v("ssl.truststore.password"), TruststoreCertificates: v("ssl.truststore.certificates"),
		ClientAuth:   clientAuth,
		Protocols:    config.SplitList(v("ssl.enabled.protocols")),
		CipherSuites: config.SplitList(v("ssl.cipher.suites")),
		MappingRules: v("ssl.principal.mapping.rules"),
	}
}

// validate checks the combinations Kafka's DefaultSslEngineFactory refuses.
func (o Options) validate() error {
	switch {
	case o.KeystoreType != "PEM":
		return fmt.Errorf("tlsconf: ssl.keystore.type=%s is not supported: Samsa reads PEM key stores (set ssl.keystore.type=PEM)", o.KeystoreType)
	case o.KeystorePassword != "":
		return fmt.Errorf("tlsconf: SSL key store password cannot be specified with PEM format, only key password may be specified")
	case o.KeystoreLocation != "" && (o.KeystoreChain != "" || o.KeystoreKey != ""):
		return fmt.Errorf("tlsconf: set either ssl.keystore.location or ssl.keystore.certificate.chain and ssl.keystore.key, not both")
	case o.KeystoreLocation == "" && (o.KeystoreChain == "" || o.KeystoreKey == ""):
		return fmt.Errorf("tlsconf: a TLS listener needs ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key")
	case o.TruststoreLocation != "" && o.TruststoreCertificates != "":
		return fmt.Errorf("tlsconf: set either ssl.truststore.location or ssl.truststore.certificates, not both")
	case (o.TruststoreLocation != "" || o.TruststoreCertificates != "") && o.TruststoreType != "PEM":
		return fmt.Errorf("tlsconf: ssl.truststore.type=%s is not supported: Samsa reads PEM trust stores (set ssl.truststore.type=PEM)", o.TruststoreType)
	case o.TruststorePassword != "":
		return fmt.Errorf("tlsconf: SSL trust store password cannot be specified for PEM format")
	}
	return nil
}

func clientAuthType(v string) (tls.ClientAuthType, error) {
	switch v {
	case "", "none":
		return tls.NoClientCert, nil
	case "requested":
		return tls.VerifyClientCertIfGiven, nil
	case "required":
		return tls.RequireAndVerifyClientCert, nil
	}
	return 0, fmt.Errorf("tlsconf: ssl.client.auth=%s: must be required, requested or none", v)
}

var tlsVersions = map[string]uint16{
	"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13,
}

// versionRange turns ssl.enabled.protocols into Go's min and max.
func versionRange(protocols []string) (lo, hi uint16, err error) {
	for _, p := range protocols {
		v, ok := tlsVersions[p]
		if !ok {
			return 0, 0, fmt.Errorf("tlsconf: ssl.enabled.protocols: unknown protocol %q", p)
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	if lo == 0 {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	return lo, hi, nil
}

// cipherSuites maps IANA names (the names Java and Kafka use too) to ids.
func cipherSuites(names []string) ([]uint16, error) {
	byName := make(map[string]uint16)
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		byName[s.Name] = s.ID
	}
	var ids []uint16
	for _, n := range names {
		id, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("tlsconf: ssl.cipher.suites: unknown or unsupported cipher suite %q", n)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
