package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRunRejectsBadInvocations(t *testing.T) {
	dir := t.TempDir()
	props := filepath.Join(dir, "server.properties")
	os.WriteFile(props, []byte("num.partitions=3\nno.such.property=1\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"bad flag", []string{"serve", "--no-such-flag"}, 2},
		{"bad override", []string{"serve", "--override", "novalue"}, 2},
		{"missing config file", []string{"serve", "--config", filepath.Join(dir, "absent")}, 2},
		{"unknown property in file", []string{"serve", "--config", props, "--data-dir", dir, "--listen", "127.0.0.1:0", "--admin-listen", ""}, 1},
		{"unknown override", []string{"serve", "--override", "bogus.name=1", "--data-dir", dir, "--listen", "127.0.0.1:0", "--admin-listen", ""}, 1},
		{"bad value", []string{"serve", "--override", "num.partitions=zero", "--data-dir", dir, "--listen", "127.0.0.1:0", "--admin-listen", ""}, 1},
		{"help", []string{"help"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.args); got != tt.want {
				t.Fatalf("run(%q) = %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}

func TestLoadPropertiesOverridesWin(t *testing.T) {
	props := filepath.Join(t.TempDir(), "server.properties")
	os.WriteFile(props, []byte("num.partitions=3\nlog.retention.hours=1\n"), 0o644)
	got, err := loadProperties(props, []string{"num.partitions=5"})
	if err != nil {
		t.Fatal(err)
	}
	if got["num.partitions"] != "5" || got["log.retention.hours"] != "1" {
		t.Fatalf("properties %v", got)
	}
}
