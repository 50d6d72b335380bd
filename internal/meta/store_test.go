package meta

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestIdentityPersists(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	id := s.ClusterID()
	if len(id) != 22 {
		t.Fatalf("cluster id %q is not a 22-character base64url UUID", id)
	}
	again, err := Open(dir, 1)
	if err != nil || again.ClusterID() != id {
		t.Fatalf("reopened: id %q, %v; want %q", again.ClusterID(), err, id)
	}
	if _, err := Open(dir, 2); err == nil || !strings.Contains(err.Error(), "node.id") {
		t.Fatalf("open with another node id: %v", err)
	}
}

func TestTopicsPersist(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, 1)
	a := Topic{Name: "a", ID: uuid.New(), Partitions: 3, Configs: map[string]string{"retention.ms": "5"}}
	b := Topic{Name: "b", ID: uuid.New(), Partitions: 1}
	for _, tp := range []Topic{a, b} {
		if err := s.PutTopic(tp); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteTopic("b"); err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := reopened.Topics()
	if len(got) != 1 || got[0].ID != a.ID || got[0].Partitions != 3 || got[0].Configs["retention.ms"] != "5" {
		t.Fatalf("topics after reopen: %+v", got)
	}
}

func TestCorruptTopicsFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, 1); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "topics.json"), []byte("{not json"), 0o644)
	if _, err := Open(dir, 1); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("corrupt topics.json: %v", err)
	}
}

func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	l, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockDir(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v", err)
	}
	l.Release()
	l2, err := LockDir(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
}

func TestReserveProducerIDs(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.ReserveProducerIDs(1000)
	if err != nil || a != 0 {
		t.Fatalf("first block starts at %d, %v; want 0", a, err)
	}
	b, err := s.ReserveProducerIDs(1000)
	if err != nil || b != 1000 {
		t.Fatalf("second block starts at %d, %v; want 1000", b, err)
	}
	reopened, err := Open(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := reopened.ReserveProducerIDs(10)
	if err != nil || c != 2000 {
		t.Fatalf("block after a restart starts at %d, %v; want 2000", c, err)
	}
}
