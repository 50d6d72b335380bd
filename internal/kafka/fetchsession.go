package kafka

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Incremental fetch sessions (KIP-227). A client opens a session with a
// full fetch (epoch 0); later fetches (epoch 1, 2, ...) name only the
// partitions whose fetch state changed, and the response leaves out
// partitions with nothing new. The broker keeps each session's partitions
// and what it last told the client about them.
//
// Epochs: -1 = full fetch, no session (closes SessionID if set);
// 0 = full fetch opening a new session; n > 0 = the n-th incremental fetch.

type fetchSessions struct {
	mu    sync.Mutex
	slots int
	byID  map[int32]*fetchSession
}

func newFetchSessions(slots int) *fetchSessions {
	return &fetchSessions{slots: slots, byID: make(map[int32]*fetchSession)}
}

type sessionKey struct {
	topic     string
	topicID   [16]byte
	partition int32
}

type sessionPart struct {
	key      sessionKey
	offset   int64
	maxBytes int32
	// What the last response said; an incremental response includes the
	// partition again only if one of these changed or there is data.
	sent                         bool
	sentHWM, sentLSO, sentLStart int64
}

type fetchSession struct {
	mu       sync.Mutex // a session is used by one fetch at a time, but guard it anyway
	id       int32
	epoch    int32 // the epoch the next incremental fetch must carry
	lastUsed time.Time
	parts    []*sessionPart
	index    map[sessionKey]*sessionPart
}

// create opens a session, evicting the least recently used one when all
// slots are taken. It returns nil when sessions are disabled (0 slots).
func (fs *fetchSessions) create(now time.Time) *fetchSession {
	if fs.slots <= 0 {
		return nil
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.byID) >= fs.slots {
		fs.evictOldestLocked()
	}
	id := rand.Int32()
	for id == 0 || fs.byID[id] != nil {
		id = rand.Int32()
	}
	s := &fetchSession{id: id, epoch: 1, lastUsed: now, index: make(map[sessionKey]*sessionPart)}
	fs.byID[id] = s
	return s
}

func (fs *fetchSessions) evictOldestLocked() {
	var oldest *fetchSession
	for _, s := range fs.byID {
		if oldest == nil || s.lastUsed.Before(oldest.lastUsed) {
			oldest = s
		}
	}
	if oldest != nil {
		delete(fs.byID, oldest.id)
	}
}

func (fs *fetchSessions) get(id int32) *fetchSession {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.byID[id]
}

func (fs *fetchSessions) remove(id int32) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	delete(fs.byID, id)
}

// upsert adds a partition or updates its fetch state.
func (s *fetchSession) upsert(key sessionKey, offset int64, maxBytes int32) {
	if p, ok := s.index[key]; ok {
		p.offset, p.maxBytes = offset, maxBytes
		return
	}
	p := &sessionPart{key: key, offset: offset, maxBytes: maxBytes}
	s.parts = append(s.parts, p)
	s.index[key] = p
}

func (s *fetchSession) forget(key sessionKey) {
	if _, ok := s.index[key]; !ok {
		return
	}
	delete(s.index, key)
	for i, p := range s.parts {
		if p.key == key {
			s.parts = append(s.parts[:i], s.parts[i+1:]...)
			return
		}
	}
}

// rotate moves the partitions that just returned data to the end, so that
// under a response size limit the others get their turn next time (as
// Kafka's session partition ordering does).
func (s *fetchSession) rotate(hadData map[sessionKey]bool) {
	if len(hadData) == 0 {
		return
	}
	kept := make([]*sessionPart, 0, len(s.parts))
	var moved []*sessionPart
	for _, p := range s.parts {
		if hadData[p.key] {
			moved = append(moved, p)
		} else {
			kept = append(kept, p)
		}
	}
	s.parts = append(kept, moved...)
}
