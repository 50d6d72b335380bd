package config

import (
	"fmt"
	"net"
	"strings"
)

// PlaintextListener returns the host:port of the PLAINTEXT listener named in
// a Kafka listeners or advertised.listeners property ("" if the property is
// not set). Controller listeners are skipped; any other security protocol is
// an error until Samsa supports it.
func (b *Broker) PlaintextListener(property string) (string, error) {
	list := b.value(property)
	if list == "" {
		return "", nil
	}
	controllers := strings.Split(b.value("controller.listener.names"), ",")
	var addr string
	for _, l := range strings.Split(list, ",") {
		name, hostPort, ok := strings.Cut(strings.TrimSpace(l), "://")
		if !ok {
			return "", fmt.Errorf("config: %s: %q is not NAME://host:port", property, l)
		}
		if contains(controllers, name) || name == "CONTROLLER" {
			continue
		}
		if name != "PLAINTEXT" {
			return "", fmt.Errorf("config: %s: listener %s: only PLAINTEXT is supported", property, name)
		}
		if _, _, err := net.SplitHostPort(hostPort); err != nil {
			return "", fmt.Errorf("config: %s: %v", property, err)
		}
		addr = hostPort
	}
	return addr, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.TrimSpace(v) == s {
			return true
		}
	}
	return false
}
