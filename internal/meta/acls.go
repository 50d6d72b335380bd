package meta

import (
	"path/filepath"
	"slices"
	"sync"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// ACLs (CreateAcls, DeleteAcls) live in acls.json, rewritten whole on
// each change like topics.json, with Kafka's names for the enums:
//
//	{"acls": [
//	  {"resource_type": "TOPIC", "resource_name": "orders-", "pattern_type": "PREFIXED",
//	   "principal": "User:alice", "host": "*", "operation": "READ", "permission": "ALLOW"}
//	]}
//
// The order is creation order. Validation is the caller's; this store
// only keeps each distinct ACL once.
const ACLsFile = "acls.json"

// ACLs is the persisted ACLs of one data directory.
type ACLs struct {
	path string

	mu   sync.Mutex
	acls []auth.ACL // replaced, never mutated
}

type aclsFileFormat struct {
	ACLs []auth.ACL `json:"acls"`
}

// OpenACLs loads the ACLs kept in dir (none if never written).
func OpenACLs(dir string) (*ACLs, error) {
	s := &ACLs{path: filepath.Join(dir, ACLsFile)}
	var f aclsFileFormat
	if err := readJSON(s.path, &f); err != nil {
		return nil, err
	}
	s.acls = f.ACLs
	return s, nil
}

// All returns every ACL; the caller owns the result.
func (s *ACLs) All() []auth.ACL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acls)
}

// Change adds the ACLs in add that are not kept yet and removes those
// remove selects, persisting the result before returning it (all ACLs).
// On error nothing changes.
func (s *ACLs) Change(add []auth.ACL, remove func(auth.ACL) bool) ([]auth.ACL, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make([]auth.ACL, 0, len(s.acls)+len(add))
	for _, a := range s.acls {
		if remove == nil || !remove(a) {
			next = append(next, a)
		}
	}
	for _, a := range add {
		if !slices.Contains(next, a) {
			next = append(next, a)
		}
	}
	if err := writeJSON(s.path, aclsFileFormat{ACLs: next}); err != nil {
		return nil, err
	}
	s.acls = next
	return slices.Clone(next), nil
}
