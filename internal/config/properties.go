package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParseProperties reads the java.util.Properties text format that Kafka's
// server.properties uses: "name=value", "name: value" or "name value" lines,
// '#' and '!' comments, and a trailing backslash continuing a line.
func ParseProperties(r io.Reader) (map[string]string, error) {
	props := make(map[string]string)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var pending strings.Builder
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimLeft(sc.Text(), " \t\f")
		if pending.Len() == 0 && (line == "" || line[0] == '#' || line[0] == '!') {
			continue
		}
		if continued(line) {
			pending.WriteString(line[:len(line)-1])
			continue
		}
		pending.WriteString(line)
		name, value := splitProperty(pending.String())
		pending.Reset()
		if name == "" {
			return nil, fmt.Errorf("config: line %d: empty property name", lineNo)
		}
		props[name] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: reading properties: %w", err)
	}
	if pending.Len() > 0 {
		name, value := splitProperty(pending.String())
		props[name] = value
	}
	return props, nil
}

// continued reports whether a line ends in an odd number of backslashes.
func continued(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func splitProperty(line string) (name, value string) {
	i := strings.IndexAny(line, "=: \t")
	if i < 0 {
		return strings.TrimSpace(line), ""
	}
	name = strings.TrimSpace(line[:i])
	rest := strings.TrimLeft(line[i:], " \t")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = rest[1:]
	}
	return name, strings.TrimSpace(rest)
}

// ParseOverride splits one --override argument, "name=value".
func ParseOverride(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", fmt.Errorf("config: override %q is not name=value", s)
	}
	return name, strings.TrimSpace(value), nil
}
