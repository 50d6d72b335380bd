package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Security protocols, Kafka's SecurityProtocol names.
const (
	Plaintext     = "PLAINTEXT"
	SSL           = "SSL"
	SASLPlaintext = "SASL_PLAINTEXT"
	SASLSSL       = "SASL_SSL"
)

// Listener is one entry of the listeners property.
type Listener struct {
	Name     string // upper case, as Kafka normalises listener names
	Protocol string // PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
	Addr     string // host:port to bind; an empty host binds every interface
	// Advertised is the listener's entry in advertised.listeners, the
	// host:port clients are given; "" when it has none (clients then get
	// the bound address).
	Advertised string
}

// TLS reports whether the listener speaks TLS.
func (l Listener) TLS() bool { return l.Protocol == SSL || l.Protocol == SASLSSL }

// SASL reports whether the listener authenticates with SASL.
func (l Listener) SASL() bool { return l.Protocol == SASLPlaintext || l.Protocol == SASLSSL }

// Listeners parses listeners and advertised.listeners as Kafka does:
// NAME://host:port entries, names unique (compared in upper case) and
// mapped to a security protocol by listener.security.protocol.map, ports
// unique (0, a free port, excepted), advertised names a subset of the
// listener names. Controller listeners (controller.listener.names) are
// skipped. An empty listeners property gives no listeners.
func (b *Broker) Listeners() ([]Listener, error) {
	protocols, err := parseProtocolMap(b.value("listener.security.protocol.map"))
	if err != nil {
		return nil, fmt.Errorf("config: listener.security.protocol.map: %w", err)
	}
	controllers := map[string]bool{"CONTROLLER": true}
	for _, n := range SplitList(b.value("controller.listener.names")) {
		controllers[strings.ToUpper(n)] = true
	}
	listeners, err := parseEndpoints("listeners", b.value("listeners"), controllers)
	if err != nil {
		return nil, err
	}
	ports := make(map[string]string)
	for i := range listeners {
		l := &listeners[i]
		if l.Protocol = protocols[l.Name]; l.Protocol == "" {
			return nil, fmt.Errorf("config: listeners: no security protocol defined for listener %s in listener.security.protocol.map", l.Name)
		}
		_, port, _ := net.SplitHostPort(l.Addr)
		if other, dup := ports[port]; dup && port != "0" {
			return nil, fmt.Errorf("config: listeners: %s and %s have the same port %s; each listener must have a different port", other, l.Name, port)
		}
		ports[port] = l.Name
	}
	return listeners, b.addAdvertised(listeners, controllers)
}

func (b *Broker) addAdvertised(listeners []Listener, controllers map[string]bool) error {
	advertised, err := parseEndpoints("advertised.listeners", b.value("advertised.listeners"), controllers)
	if err != nil {
		return err
	}
	for _, a := range advertised {
		host, _, _ := net.SplitHostPort(a.Addr)
		if host == "0.0.0.0" || host == "::" {
			return fmt.Errorf("config: advertised.listeners cannot use the nonroutable meta-address %s; use a routable IP address", host)
		}
		i := indexOfListener(listeners, a.Name)
		if i < 0 {
			return fmt.Errorf("config: advertised.listeners names %s, which is not in listeners", a.Name)
		}
		listeners[i].Advertised = a.Addr
	}
	return nil
}

func indexOfListener(ls []Listener, name string) int {
	for i, l := range ls {
		if l.Name == name {
			return i
		}
	}
	return -1
}

// parseEndpoints parses a listeners-style list, skipping controller names.
func parseEndpoints(property, list string, controllers map[string]bool) ([]Listener, error) {
	var out []Listener
	for _, entry := range SplitList(list) {
		name, hostPort, ok := strings.Cut(entry, "://")
		if !ok || name == "" {
			return nil, fmt.Errorf("config: %s: %q is not NAME://host:port", property, entry)
		}
		name = strings.ToUpper(name)
		if controllers[name] {
			continue
		}
		_, port, err := net.SplitHostPort(hostPort)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %q: %v", property, entry, err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("config: %s: %q: port %q is not 0-65535", property, entry, port)
		}
		if indexOfListener(out, name) >= 0 {
			return nil, fmt.Errorf("config: %s: listener %s is named twice; each listener must have a different name", property, name)
		}
		out = append(out, Listener{Name: name, Addr: hostPort})
	}
	return out, nil
}

// parseProtocolMap parses listener.security.protocol.map, NAME:PROTOCOL,...
func parseProtocolMap(v string) (map[string]string, error) {
	m := make(map[string]string)
	for _, entry := range SplitList(v) {
		name, protocol, ok := strings.Cut(entry, ":")
		name, protocol = strings.ToUpper(strings.TrimSpace(name)), strings.ToUpper(strings.TrimSpace(protocol))
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not NAME:PROTOCOL", entry)
		}
		switch protocol {
		case Plaintext, SSL, SASLPlaintext, SASLSSL:
		default:
			return nil, fmt.Errorf("%s: unknown security protocol %q", name, protocol)
		}
		m[name] = protocol
	}
	return m, nil
}

func validProtocolMap(v string) error {
	_, err := parseProtocolMap(v)
	return err
}
