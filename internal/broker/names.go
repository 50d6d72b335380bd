package broker

import (
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

const maxTopicNameLen = 249

// ValidateTopicName applies Kafka's topic name rules: 1 to 249 characters
// from [a-zA-Z0-9._-], and not "." or "..".
func ValidateTopicName(name string) error {
	switch {
	case name == "":
		return errorf(kerr.InvalidTopicException, "topic name is illegal, it can't be empty")
	case name == "." || name == "..":
		return errorf(kerr.InvalidTopicException, "topic name cannot be \".\" or \"..\"")
	case len(name) > maxTopicNameLen:
		return errorf(kerr.InvalidTopicException, "topic name is illegal, it can't be longer than %d characters", maxTopicNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return errorf(kerr.InvalidTopicException, "topic name %q is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'", name)
		}
	}
	return nil
}

// checkCollisionLocked refuses a name that exists, or that differs from an
// existing one only by '.' versus '_' (Kafka's metric names would collide).
func (b *Broker) checkCollisionLocked(name string) error {
	if _, ok := b.topics[name]; ok {
		return errorf(kerr.TopicAlreadyExists, "topic %q already exists", name)
	}
	norm := strings.ReplaceAll(name, ".", "_")
	for existing := range b.topics {
		if strings.ReplaceAll(existing, ".", "_") == norm {
			return errorf(kerr.InvalidTopicException, "topic %q collides with existing topic %q", name, existing)
		}
	}
	return nil
}
