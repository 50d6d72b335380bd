// Package config holds Samsa's broker and topic settings under Apache Kafka's
// property names, so that an operator's server.properties and a client's
// topic configs mean what they mean on Kafka.
//
// Settings arrive in three layers, later ones winning, as kafka-server-start.sh
// applies them: built-in defaults, a server.properties file (--config), and
// repeated name=value overrides (--override). A name that is not a Kafka
// broker property Samsa knows is an error at start-up; a few Kafka properties
// that only make sense for a multi-node KRaft cluster are accepted and
// ignored so that Kafka's quickstart file works unchanged.
//
// On top of these, AlterConfigs may set dynamic broker configs at run time
// (dynamic.go): cluster-wide defaults and this broker's own, for the
// properties Kafka can change at run time that Samsa applies live. A
// Broker keeps its effective configuration in one immutable view that
// SetDynamic swaps atomically, so every getter is safe for concurrent use.
// Topic configs (topic.go) are a topic's overrides resolved against the
// broker's current values; describe.go answers DescribeConfigs with Kafka's
// sources and synonyms, ops.go applies IncrementalAlterConfigs operations.
package config
