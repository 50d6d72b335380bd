package meta

import (
	"maps"
	"path/filepath"
	"sync"
)

// BrokerConfigsFile holds the dynamic broker configs that AlterConfigs and
// IncrementalAlterConfigs set, in the data directory next to topics.json:
//
//	{
//	  "cluster": {"log.retention.ms": "3600000"},   resource name "": cluster-wide defaults
//	  "node":    {"message.max.bytes": "2097152"}   resource name = node.id: this broker only
//	}
//
// Kafka keeps these in its metadata log; a single node needs only the two
// maps. The file is rewritten whole on each change, atomically, like
// topics.json.
const BrokerConfigsFile = "broker_configs.json"

// BrokerConfigs is the persisted dynamic broker configuration of one data
// directory. It stores what it is given; validation is the caller's.
type BrokerConfigs struct {
	path string

	mu      sync.Mutex
	cluster map[string]string
	node    map[string]string
}

type brokerConfigsState struct {
	Cluster map[string]string `json:"cluster,omitempty"`
	Node    map[string]string `json:"node,omitempty"`
}

// OpenBrokerConfigs reads the dynamic broker configs of the data directory
// dir; a missing file means none.
func OpenBrokerConfigs(dir string) (*BrokerConfigs, error) {
	c := &BrokerConfigs{path: filepath.Join(dir, BrokerConfigsFile)}
	var st brokerConfigsState
	if err := readJSON(c.path, &st); err != nil {
		return nil, err
	}
	c.cluster, c.node = st.Cluster, st.Node
	return c, nil
}

// Get returns copies of the cluster-wide and the per-broker configs.
func (c *BrokerConfigs) Get() (cluster, node map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.cluster), maps.Clone(c.node)
}

// Put replaces both scopes and persists them before returning. On error
// the previous configs stay in effect, on disk and here.
func (c *BrokerConfigs) Put(cluster, node map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := writeJSON(c.path, brokerConfigsState{Cluster: cluster, Node: node}); err != nil {
		return err
	}
	c.cluster, c.node = maps.Clone(cluster), maps.Clone(node)
	return nil
}
