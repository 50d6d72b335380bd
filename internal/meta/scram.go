package meta

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// SCRAM credentials (AlterUserScramCredentials) live in
// scram_credentials.json, rewritten whole on each change. As in Kafka's
// UserScramCredentialRecord, a credential is what a server needs to check
// a SCRAM exchange, never the password (byte fields are base64):
//
//	{"credentials": [
//	  {"user": "alice", "mechanism": "SCRAM-SHA-256", "salt": "...",
//	   "stored_key": "...", "server_key": "...", "iterations": 8192}
//	]}
const ScramFile = "scram_credentials.json"

// ScramCredential is what a SCRAM server keeps for one user and mechanism.
type ScramCredential struct {
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
	Iterations int
}

// ScramRecord is one stored credential with its user and mechanism name
// ("SCRAM-SHA-256", "SCRAM-SHA-512").
type ScramRecord struct {
	User       string `json:"user"`
	Mechanism  string `json:"mechanism"`
	Salt       []byte `json:"salt"`
	StoredKey  []byte `json:"stored_key"`
	ServerKey  []byte `json:"server_key"`
	Iterations int    `json:"iterations"`
}

// ScramKey names a credential.
type ScramKey struct {
	User      string
	Mechanism string
}

// Scram is the persisted SCRAM credentials of one data directory. It
// stores what it is given; validation and key derivation are the caller's.
type Scram struct {
	path string

	mu    sync.Mutex
	creds map[ScramKey]ScramRecord // replaced, never mutated
}

type scramFileFormat struct {
	Credentials []ScramRecord `json:"credentials"`
}

// OpenScram loads the credentials kept in dir (none if never written).
func OpenScram(dir string) (*Scram, error) {
	s := &Scram{path: filepath.Join(dir, ScramFile), creds: make(map[ScramKey]ScramRecord)}
	var f scramFileFormat
	if err := readJSON(s.path, &f); err != nil {
		return nil, err
	}
	for _, r := range f.Credentials {
		s.creds[ScramKey{r.User, r.Mechanism}] = r
	}
	return s, nil
}

// Lookup returns the credential of user for a SASL mechanism name: what a
// SCRAM authenticator needs (the SASL front end's ScramCredentials).
func (s *Scram) Lookup(mechanism, user string) (ScramCredential, bool) {
	s.mu.Lock()
	r, ok := s.creds[ScramKey{user, mechanism}]
	s.mu.Unlock()
	if !ok {
		return ScramCredential{}, false
	}
	return ScramCredential{Salt: r.Salt, StoredKey: r.StoredKey, ServerKey: r.ServerKey, Iterations: r.Iterations}, true
}

// Has reports whether a credential exists.
func (s *Scram) Has(k ScramKey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.creds[k]
	return ok
}

// All returns every credential ordered by user, then mechanism. The byte
// slices are shared and must not be modified.
func (s *Scram) All() []ScramRecord {
	s.mu.Lock()
	creds := s.creds
	s.mu.Unlock()
	return sortedScram(creds)
}

// Change removes the credentials in remove and stores those in put,
// persisting the result before returning. On error nothing changes.
func (s *Scram) Change(remove []ScramKey, put []ScramRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := maps.Clone(s.creds)
	for _, k := range remove {
		delete(next, k)
	}
	for _, r := range put {
		next[ScramKey{r.User, r.Mechanism}] = r
	}
	if err := writeJSON(s.path, scramFileFormat{Credentials: sortedScram(next)}); err != nil {
		return err
	}
	s.creds = next
	return nil
}

func sortedScram(creds map[ScramKey]ScramRecord) []ScramRecord {
	out := slices.Collect(maps.Values(creds))
	slices.SortFunc(out, func(a, b ScramRecord) int {
		if c := strings.Compare(a.User, b.User); c != 0 {
			return c
		}
		return strings.Compare(a.Mechanism, b.Mechanism)
	})
	if out == nil {
		out = []ScramRecord{}
	}
	return out
}
