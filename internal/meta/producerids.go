package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Producer ids are handed out in blocks, as Kafka's controller hands them
// to brokers: the end of the last reserved block is persisted before any id
// in it is used, so a restart (or crash) never gives out an id twice; the
// unused rest of a block is skipped.

const producerIDsFile = "producer_ids.json"

type producerIDsState struct {
	// Next is the first id of the next block to reserve.
	Next int64 `json:"next"`
}

// ReserveProducerIDs reserves the next n producer ids and returns the first.
func (s *Store) ReserveProducerIDs(n int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := filepath.Join(s.dir, producerIDsFile)
	var st producerIDsState
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return 0, fmt.Errorf("meta: %w", err)
	default:
		if err := json.Unmarshal(raw, &st); err != nil {
			return 0, fmt.Errorf("meta: %s is corrupt: %w", producerIDsFile, err)
		}
	}
	first := st.Next
	st.Next += n
	if raw, err = json.Marshal(st); err != nil {
		return 0, fmt.Errorf("meta: %w", err)
	}
	if err := writeFileAtomic(path, raw); err != nil {
		return 0, err
	}
	return first, nil
}
