package config

import (
	"sort"
	"strconv"
	"strings"
)

// Source is where a config value comes from, numbered as Kafka's
// DescribeConfigs ConfigSource.
type Source int8

const (
	SourceTopic                Source = 1 // DYNAMIC_TOPIC_CONFIG: a topic override
	SourceDynamicBroker        Source = 2 // DYNAMIC_BROKER_CONFIG: this broker's dynamic config
	SourceDynamicDefaultBroker Source = 3 // DYNAMIC_DEFAULT_BROKER_CONFIG: cluster-wide dynamic default
	SourceStaticBroker         Source = 4 // STATIC_BROKER_CONFIG: server.properties or --override
	SourceDefault              Source = 5 // DEFAULT_CONFIG: built-in default
)

// Synonym is one of the places a config's value could come from.
type Synonym struct {
	Name   string
	Value  *string // nil if sensitive
	Source Source
}

// Entry describes one config as DescribeConfigs answers it.
type Entry struct {
	Name      string
	Value     *string // nil if sensitive or without a value
	Source    Source
	ReadOnly  bool
	Sensitive bool
	Type      Type
	Doc       string
	// Synonyms lists where the value could come from, the one in effect
	// first (Source is Synonyms[0].Source when there are any).
	Synonyms []Synonym
}

// DescribeTopic describes every topic config of a topic with the given
// overrides, sorted by name, as Kafka's ConfigHelper.createTopicConfigEntry
// does: the effective value, and as synonyms the override, then the broker
// properties it falls back to.
func (b *Broker) DescribeTopic(overrides map[string]string) []Entry {
	v := b.current()
	var out []Entry
	for _, d := range TopicDefs() {
		value, overridden := overrides[d.Name]
		if !overridden {
			value = v.values[d.BrokerSynonym]
		}
		value = canonical(d.Type, value)
		var syns []Synonym
		if overridden {
			syns = append(syns, Synonym{Name: d.Name, Value: &value, Source: SourceTopic})
		}
		syns = append(syns, b.synonyms(v, d.BrokerSynonym, false)...)
		out = append(out, entry(d.Name, &value, d.Type, d.Doc, false, syns))
	}
	return out
}

// DescribeBroker describes every property of this broker, sorted by name,
// as Kafka describes the resource named by a broker's id: the effective
// value (null when neither set nor defaulted), read-only unless dynamic.
func (b *Broker) DescribeBroker() []Entry {
	v := b.current()
	var out []Entry
	for _, d := range sortedBrokerDefs() {
		var value *string
		if raw, ok := v.raw[d.name]; ok {
			value = ptr(canonical(d.typ, raw))
		}
		e := entry(d.name, value, d.typ, d.doc, d.typ == Password, b.synonyms(v, d.name, d.typ == Password))
		e.ReadOnly = !dynamicNames[d.name]
		out = append(out, e)
	}
	return out
}

// DescribeClusterDefaults describes the cluster-wide dynamic defaults only,
// as Kafka describes the broker resource named "".
func (b *Broker) DescribeClusterDefaults() []Entry {
	v := b.current()
	var out []Entry
	for _, name := range sortedKeys(v.cluster) {
		d, _ := lookupBrokerDef(name)
		var syns []Synonym
		for _, s := range b.synonyms(v, name, d.typ == Password) {
			if s.Source == SourceDynamicDefaultBroker {
				syns = append(syns, s)
			}
		}
		e := entry(name, ptr(v.cluster[name]), d.typ, d.doc, d.typ == Password, syns)
		e.ReadOnly = !dynamicNames[name]
		out = append(out, e)
	}
	return out
}

func entry(name string, value *string, typ Type, doc string, sensitive bool, syns []Synonym) Entry {
	e := Entry{Name: name, Value: value, Source: SourceDefault, Sensitive: sensitive, Type: typ, Doc: doc, Synonyms: syns}
	if sensitive {
		e.Value = nil
	}
	if len(syns) > 0 {
		e.Source = syns[0].Source
	}
	return e
}

// synonyms lists the broker-level values of property name and of the
// properties it is derived with (log.retention.{ms,minutes,hours},
// log.roll.{ms,hours}) by layer: this broker's dynamic configs, the
// cluster-wide ones, the static ones, the built-in defaults. As in Kafka's
// ConfigHelper.configSynonyms, entries before the first one for name itself
// are dropped: describing log.retention.ms does not list a default
// log.retention.hours unless log.retention.ms is set somewhere.
func (b *Broker) synonyms(v *view, name string, sensitive bool) []Synonym {
	names := brokerSynonymNames(name)
	layers := []struct {
		values func(string) (string, bool)
		source Source
	}{
		{lookupIn(v.node), SourceDynamicBroker},
		{lookupIn(v.cluster), SourceDynamicDefaultBroker},
		{b.staticValue, SourceStaticBroker},
		{builtinDefault, SourceDefault},
	}
	var out []Synonym
	for _, l := range layers {
		for _, n := range names {
			if val, ok := l.values(n); ok {
				s := Synonym{Name: n, Value: ptr(val), Source: l.source}
				if sensitive {
					s.Value = nil
				}
				out = append(out, s)
			}
		}
	}
	for len(out) > 0 && out[0].Name != name {
		out = out[1:]
	}
	return out
}

// brokerSynonymNames is Kafka's DynamicBrokerConfig.brokerConfigSynonyms for
// the properties Samsa has.
func brokerSynonymNames(name string) []string {
	switch name {
	case "log.retention.ms", "log.retention.minutes", "log.retention.hours":
		return []string{"log.retention.ms", "log.retention.minutes", "log.retention.hours"}
	case "log.roll.ms", "log.roll.hours":
		return []string{"log.roll.ms", "log.roll.hours"}
	}
	return []string{name}
}

func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func (b *Broker) staticValue(name string) (string, bool) {
	if !b.set[name] {
		return "", false
	}
	return b.static[name], true
}

func builtinDefault(name string) (string, bool) {
	d, ok := lookupBrokerDef(name)
	if !ok || d.ignored || d.def == "" {
		return "", false
	}
	return d.def, true
}

func sortedBrokerDefs() []brokerDef {
	var defs []brokerDef
	for _, d := range brokerDefs {
		if !d.ignored {
			defs = append(defs, d)
		}
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].name < defs[j].name })
	return defs
}

// canonical renders a valid value the way Kafka prints the parsed value
// (ConfigDef.convertToString): lists without blanks, numbers without
// leading zeros or plus signs, doubles with a fractional part.
func canonical(t Type, v string) string {
	switch t {
	case List:
		return strings.Join(SplitList(v), ",")
	case Int, Long:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
	case Double:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			s := strconv.FormatFloat(f, 'f', -1, 64)
			if !strings.ContainsAny(s, ".") {
				s += ".0"
			}
			return s
		}
	}
	return v
}

// TopicValue is the effective value of one topic config, a topic override
// if there is one, else the broker's current default; "" for an unknown
// name. It is cheaper than Topic when one value is needed on a hot path.
func (b *Broker) TopicValue(overrides map[string]string, name string) string {
	if v, ok := overrides[name]; ok {
		return v
	}
	return b.TopicDefault(name)
}

func ptr(s string) *string { return &s }
