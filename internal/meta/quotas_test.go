package meta

import (
	"os"
	"path/filepath"
	"testing"
)

func quotaName(s string) *string { return &s }

func TestQuotasPersist(t *testing.T) {
	dir := t.TempDir()
	q, err := OpenQuotas(dir)
	if err != nil {
		t.Fatal(err)
	}
	alice := QuotaEntity{{Type: "user", Name: quotaName("alice")}, {Type: "client-id"}}
	ip := QuotaEntity{{Type: "ip"}}
	err = q.Apply([]QuotaChange{
		{Entity: alice, Set: map[string]float64{"producer_byte_rate": 1024, "request_percentage": 12.5}},
		{Entity: ip, Set: map[string]float64{"connection_creation_rate": 5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The same entity with its parts in another order is the same entity.
	reordered := QuotaEntity{{Type: "client-id"}, {Type: "user", Name: quotaName("alice")}}
	if err := q.Apply([]QuotaChange{{Entity: reordered, Remove: []string{"producer_byte_rate", "never-set"}}}); err != nil {
		t.Fatal(err)
	}
	if err := q.Apply([]QuotaChange{{Entity: ip, Remove: []string{"connection_creation_rate"}}}); err != nil {
		t.Fatal(err)
	}

	reopened, err := OpenQuotas(dir)
	if err != nil {
		t.Fatal(err)
	}
	all := reopened.All()
	if len(all) != 1 {
		t.Fatalf("%d entities after reopening, want 1 (the ip entity lost its only value): %+v", len(all), all)
	}
	got := all[0]
	if got.Entity.Key() != alice.Key() || got.Entity[0].Type != "client-id" || got.Entity[0].Name != nil {
		t.Errorf("entity %+v, want alice's, sorted by type, client-id default", got.Entity)
	}
	if len(got.Values) != 1 || got.Values["request_percentage"] != 12.5 {
		t.Errorf("values %v, want only request_percentage=12.5", got.Values)
	}
}

func TestQuotaEntityKeyTellsDefaultFromEmptyName(t *testing.T) {
	def := QuotaEntity{{Type: "user"}}
	empty := QuotaEntity{{Type: "user", Name: quotaName("")}}
	if def.Key() == empty.Key() {
		t.Fatal("default user and user \"\" share a key")
	}
}

func TestQuotasCorruptFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, quotasFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenQuotas(dir); err == nil {
		t.Fatal("opening a corrupt quotas file succeeded")
	}
}

func TestQuotasAllIsACopy(t *testing.T) {
	q, err := OpenQuotas(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := QuotaEntity{{Type: "user", Name: quotaName("bob")}}
	if err := q.Apply([]QuotaChange{{Entity: e, Set: map[string]float64{"consumer_byte_rate": 1}}}); err != nil {
		t.Fatal(err)
	}
	q.All()[0].Values["consumer_byte_rate"] = 99
	if v := q.All()[0].Values["consumer_byte_rate"]; v != 1 {
		t.Fatalf("changing All's result changed the store: %v", v)
	}
}
