package meta

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/samsa-streaming/samsa/internal/config"
)

// Topic is a topic as persisted.
type Topic struct {
	Name       string            `json:"name"`
	ID         uuid.UUID         `json:"id"`
	Partitions int32             `json:"partitions"`
	Configs    map[string]string `json:"configs,omitempty"`
	// Internal topics (__consumer_offsets) belong to the broker: clients
	// cannot produce to or delete them.
	Internal bool `json:"internal,omitempty"`
}

// Store holds the persisted metadata of one data directory.
type Store struct {
	dir       string
	clusterID string

	mu     sync.Mutex
	topics map[string]Topic
}

type topicsFile struct {
	Topics []Topic `json:"topics"`
}

// Open reads (or on first start creates) the metadata in dir. nodeID must
// match the node.id the directory was formatted with.
func Open(dir string, nodeID int32) (*Store, error) {
	s := &Store{dir: dir, topics: make(map[string]Topic)}
	if err := s.loadIdentity(nodeID); err != nil {
		return nil, err
	}
	if err := s.loadTopics(); err != nil {
		return nil, err
	}
	return s, nil
}

// ClusterID is the cluster id generated when the directory was formatted,
// in Kafka's form (a base64url UUID without padding).
func (s *Store) ClusterID() string { return s.clusterID }

func (s *Store) loadIdentity(nodeID int32) error {
	path := filepath.Join(s.dir, "meta.properties")
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		id := uuid.New()
		s.clusterID = base64.RawURLEncoding.EncodeToString(id[:])
		text := fmt.Sprintf("#\n#Written by samsa\ncluster.id=%s\nnode.id=%d\nversion=1\n", s.clusterID, nodeID)
		return writeFileAtomic(path, []byte(text))
	}
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	props, err := config.ParseProperties(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("meta: %s: %w", path, err)
	}
	s.clusterID = props["cluster.id"]
	if s.clusterID == "" {
		return fmt.Errorf("meta: %s has no cluster.id", path)
	}
	if got := props["node.id"]; got != strconv.Itoa(int(nodeID)) {
		return fmt.Errorf("meta: data directory belongs to node.id %s, configured node.id is %d", got, nodeID)
	}
	return nil
}

func (s *Store) loadTopics() error {
	raw, err := os.ReadFile(filepath.Join(s.dir, "topics.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	var f topicsFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("meta: topics.json is corrupt: %w", err)
	}
	for _, t := range f.Topics {
		s.topics[t.Name] = t
	}
	return nil
}

// Topics returns every persisted topic, sorted by name.
func (s *Store) Topics() []Topic {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Topic, 0, len(s.topics))
	for _, t := range s.topics {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PutTopic creates or replaces a topic and persists the change before
// returning.
func (s *Store) PutTopic(t Topic) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.topics[t.Name]
	s.topics[t.Name] = t
	if err := s.persistLocked(); err != nil {
		if had {
			s.topics[t.Name] = old
		} else {
			delete(s.topics, t.Name)
		}
		return err
	}
	return nil
}

// DeleteTopic removes a topic and persists the change before returning.
func (s *Store) DeleteTopic(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.topics[name]
	if !had {
		return nil
	}
	delete(s.topics, name)
	if err := s.persistLocked(); err != nil {
		s.topics[name] = old
		return err
	}
	return nil
}

func (s *Store) persistLocked() error {
	f := topicsFile{Topics: make([]Topic, 0, len(s.topics))}
	for _, t := range s.topics {
		f.Topics = append(f.Topics, t)
	}
	sort.Slice(f.Topics, func(i, j int) bool { return f.Topics[i].Name < f.Topics[j].Name })
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	return writeFileAtomic(filepath.Join(s.dir, "topics.json"), raw)
}
