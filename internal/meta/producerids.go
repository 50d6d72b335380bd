package meta

import "path/filepath"

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
	if err := readJSON(path, &st); err != nil {
		return 0, err
	}
	first := st.Next
	st.Next += n
	if err := writeJSON(path, st); err != nil {
		return 0, err
	}
	return first, nil
}
