package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestListeners(t *testing.T) {
	b := mustBroker(t, map[string]string{
		"listeners":                      "PLAINTEXT://127.0.0.1:19092,CONTROLLER://:9093,sasl_ssl://:9094,client://[::1]:9095",
		"controller.listener.names":      "CONTROLLER",
		"advertised.listeners":           "PLAINTEXT://kafka.example:9092,SASL_SSL://kafka.example:9094",
		"listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
	})
	got, err := b.Listeners()
	if err != nil {
		t.Fatal(err)
	}
	want := []Listener{
		{Name: "PLAINTEXT", Protocol: Plaintext, Addr: "127.0.0.1:19092", Advertised: "kafka.example:9092"},
		{Name: "SASL_SSL", Protocol: SASLSSL, Addr: ":9094", Advertised: "kafka.example:9094"},
		{Name: "CLIENT", Protocol: SASLPlaintext, Addr: "[::1]:9095"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("listeners:\n got %+v\nwant %+v", got, want)
	}
	if !got[1].TLS() || !got[1].SASL() || got[2].TLS() || !got[2].SASL() || got[0].TLS() || got[0].SASL() {
		t.Error("TLS/SASL flags wrong")
	}
	if ls, err := mustBroker(t, nil).Listeners(); err != nil || len(ls) != 0 {
		t.Errorf("no listeners property: %v, %v", ls, err)
	}
}

func TestListenersRefused(t *testing.T) {
	for _, tt := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"listeners": "PLAINTEXT:9092"}, "not NAME://host:port"},
		{map[string]string{"listeners": "PLAINTEXT://localhost"}, "missing port"},
		{map[string]string{"listeners": "PLAINTEXT://:70000"}, "not 0-65535"},
		{map[string]string{"listeners": "PLAINTEXT://:9092,plaintext://:9093"}, "named twice"},
		{map[string]string{"listeners": "PLAINTEXT://:9092,SSL://:9092"}, "same port"},
		{map[string]string{"listeners": "CLIENT://:9092"}, "no security protocol defined for listener CLIENT"},
		{map[string]string{"listeners": "PLAINTEXT://:9092", "advertised.listeners": "SSL://a:1"}, "not in listeners"},
		{map[string]string{"listeners": "PLAINTEXT://:9092", "advertised.listeners": "PLAINTEXT://0.0.0.0:9092"}, "nonroutable"},
	} {
		_, err := mustBroker(t, tt.props).Listeners()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.props, err, tt.want)
		}
	}
	if _, err := NewBroker(map[string]string{"listener.security.protocol.map": "A:TLS"}); err == nil {
		t.Error("unknown protocol in the map accepted")
	}
}

func TestListenerPrefixedProperties(t *testing.T) {
	b := mustBroker(t, map[string]string{
		"ssl.client.auth":                                                "requested",
		"listener.name.ssl.ssl.client.auth":                              "required",
		"sasl.enabled.mechanisms":                                        "PLAIN",
		"listener.name.sasl_ssl.sasl.enabled.mechanisms":                 "SCRAM-SHA-256,PLAIN",
		"listener.name.sasl_ssl.plain.sasl.jaas.config":                  `x required user_a="b";`,
		"listener.name.sasl_ssl.scram-sha-256.connections.max.reauth.ms": "5000",
	})
	for _, tt := range []struct{ got, want string }{
		{b.ListenerValue("SSL", "ssl.client.auth"), "required"},
		{b.ListenerValue("SASL_SSL", "ssl.client.auth"), "requested"},
		{b.ListenerValue("SASL_SSL", "sasl.enabled.mechanisms"), "SCRAM-SHA-256,PLAIN"},
		{b.ListenerValue("OTHER", "sasl.enabled.mechanisms"), "PLAIN"},
		{b.MechanismValue("SASL_SSL", "PLAIN", "sasl.jaas.config"), `x required user_a="b";`},
		{b.MechanismValue("SASL_SSL", "SCRAM-SHA-256", "connections.max.reauth.ms"), "5000"},
		{b.MechanismValue("SASL_SSL", "PLAIN", "connections.max.reauth.ms"), "0"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if _, ok := b.ListenerOverride("SASL_SSL", "ssl.client.auth"); ok {
		t.Error("override reported for a listener without one")
	}
	for _, bad := range []string{
		"listener.name.x.log.retention.ms", "listener.name.x.plain.ssl.client.auth", "listener.name.ssl.client.auth",
	} {
		if _, err := NewBroker(map[string]string{bad: "1"}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	_, err := NewBroker(map[string]string{"listener.name.x.ssl.client.auth": "maybe"})
	if err == nil {
		t.Error("bad prefixed value accepted")
	}
}

func TestPrefixedSecretsAreSensitive(t *testing.T) {
	for _, name := range []string{"listener.name.a.sasl.jaas.config", "listener.name.a.plain.sasl.jaas.config", "listener.name.a.ssl.keystore.key"} {
		if d, ok := lookupBrokerDef(name); !ok || d.typ != Password {
			t.Errorf("%s: found %v, type %v, want PASSWORD", name, ok, d.typ)
		}
	}
}

func TestSecretsAreNotDescribed(t *testing.T) {
	b := mustBroker(t, map[string]string{
		"sasl.jaas.config": `x required user_a="topsecret";`,
		"ssl.key.password": "topsecret",
	})
	for _, e := range b.DescribeBroker() {
		if e.Name == "sasl.jaas.config" || e.Name == "ssl.key.password" {
			if e.Value != nil || !e.Sensitive {
				t.Errorf("%s described as %v, sensitive %v", e.Name, e.Value, e.Sensitive)
			}
		}
		for _, s := range e.Synonyms {
			if s.Value != nil && strings.Contains(*s.Value, "topsecret") {
				t.Errorf("%s synonym %s shows the secret", e.Name, s.Name)
			}
		}
	}
}
