package config

import (
	"fmt"
	"maps"
	"sort"
	"strings"
)

// Dynamic broker configs, set at run time by AlterConfigs and
// IncrementalAlterConfigs, come in two scopes, as in Kafka: cluster-wide
// defaults (resource name "") and this broker's own (resource name = its
// node id). The effective value of a property is, first found:
//
//	this broker's dynamic config > cluster-wide dynamic default >
//	server.properties / --override > built-in default
//
// then derived properties (log.retention.ms from hours, log.roll.ms) are
// computed from the result, so a dynamic log.retention.ms overrides a static
// log.retention.hours as it does in Kafka.

// dynamicNames are the broker properties AlterConfigs may change: those
// Kafka can change at run time (DynamicBrokerConfig.ALL_DYNAMIC_CONFIGS:
// the first-choice broker synonyms of topic configs, the log cleaner's
// settings, producer.id.expiration.ms) that Samsa also applies live. Kafka's
// log.retention.{minutes,hours} and log.roll.hours are static there too.
// log.flush.interval.ms is dynamic in Kafka, but here it is the background
// flusher's tick, fixed at start-up.
var dynamicNames = map[string]bool{
	"log.segment.bytes":                 true,
	"log.roll.ms":                       true,
	"log.retention.ms":                  true,
	"log.retention.bytes":               true,
	"log.index.interval.bytes":          true,
	"log.cleanup.policy":                true,
	"log.cleaner.min.compaction.lag.ms": true,
	"log.cleaner.max.compaction.lag.ms": true,
	"log.cleaner.delete.retention.ms":   true,
	"log.cleaner.min.cleanable.ratio":   true,
	"log.cleaner.backoff.ms":            true,
	"log.message.timestamp.type":        true,
	"compression.type":                  true,
	"message.max.bytes":                 true,
	"min.insync.replicas":               true,
	"producer.id.expiration.ms":         true,
}

// IsDynamic reports whether AlterConfigs may set the broker property.
func IsDynamic(name string) bool { return dynamicNames[name] }

// view is one generation of the effective configuration. It is never
// modified once published, so readers need no lock.
type view struct {
	raw     map[string]string // static overlaid with dynamic, before derivation
	values  map[string]string // raw with derived properties resolved
	cluster map[string]string // dynamic cluster-wide defaults
	node    map[string]string // this broker's dynamic configs
}

func (b *Broker) current() *view { return b.cur.Load() }

// newView overlays the dynamic configs on the static ones and resolves the
// derived properties.
func (b *Broker) newView(cluster, node map[string]string) (*view, error) {
	v := &view{raw: maps.Clone(b.static), cluster: maps.Clone(cluster), node: maps.Clone(node)}
	maps.Copy(v.raw, v.cluster)
	maps.Copy(v.raw, v.node)
	v.values = maps.Clone(v.raw)
	isSet := func(name string) bool {
		_, c := cluster[name]
		_, n := node[name]
		return b.set[name] || c || n
	}
	if err := resolveDerived(v.values, isSet); err != nil {
		return nil, &Error{Kind: InvalidValue, Msg: strings.TrimPrefix(err.Error(), "config: ")}
	}
	return v, nil
}

// Dynamic returns copies of the dynamic configs in effect.
func (b *Broker) Dynamic() (cluster, node map[string]string) {
	v := b.current()
	return maps.Clone(v.cluster), maps.Clone(v.node)
}

// CheckDynamic validates dynamic configs as SetDynamic would, changing
// nothing. The error is an *Error.
func (b *Broker) CheckDynamic(cluster, node map[string]string) error {
	_, err := b.dynamicView(cluster, node)
	return err
}

// SetDynamic validates and installs the dynamic configs of both scopes,
// replacing the previous ones. Readers see the old or the new configuration
// as a whole; callers serialize changes among themselves.
func (b *Broker) SetDynamic(cluster, node map[string]string) error {
	v, err := b.dynamicView(cluster, node)
	if err != nil {
		return err
	}
	b.cur.Store(v)
	return nil
}

func (b *Broker) dynamicView(cluster, node map[string]string) (*view, error) {
	if err := validateDynamic(cluster); err != nil {
		return nil, err
	}
	if err := validateDynamic(node); err != nil {
		return nil, err
	}
	return b.newView(cluster, node)
}

// validateDynamic checks one scope's configs in the order Kafka's
// DynamicBrokerConfig.validateConfigs does: names first, then values.
func validateDynamic(configs map[string]string) error {
	var unknown, static []string
	for name := range configs {
		d, ok := lookupBrokerDef(name)
		switch {
		case !ok || d.ignored:
			unknown = append(unknown, name)
		case !dynamicNames[name]:
			static = append(static, name)
		}
	}
	if len(unknown) > 0 {
		return &Error{Kind: UnknownName, Msg: "Unknown broker config name: " + setString(unknown)}
	}
	if len(static) > 0 {
		return &Error{Kind: NotDynamic, Msg: "Cannot update these configs dynamically: " + setString(static)}
	}
	for _, name := range sortedKeys(configs) {
		d, _ := lookupBrokerDef(name)
		if err := d.check(configs[name]); err != nil {
			return invalidValue(name, configs[name], err)
		}
	}
	return nil
}

// setString formats names as Java prints a Set, which Kafka's messages use.
func setString(names []string) string {
	sort.Strings(names)
	return fmt.Sprintf("[%s]", strings.Join(names, ", "))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
