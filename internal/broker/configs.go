package broker

import (
	"errors"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/meta"
)

// Config changes (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs)
// for topics and this broker. A change is validated, persisted (topics.json
// or meta.BrokerConfigsFile), installed in memory, and then applied to the
// live partitions with SetConfig, so retention, segment rolling, message
// size limits and timestamp types follow at once.
//
// Lock order: dynamicConfigs.mu -> Broker.mu -> partition locks (SetConfig).

// dynamicConfigs is the broker's persisted dynamic configuration.
type dynamicConfigs struct {
	// mu serializes config changes from validation to live application, so
	// that partitions end with the configuration of the last change.
	mu    sync.Mutex
	store *meta.BrokerConfigs
}

// loadDynamicConfigs reads the persisted dynamic broker configs into the
// configuration before any topic opens. Configs this version refuses (a
// name no longer dynamic, a value out of range) are dropped with a warning
// rather than failing start-up, as Kafka skips invalid dynamic configs.
func (b *Broker) loadDynamicConfigs() error {
	store, err := meta.OpenBrokerConfigs(b.dataDir)
	if err != nil {
		return err
	}
	b.dyn = &dynamicConfigs{store: store}
	cluster, node := store.Get()
	cluster, node = b.usableDynamic("cluster", cluster), b.usableDynamic("node", node)
	if err := b.cfg.SetDynamic(cluster, node); err != nil {
		b.lg.Warn("ignoring persisted dynamic broker configs", "err", err)
	}
	return nil
}

func (b *Broker) usableDynamic(scope string, configs map[string]string) map[string]string {
	out := make(map[string]string, len(configs))
	for name, value := range configs {
		one := map[string]string{name: value}
		if err := b.cfg.CheckDynamic(one, nil); err != nil {
			b.lg.Warn("ignoring persisted dynamic broker config", "scope", scope, "name", name, "err", err)
			continue
		}
		out[name] = value
	}
	return out
}

// AlterConfigs is one resource's change from AlterConfigs (Replace: Ops
// are all SETs and become the whole set of configs) or
// IncrementalAlterConfigs (Ops apply to the current configs in order).
type AlterConfigs struct {
	Replace      bool
	Ops          []config.Op
	ValidateOnly bool
}

func (req AlterConfigs) apply(current map[string]string, ops func(map[string]string, []config.Op) (map[string]string, error)) (map[string]string, error) {
	if req.Replace {
		current = nil
	}
	return ops(current, req.Ops)
}

// configError turns a refused config into the code Kafka answers with.
// Kafka validates broker resources on the broker and wraps its
// ConfigExceptions as INVALID_REQUEST (KAFKA-13609), while the controller
// answers topic problems with INVALID_CONFIG.
func configError(err error, brokerResource bool) error {
	var ce *config.Error
	if !errors.As(err, &ce) {
		return err
	}
	code := kerr.InvalidConfig
	switch {
	case ce.Kind == config.InvalidOp, ce.Kind == config.NotDynamic:
		code = kerr.InvalidRequest
	case ce.Kind == config.InvalidValue && brokerResource:
		code = kerr.InvalidRequest
	}
	return &Error{Code: code, Message: ce.Msg}
}

// applyTopicConfig hands a topic's effective configuration to its live
// partitions.
func (b *Broker) applyTopicConfig(t *topic) {
	cfg := b.partitionConfig(t.configs)
	for _, p := range t.partitions {
		if err := p.SetConfig(cfg); err != nil {
			b.lg.Error("applying config to partition", "topic", t.name, "partition", p.Index, "err", err)
		}
	}
}

// brokerScope parses a BROKER resource name: "" is the cluster-wide
// defaults, this node's id its own configs. Anything else is
// INVALID_REQUEST, worded as Kafka words it for describe (describe) or
// alter.
func (b *Broker) brokerScope(name string, describe bool) (cluster bool, err error) {
	if name == "" {
		return true, nil
	}
	id, perr := strconv.ParseInt(name, 10, 32)
	switch {
	case perr != nil && describe:
		return false, errorf(kerr.InvalidRequest, "Broker id must be an integer, but it is: %s", name)
	case perr != nil:
		return false, errorf(kerr.InvalidRequest, "Node id must be an integer, but it is: %s", name)
	case int32(id) != b.NodeID() && describe:
		return false, errorf(kerr.InvalidRequest, "Unexpected broker id, expected %d or empty string, but received %s", b.NodeID(), name)
	case int32(id) != b.NodeID():
		return false, errorf(kerr.InvalidRequest, "Unexpected broker id, expected %d, but received %s", b.NodeID(), name)
	}
	return false, nil
}

// DescribeTopicConfigs describes every config of a topic.
func (b *Broker) DescribeTopicConfigs(name string) ([]config.Entry, error) {
	if err := ValidateTopicName(name); err != nil {
		return nil, err
	}
	t := b.lookup(name)
	if t == nil {
		return nil, kerr.UnknownTopicOrPartition
	}
	return b.cfg.DescribeTopic(t.configs), nil
}

// DescribeBrokerConfigs describes this broker's properties (resource name
// = node id) or the cluster-wide dynamic defaults (resource name "").
func (b *Broker) DescribeBrokerConfigs(resource string) ([]config.Entry, error) {
	cluster, err := b.brokerScope(resource, true)
	switch {
	case err != nil:
		return nil, err
	case cluster:
		return b.cfg.DescribeClusterDefaults(), nil
	}
	return b.cfg.DescribeBroker(), nil
}

// AlterTopicConfigs changes a topic's overrides. Errors are checked in the
// order Kafka's controller checks them: topic name, configs, existence.
// Internal topics may be altered, as in Kafka.
func (b *Broker) AlterTopicConfigs(name string, req AlterConfigs) error {
	if name == "" {
		return errorf(kerr.InvalidRequest, "Default topic resources are not allowed.")
	}
	if err := ValidateTopicName(name); err != nil {
		return err
	}
	b.dyn.mu.Lock()
	defer b.dyn.mu.Unlock()
	var current map[string]string
	t := b.lookup(name)
	if t != nil {
		current = t.configs
	}
	next, err := req.apply(current, config.ApplyTopicOps)
	if err == nil {
		err = b.cfg.ValidateTopicOverrides(next)
	}
	switch {
	case err != nil:
		return configError(err, false)
	case t == nil:
		return errorf(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", name)
	case req.ValidateOnly:
		return nil
	}
	return b.setTopicConfigs(name, next)
}

// setTopicConfigs persists a topic's new overrides, installs them and
// applies them to its partitions.
func (b *Broker) setTopicConfigs(name string, configs map[string]string) error {
	if len(configs) == 0 {
		configs = nil
	}
	b.mu.Lock()
	t := b.topics[name]
	if t == nil {
		b.mu.Unlock()
		return errorf(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", name)
	}
	mt := meta.Topic{Name: t.name, ID: t.id, Internal: t.internal, Partitions: int32(len(t.partitions)), Configs: configs}
	if err := b.meta.PutTopic(mt); err != nil {
		b.mu.Unlock()
		return errorf(kerr.KafkaStorageError, "%v", err)
	}
	// A new topic value, as CreatePartitions makes: readers holding the
	// old one (without Broker.mu) keep a consistent, if stale, view of its
	// configs. A shallow copy keeps any field added to topic later.
	copied := *t
	nt := &copied
	nt.configs = configs
	b.topics[name], b.ids[t.id] = nt, nt
	b.mu.Unlock()
	b.applyTopicConfig(nt)
	b.lg.Info("topic configs altered", "topic", name, "configs", configs)
	return nil
}

// AlterBrokerConfigs changes the cluster-wide (resource "") or this
// broker's (resource = node id) dynamic configs, then applies the new
// defaults to every topic.
func (b *Broker) AlterBrokerConfigs(resource string, req AlterConfigs) error {
	clusterScope, err := b.brokerScope(resource, false)
	if err != nil {
		return err
	}
	b.dyn.mu.Lock()
	defer b.dyn.mu.Unlock()
	cluster, node := b.cfg.Dynamic()
	scope := &node
	if clusterScope {
		scope = &cluster
	}
	if *scope, err = req.apply(*scope, config.ApplyBrokerOps); err == nil {
		err = b.cfg.CheckDynamic(cluster, node)
	}
	if err != nil || req.ValidateOnly {
		return configError(err, true)
	}
	if err := b.dyn.store.Put(cluster, node); err != nil {
		return errorf(kerr.KafkaStorageError, "%v", err)
	}
	b.installDynamic(cluster, node)
	b.lg.Info("broker configs altered", "resource", resource, "configs", *scope)
	return nil
}

// installDynamic swaps the broker configuration and re-applies every
// topic's effective configuration. The swap happens under Broker.mu so a
// topic being created either is in the map when the topics are listed or
// computes its configuration from the new values.
func (b *Broker) installDynamic(cluster, node map[string]string) {
	b.mu.Lock()
	if err := b.cfg.SetDynamic(cluster, node); err != nil {
		b.mu.Unlock()
		b.lg.Error("installing checked dynamic configs", "err", err)
		return
	}
	topics := make([]*topic, 0, len(b.topics))
	for _, t := range b.topics {
		topics = append(topics, t)
	}
	b.mu.Unlock()
	for _, t := range topics {
		b.applyTopicConfig(t)
	}
}
