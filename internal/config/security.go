package config

import (
	"strings"
	"time"
)

// Security properties: TLS key and trust stores, SASL mechanisms, and the
// connection rules around authentication, under Kafka's names and with
// Kafka's defaults. Most of them may also be set for one listener with
// the prefix listener.name.<listener name in lower case>. (Kafka's
// ListenerName.configPrefix), which wins over the plain property; SASL
// settings may in addition name a mechanism after the listener, e.g.
// listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config.
var securityDefs = []brokerDef{
	{name: "listener.security.protocol.map", typ: List, def: "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", doc: "Listener name to security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), NAME:PROTOCOL pairs; setting it replaces the default map.", validate: validProtocolMap},

	{name: "ssl.keystore.type", typ: String, def: "JKS", doc: "Key store format. Samsa reads PEM only, so TLS listeners need ssl.keystore.type=PEM (Kafka 2.7+, KIP-651)."},
	{name: "ssl.keystore.location", typ: String, doc: "PEM file with the private key (PKCS#8, PKCS#1 or SEC 1; PKCS#8 may be encrypted with ssl.key.password) and the certificate chain, leaf first. Reloaded when it changes."},
	{name: "ssl.keystore.password", typ: Password, doc: "Not allowed with PEM key stores, as in Kafka: use ssl.key.password."},
	{name: "ssl.key.password", typ: Password, doc: "Password of an encrypted PKCS#8 private key."},
	{name: "ssl.keystore.certificate.chain", typ: Password, doc: "The certificate chain in PEM, inline (instead of ssl.keystore.location)."},
	{name: "ssl.keystore.key", typ: Password, doc: "The private key in PEM, inline (instead of ssl.keystore.location)."},
	{name: "ssl.truststore.type", typ: String, def: "JKS", doc: "Trust store format; Samsa reads PEM only."},
	{name: "ssl.truststore.location", typ: String, doc: "PEM file with the CA certificates client certificates are verified against. Reloaded when it changes."},
	{name: "ssl.truststore.password", typ: Password, doc: "Not allowed with PEM trust stores, as in Kafka."},
	{name: "ssl.truststore.certificates", typ: Password, doc: "Trusted CA certificates in PEM, inline (instead of ssl.truststore.location)."},
	{name: "ssl.client.auth", typ: String, def: "none", doc: "Client certificates on SSL listeners: required, requested (verified if sent) or none. On SASL_SSL listeners only the listener-prefixed setting counts (KIP-684).", validate: oneOf("required", "requested", "none")},
	{name: "ssl.principal.mapping.rules", typ: String, def: "DEFAULT", doc: "Rules mapping a client certificate's subject (RFC 2253) to a user name: DEFAULT or RULE:pattern/replacement/[LU], comma-separated, first match wins."},
	{name: "ssl.enabled.protocols", typ: List, def: "TLSv1.2,TLSv1.3", doc: "TLS versions accepted.", validate: listOf("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")},
	{name: "ssl.protocol", typ: String, def: "TLSv1.3", doc: "Accepted for compatibility; ssl.enabled.protocols decides."},
	{name: "ssl.cipher.suites", typ: List, def: "", doc: "TLS 1.2 cipher suites by IANA name; empty means Go's secure defaults. TLS 1.3 suites are not configurable."},

	{name: "sasl.enabled.mechanisms", typ: List, def: "GSSAPI", doc: "SASL mechanisms of SASL listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (GSSAPI, Kafka's default, is not supported)."},
	{name: "sasl.jaas.config", typ: Password, doc: "JAAS login module settings; for PLAIN the users, user_<name>=\"<password>\". Kafka reads it only with the listener and mechanism prefix; Samsa also falls back to the plain and listener-only names."},
	{name: "sasl.server.callback.handler.class", typ: String, doc: "Only org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler (OAUTHBEARER with JWKS validation) is accepted."},
	{name: "sasl.server.max.receive.size", typ: Int, def: "524288", doc: "Largest request accepted before authentication completes; bigger ones close the connection.", validate: atLeast(1)},
	{name: "sasl.oauthbearer.jwks.endpoint.url", typ: String, doc: "JWKS with the keys that sign OAUTHBEARER tokens: file:///path (reloaded when it changes) or https://."},
	{name: "sasl.oauthbearer.jwks.endpoint.refresh.ms", typ: Long, def: "3600000", doc: "How often an https JWKS is fetched again.", validate: atLeast(0)},
	{name: "sasl.oauthbearer.expected.audience", typ: List, def: "", doc: "If set, a token's aud must contain one of these."},
	{name: "sasl.oauthbearer.expected.issuer", typ: String, doc: "If set, a token's iss must equal it."},
	{name: "sasl.oauthbearer.clock.skew.seconds", typ: Int, def: "30", doc: "Clock skew allowed when checking exp, nbf and iat.", validate: atLeast(0)},
	{name: "sasl.oauthbearer.sub.claim.name", typ: String, def: "sub", doc: "Claim holding the principal name."},
	{name: "sasl.oauthbearer.scope.claim.name", typ: String, def: "scope", doc: "Claim holding the token's scopes."},
	{name: "connections.max.reauth.ms", typ: Long, def: "0", doc: "KIP-368: SASL sessions last at most this long (0: until the credential expires, if it does); a connection whose session expired must re-authenticate before any other request or is closed.", validate: atLeast(0)},
	{name: "connection.failed.authentication.delay.ms", typ: Int, def: "100", doc: "How long a failed authentication waits before the answer is sent and the connection closed.", validate: atLeast(0)},

	// Accepted so that Kafka's TLS/SASL examples work; they change nothing.
	{name: "ssl.endpoint.identification.algorithm", typ: String, ignored: true},
	{name: "ssl.keymanager.algorithm", typ: String, ignored: true},
	{name: "ssl.trustmanager.algorithm", typ: String, ignored: true},
	{name: "ssl.secure.random.implementation", typ: String, ignored: true},
	{name: "sasl.mechanism.inter.broker.protocol", typ: String, ignored: true},
	{name: "security.inter.broker.protocol", typ: String, ignored: true},
}

func init() { brokerDefs = append(brokerDefs, securityDefs...) }

// perListener are the properties that listener.name.<listener>. may
// prefix (the security settings, as Kafka's channel builders read them).
var perListener = map[string]bool{
	"ssl.keystore.type": true, "ssl.keystore.location": true, "ssl.keystore.password": true,
	"ssl.key.password": true, "ssl.keystore.certificate.chain": true, "ssl.keystore.key": true,
	"ssl.truststore.type": true, "ssl.truststore.location": true, "ssl.truststore.password": true,
	"ssl.truststore.certificates": true, "ssl.client.auth": true, "ssl.principal.mapping.rules": true,
	"ssl.enabled.protocols": true, "ssl.protocol": true, "ssl.cipher.suites": true,
	"sasl.enabled.mechanisms": true, "sasl.jaas.config": true, "sasl.server.callback.handler.class": true,
	"sasl.server.max.receive.size": true, "sasl.oauthbearer.jwks.endpoint.url": true,
	"sasl.oauthbearer.jwks.endpoint.refresh.ms": true, "sasl.oauthbearer.expected.audience": true,
	"sasl.oauthbearer.expected.issuer": true, "sasl.oauthbearer.clock.skew.seconds": true,
	"sasl.oauthbearer.sub.claim.name": true, "sasl.oauthbearer.scope.claim.name": true,
	"connections.max.reauth.ms": true,
}

// saslMechanisms may follow the listener in a prefix (lower case).
var saslMechanisms = []string{"plain", "scram-sha-256", "scram-sha-512", "oauthbearer", "gssapi"}

const listenerPrefix = "listener.name."

// lookupListenerDef finds the definition of a listener-prefixed property,
// listener.name.<listener>.[<mechanism>.]<property>.
func lookupListenerDef(name string) (brokerDef, bool) {
	rest, ok := strings.CutPrefix(name, listenerPrefix)
	if !ok {
		return brokerDef{}, false
	}
	_, prop, ok := strings.Cut(rest, ".")
	if !ok {
		return brokerDef{}, false
	}
	for _, m := range saslMechanisms {
		if p, ok := strings.CutPrefix(prop, m+"."); ok && (strings.HasPrefix(p, "sasl.") || p == "connections.max.reauth.ms") {
			prop = p
			break
		}
	}
	if !perListener[prop] {
		return brokerDef{}, false
	}
	for _, d := range securityDefs {
		if d.name == prop {
			d.name, d.def = name, ""
			return d, true
		}
	}
	return brokerDef{}, false
}

// ListenerValue is a security property as one listener sees it: the
// listener-prefixed value if set, else the broker-wide one (or default).
func (b *Broker) ListenerValue(listener, name string) string {
	if v, ok := b.ListenerOverride(listener, name); ok {
		return v
	}
	return b.value(name)
}

// ListenerOverride is the listener-prefixed value of a property, if set.
func (b *Broker) ListenerOverride(listener, name string) (string, bool) {
	v, ok := b.current().values[listenerPrefix+strings.ToLower(listener)+"."+name]
	return v, ok
}

// MechanismValue is a SASL property for one mechanism on one listener:
// listener.name.<l>.<mechanism>.<name>, else ListenerValue.
func (b *Broker) MechanismValue(listener, mechanism, name string) string {
	key := listenerPrefix + strings.ToLower(listener) + "." + strings.ToLower(mechanism) + "." + name
	if v, ok := b.current().values[key]; ok {
		return v
	}
	return b.ListenerValue(listener, name)
}

// FailedAuthenticationDelay is connection.failed.authentication.delay.ms.
func (b *Broker) FailedAuthenticationDelay() time.Duration {
	return b.ms("connection.failed.authentication.delay.ms")
}
