package meta

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBrokerConfigsPersist(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenBrokerConfigs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cl, n := c.Get(); len(cl) != 0 || len(n) != 0 {
		t.Fatalf("new directory has configs %v %v", cl, n)
	}
	cluster := map[string]string{"log.retention.ms": "1000"}
	node := map[string]string{"message.max.bytes": "2000"}
	if err := c.Put(cluster, node); err != nil {
		t.Fatal(err)
	}
	cluster["log.retention.ms"] = "changed after Put"
	reopened, err := OpenBrokerConfigs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []*BrokerConfigs{c, reopened} {
		cl, n := got.Get()
		if cl["log.retention.ms"] != "1000" || n["message.max.bytes"] != "2000" || len(cl)+len(n) != 2 {
			t.Errorf("configs %v %v, want the ones Put", cl, n)
		}
	}
	if err := reopened.Put(nil, node); err != nil {
		t.Fatal(err)
	}
	again, _ := OpenBrokerConfigs(dir)
	if cl, n := again.Get(); len(cl) != 0 || n["message.max.bytes"] != "2000" {
		t.Errorf("after clearing the cluster scope: %v %v", cl, n)
	}
}

func TestCorruptBrokerConfigsIsAnError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, BrokerConfigsFile), []byte("{nope"), 0o644)
	if _, err := OpenBrokerConfigs(dir); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("corrupt %s: %v", BrokerConfigsFile, err)
	}
}
