package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// brokerDef describes one broker property.
type brokerDef struct {
	name     string
	typ      Type
	def      string // "" with hasDefault false means "no default"
	doc      string
	validate func(string) error
	// ignored properties are accepted for compatibility with Kafka's
	// server.properties but have no effect on a single-node broker.
	ignored bool
}

const (
	hourMs = 60 * 60 * 1000
	weekMs = 7 * 24 * hourMs
)

var brokerDefs = []brokerDef{
	{name: "node.id", typ: Int, def: "1", doc: "This broker's node id.", validate: atLeast(0)},
	{name: "broker.id", typ: Int, def: "", doc: "Older name of node.id; if set it must equal node.id."},
	{name: "log.dirs", typ: String, def: "", doc: "Data directory (one only); --data-dir overrides it."},
	{name: "log.dir", typ: String, def: "", doc: "Used when log.dirs is not set."},
	{name: "listeners", typ: List, def: "", doc: "NAME://host:port entries, each a listener whose security protocol listener.security.protocol.map gives; --listen sets the PLAINTEXT one. Listeners named in controller.listener.names are ignored."},
	{name: "advertised.listeners", typ: List, def: "", doc: "NAME://host:port given to clients connected to listener NAME (default: the listener's own address); --advertise sets the PLAINTEXT one."},
	{name: "auto.create.topics.enable", typ: Boolean, def: "true", doc: "Create unknown topics on Metadata and Produce."},
	{name: "delete.topic.enable", typ: Boolean, def: "true", doc: "Allow DeleteTopics."},
	{name: "num.partitions", typ: Int, def: "1", doc: "Partitions of auto-created topics.", validate: atLeast(1)},
	{name: "default.replication.factor", typ: Int, def: "1", doc: "Single node: only 1.", validate: oneOf("1")},
	{name: "socket.request.max.bytes", typ: Int, def: "104857600", doc: "Largest request frame accepted; bigger frames close the connection.", validate: atLeast(1)},
	{name: "fetch.max.bytes", typ: Int, def: "57671680", doc: "Upper bound on a Fetch response's size.", validate: atLeast(1024)},
	{name: "message.max.bytes", typ: Int, def: "1048588", doc: "Default max.message.bytes of topics.", validate: atLeast(0)},
	{name: "log.segment.bytes", typ: Int, def: "1073741824", doc: "Default segment.bytes.", validate: atLeast(14)},
	{name: "log.roll.ms", typ: Long, def: "", doc: "Default segment.ms; wins over log.roll.hours.", validate: atLeast(1)},
	{name: "log.roll.hours", typ: Int, def: "168", doc: "Default segment.ms in hours.", validate: atLeast(1)},
	{name: "log.retention.ms", typ: Long, def: "", doc: "Default retention.ms; wins over minutes and hours. -1 keeps forever.", validate: atLeast(-1)},
	{name: "log.retention.minutes", typ: Int, def: "", doc: "Default retention.ms in minutes."},
	{name: "log.retention.hours", typ: Int, def: "168", doc: "Default retention.ms in hours."},
	{name: "log.retention.bytes", typ: Long, def: "-1", doc: "Default retention.bytes.", validate: atLeast(-1)},
	{name: "log.retention.check.interval.ms", typ: Long, def: "300000", doc: "How often retention runs.", validate: atLeast(1)},
	{name: "log.index.interval.bytes", typ: Int, def: "4096", doc: "Default index.interval.bytes.", validate: atLeast(0)},
	{name: "log.cleanup.policy", typ: List, def: "delete", doc: "Default cleanup.policy.", validate: listOf("delete", "compact")},
	{name: "log.cleaner.min.compaction.lag.ms", typ: Long, def: "0", doc: "Default min.compaction.lag.ms.", validate: atLeast(0)},
	{name: "log.cleaner.max.compaction.lag.ms", typ: Long, def: "9223372036854775807", doc: "Default max.compaction.lag.ms.", validate: atLeast(1)},
	{name: "log.cleaner.delete.retention.ms", typ: Long, def: "86400000", doc: "Default delete.retention.ms.", validate: atLeast(0)},
	{name: "log.cleaner.min.cleanable.ratio", typ: Double, def: "0.5", doc: "Default min.cleanable.dirty.ratio.", validate: between(0, 1)},
	{name: "log.cleaner.backoff.ms", typ: Long, def: "15000", doc: "How long the cleaner sleeps when no log needs cleaning.", validate: atLeast(0)},
	{name: "log.message.timestamp.type", typ: String, def: "CreateTime", doc: "Default message.timestamp.type.", validate: oneOf("CreateTime", "LogAppendTime")},
	{name: "compression.type", typ: String, def: "producer", doc: "Default compression.type.", validate: oneOf(compressionTypes...)},
	{name: "min.insync.replicas", typ: Int, def: "1", doc: "Single node: only 1.", validate: oneOf("1")},
	{name: "log.flush.interval.ms", typ: Long, def: "1000", doc: "Samsa: how often data not yet on disk (acks=0/1) is fsynced in the background.", validate: atLeast(1)},
	{name: "samsa.acks.all.fsync", typ: Boolean, def: "true", doc: "Samsa: acknowledge acks=all produces only after fsync (group-committed). false answers after the write, as acks=1."},
	{name: "max.incremental.fetch.session.cache.slots", typ: Int, def: "1000", doc: "Incremental fetch sessions kept (KIP-227).", validate: atLeast(0)},
	{name: "connections.max.idle.ms", typ: Long, def: "600000", doc: "Close connections idle this long.", validate: atLeast(1)},
	{name: "group.min.session.timeout.ms", typ: Int, def: "6000", doc: "Smallest session timeout a group member may ask for.", validate: atLeast(1)},
	{name: "group.max.session.timeout.ms", typ: Int, def: "1800000", doc: "Largest session timeout a group member may ask for.", validate: atLeast(1)},
	{name: "group.initial.rebalance.delay.ms", typ: Int, def: "3000", doc: "How long the first rebalance of an empty group waits for more members.", validate: atLeast(0)},
	{name: "group.consumer.heartbeat.interval.ms", typ: Int, def: "5000", doc: "Heartbeat interval given to KIP-848 consumer group members.", validate: atLeast(1)},
	{name: "group.consumer.session.timeout.ms", typ: Int, def: "45000", doc: "Session timeout of KIP-848 consumer group members.", validate: atLeast(1)},
	{name: "group.consumer.migration.policy", typ: String, def: "bidirectional", doc: "Which way a consumer group with members may switch between the classic and the KIP-848 protocol: bidirectional, upgrade, downgrade or disabled (case-insensitive).", validate: func(v string) error {
		return oneOf("bidirectional", "upgrade", "downgrade", "disabled")(strings.ToLower(v)) // Kafka ignores case
	}},
	{name: "samsa.transaction.version", typ: Int, def: "2", doc: "Samsa: the transaction.version feature level advertised in ApiVersions (Kafka's kafka-features setting): 2 lets clients use transaction protocol v2 (KIP-890), 1 keeps them on v1.", validate: oneOf("1", "2")},
	{name: "transaction.max.timeout.ms", typ: Int, def: "900000", doc: "Largest transaction timeout a transactional producer may ask for.", validate: atLeast(1)},
	{name: "transactional.id.expiration.ms", typ: Int, def: "604800000", doc: "A transactional id without a transaction is forgotten after this long unused.", validate: atLeast(1)},
	{name: "transaction.abort.timed.out.transaction.cleanup.interval.ms", typ: Int, def: "10000", doc: "How often transactions past their timeout are aborted.", validate: atLeast(1)},
	{name: "producer.id.expiration.ms", typ: Int, def: "86400000", doc: "How long a partition keeps an idempotent producer's state after its last write.", validate: atLeast(1)},
	{name: "offsets.retention.minutes", typ: Int, def: "10080", doc: "Committed offsets of an empty group are deleted this long after its last commit.", validate: atLeast(1)},
	{name: "authorizer.class.name", typ: String, def: "", doc: "Turns ACL authorization on when set to a Kafka authorizer (" + standardAuthorizer + " or " + aclAuthorizer + "); empty allows every request, as Kafka without an authorizer.", validate: oneOf("", standardAuthorizer, aclAuthorizer)},
	{name: "super.users", typ: String, def: "", doc: "Principals allowed everything whatever the ACLs, separated by semicolons (User:admin;User:ops)."},
	{name: "allow.everyone.if.no.acl.found", typ: Boolean, def: "false", doc: "Allow an operation on a resource that no ACL matches (for anyone); false denies it."},

	// Kafka quickstart and multi-node settings that mean nothing here.
	{name: "process.roles", typ: List, ignored: true},
	{name: "controller.quorum.voters", typ: List, ignored: true},
	{name: "controller.quorum.bootstrap.servers", typ: List, ignored: true},
	{name: "controller.listener.names", typ: List, ignored: true},
	{name: "inter.broker.listener.name", typ: String, ignored: true},
	{name: "num.network.threads", typ: Int, ignored: true},
	{name: "num.io.threads", typ: Int, ignored: true},
	{name: "socket.send.buffer.bytes", typ: Int, ignored: true},
	{name: "socket.receive.buffer.bytes", typ: Int, ignored: true},
	{name: "num.recovery.threads.per.data.dir", typ: Int, ignored: true},
	{name: "offsets.topic.replication.factor", typ: Int, ignored: true},
	{name: "transaction.state.log.replication.factor", typ: Int, ignored: true},
	{name: "transaction.state.log.min.isr", typ: Int, ignored: true},
	{name: "share.coordinator.state.topic.replication.factor", typ: Int, ignored: true},
	{name: "share.coordinator.state.topic.min.isr", typ: Int, ignored: true},
}

func lookupBrokerDef(name string) (brokerDef, bool) {
	for _, d := range brokerDefs {
		if d.name == name {
			return d, true
		}
	}
	return lookupListenerDef(name)
}

// Broker is the validated broker configuration: the static properties
// (built-in defaults, server.properties, overrides) and the dynamic ones that
// AlterConfigs sets at run time (see dynamic.go). It is safe for concurrent
// use: every getter reads one immutable generation (a view), which
// SetDynamic replaces as a whole.
type Broker struct {
	static  map[string]string // built-in defaults overlaid with the operator's properties
	set     map[string]bool   // properties the operator set explicitly
	Ignored []string          // accepted but ignored properties that were set

	cur atomic.Pointer[view]
}

// NewBroker validates props (from a file and overrides, already merged) and
// fills in defaults. Unknown property names are an error.
func NewBroker(props map[string]string) (*Broker, error) {
	b := &Broker{static: brokerDefaults(), set: make(map[string]bool)}
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := b.setProperty(name, props[name]); err != nil {
			return nil, err
		}
	}
	v, err := b.newView(nil, nil)
	if err != nil {
		return nil, err
	}
	b.cur.Store(v)
	return b, nil
}

// brokerDefaults returns the built-in default of every property that has one.
func brokerDefaults() map[string]string {
	m := make(map[string]string)
	for _, d := range brokerDefs {
		if !d.ignored && d.def != "" {
			m[d.name] = d.def
		}
	}
	return m
}

func (b *Broker) setProperty(name, value string) error {
	d, ok := lookupBrokerDef(name)
	if !ok {
		return fmt.Errorf("config: unknown broker property %q", name)
	}
	if d.ignored {
		b.Ignored = append(b.Ignored, name)
		b.static[name] = value
		return nil
	}
	if err := d.check(value); err != nil {
		if d.typ == Password {
			value = "[hidden]" // secrets never reach logs
		}
		return fmt.Errorf("config: %s=%q: %v", name, value, err)
	}
	b.static[name] = value
	b.set[name] = true
	return nil
}

// check applies the property's type and validator to value.
func (d brokerDef) check(value string) error {
	if err := d.typ.check(value); err != nil {
		return err
	}
	if d.validate != nil {
		return d.validate(value)
	}
	return nil
}

// resolveDerived computes, in values, properties that Kafka derives from
// others, such as log.retention.ms from minutes or hours. isSet reports
// whether a property was set statically or dynamically.
func resolveDerived(values map[string]string, isSet func(string) bool) error {
	if v, ok := values["broker.id"]; ok && v != values["node.id"] {
		if isSet("node.id") {
			return fmt.Errorf("config: broker.id=%s and node.id=%s differ", v, values["node.id"])
		}
		values["node.id"] = v
	}
	if !isSet("log.retention.ms") {
		switch {
		case isSet("log.retention.minutes"):
			values["log.retention.ms"] = strconv.FormatInt(mustInt64(values["log.retention.minutes"])*60*1000, 10)
		default:
			values["log.retention.ms"] = strconv.FormatInt(mustInt64(values["log.retention.hours"])*hourMs, 10)
		}
	}
	if !isSet("log.roll.ms") {
		values["log.roll.ms"] = strconv.FormatInt(mustInt64(values["log.roll.hours"])*hourMs, 10)
	}
	if n := mustInt64(values["log.retention.ms"]); n < -1 {
		return fmt.Errorf("config: log.retention.ms=%d: must be at least -1", n)
	}
	return nil
}

// Value returns a property's effective value and whether it has one.
func (b *Broker) Value(name string) (string, bool) {
	v, ok := b.current().values[name]
	return v, ok
}

// IsSet reports whether the operator set the property explicitly in
// server.properties or an override (dynamic configs do not count).
func (b *Broker) IsSet(name string) bool { return b.set[name] }

func (b *Broker) value(name string) string { return b.current().values[name] }
func (b *Broker) int64(name string) int64  { return mustInt64(b.value(name)) }
func (b *Broker) bool(name string) bool    { return b.value(name) == "true" }
func (b *Broker) ms(name string) time.Duration {
	return time.Duration(b.int64(name)) * time.Millisecond
}

func (b *Broker) NodeID() int32                { return int32(b.int64("node.id")) }
func (b *Broker) AutoCreateTopics() bool       { return b.bool("auto.create.topics.enable") }
func (b *Broker) DeleteTopicEnable() bool      { return b.bool("delete.topic.enable") }
func (b *Broker) NumPartitions() int32         { return int32(b.int64("num.partitions")) }
func (b *Broker) SocketRequestMaxBytes() int32 { return int32(b.int64("socket.request.max.bytes")) }
func (b *Broker) FetchMaxBytes() int32         { return int32(b.int64("fetch.max.bytes")) }
func (b *Broker) RetentionCheckInterval() time.Duration {
	return b.ms("log.retention.check.interval.ms")
}
func (b *Broker) FlushInterval() time.Duration { return b.ms("log.flush.interval.ms") }
func (b *Broker) AcksAllFsync() bool           { return b.bool("samsa.acks.all.fsync") }
func (b *Broker) FetchSessionSlots() int {
	return int(b.int64("max.incremental.fetch.session.cache.slots"))
}
func (b *Broker) ConnectionsMaxIdle() time.Duration { return b.ms("connections.max.idle.ms") }

func (b *Broker) GroupMinSessionTimeout() time.Duration { return b.ms("group.min.session.timeout.ms") }
func (b *Broker) GroupMaxSessionTimeout() time.Duration { return b.ms("group.max.session.timeout.ms") }
func (b *Broker) GroupInitialRebalanceDelay() time.Duration {
	return b.ms("group.initial.rebalance.delay.ms")
}
func (b *Broker) ConsumerHeartbeatInterval() time.Duration {
	return b.ms("group.consumer.heartbeat.interval.ms")
}
func (b *Broker) ConsumerSessionTimeout() time.Duration {
	return b.ms("group.consumer.session.timeout.ms")
}

// ConsumerMigrationPolicy is group.consumer.migration.policy, lower-cased
// (Kafka parses it case-insensitively).
func (b *Broker) ConsumerMigrationPolicy() string {
	return strings.ToLower(b.value("group.consumer.migration.policy"))
}

func (b *Broker) TransactionVersion() int16            { return int16(b.int64("samsa.transaction.version")) }
func (b *Broker) TransactionMaxTimeout() time.Duration { return b.ms("transaction.max.timeout.ms") }
func (b *Broker) TransactionalIDExpiration() time.Duration {
	return b.ms("transactional.id.expiration.ms")
}
func (b *Broker) TransactionAbortCheckInterval() time.Duration {
	return b.ms("transaction.abort.timed.out.transaction.cleanup.interval.ms")
}
func (b *Broker) ProducerIDExpiration() time.Duration { return b.ms("producer.id.expiration.ms") }
func (b *Broker) OffsetsRetention() time.Duration {
	return time.Duration(b.int64("offsets.retention.minutes")) * time.Minute
}

// Kafka authorizer classes that turn authorization on; Samsa has its own
// implementation of their semantics, not a plug-in.
const (
	standardAuthorizer = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
	aclAuthorizer      = "kafka.security.authorizer.AclAuthorizer"
)

// AuthorizerEnabled reports whether authorizer.class.name names an
// authorizer (default: none, every request allowed).
func (b *Broker) AuthorizerEnabled() bool { return b.value("authorizer.class.name") != "" }

// SuperUsers is super.users: principals separated by semicolons.
func (b *Broker) SuperUsers() string { return b.value("super.users") }

// AllowEveryoneIfNoACL is allow.everyone.if.no.acl.found (default false).
func (b *Broker) AllowEveryoneIfNoACL() bool { return b.bool("allow.everyone.if.no.acl.found") }

// DataDir is log.dirs (or log.dir) when set, else "".
func (b *Broker) DataDir() string {
	if v := b.value("log.dirs"); v != "" {
		return v
	}
	return b.value("log.dir")
}
