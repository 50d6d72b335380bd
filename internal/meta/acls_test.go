package meta

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samsa-streaming/samsa/internal/auth"
)

func readACL(topic string) auth.ACL {
	return auth.ACL{ResourceType: auth.ResourceTopic, ResourceName: topic, PatternType: auth.PatternLiteral,
		Principal: "User:alice", Host: "*", Operation: auth.OpRead, Permission: auth.PermissionAllow}
}

func TestACLsPersist(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenACLs(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b := readACL("a"), readACL("b")
	if _, err := s.Change([]auth.ACL{a, b, a}, nil); err != nil {
		t.Fatal(err)
	}
	all, err := s.Change([]auth.ACL{b}, func(x auth.ACL) bool { return x.ResourceName == "a" })
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0] != b {
		t.Fatalf("after the change: %+v, want only b", all)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, ACLsFile))
	for _, want := range []string{`"resource_type": "TOPIC"`, `"pattern_type": "LITERAL"`, `"operation": "READ"`, `"permission": "ALLOW"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("%s lacks %s:\n%s", ACLsFile, want, raw)
		}
	}
	reopened, err := OpenACLs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := reopened.All(); len(got) != 1 || got[0] != b {
		t.Fatalf("reopened: %+v, want only b", got)
	}
}

func TestACLsCorruptFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ACLsFile), []byte(`{"acls": [{"operation": "JUGGLE"}]}`), 0o644)
	if _, err := OpenACLs(dir); err == nil || !strings.Contains(err.Error(), ACLsFile) {
		t.Fatalf("got %v, want an error naming %s", err, ACLsFile)
	}
}

func TestScramPersist(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenScram(dir)
	if err != nil {
		t.Fatal(err)
	}
	alice := ScramRecord{User: "alice", Mechanism: "SCRAM-SHA-256", Salt: []byte("salt"), StoredKey: []byte("stored"), ServerKey: []byte("server"), Iterations: 4096}
	bob := ScramRecord{User: "bob", Mechanism: "SCRAM-SHA-512", Salt: []byte("s2"), StoredKey: []byte("k1"), ServerKey: []byte("k2"), Iterations: 8192}
	if err := s.Change(nil, []ScramRecord{alice, bob}); err != nil {
		t.Fatal(err)
	}
	if err := s.Change([]ScramKey{{"bob", "SCRAM-SHA-512"}}, nil); err != nil {
		t.Fatal(err)
	}
	reopened, err := OpenScram(dir)
	if err != nil {
		t.Fatal(err)
	}
	cred, ok := reopened.Lookup("SCRAM-SHA-256", "alice")
	if !ok || string(cred.StoredKey) != "stored" || string(cred.ServerKey) != "server" || string(cred.Salt) != "salt" || cred.Iterations != 4096 {
		t.Fatalf("alice: %+v, %v", cred, ok)
	}
	if _, ok := reopened.Lookup("SCRAM-SHA-512", "alice"); ok {
		t.Fatal("alice has no SCRAM-SHA-512 credential")
	}
	if reopened.Has(ScramKey{"bob", "SCRAM-SHA-512"}) || len(reopened.All()) != 1 {
		t.Fatalf("bob was deleted: %+v", reopened.All())
	}
}
