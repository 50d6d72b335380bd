//go:build unix

// Package process tests the samsa binary as an operator runs it: a real
// process on a real port with a data directory on disk, driven by the
// clients people use (kcat, librdkafka through confluent-kafka-python,
// kafka-python, franz-go), stopped with SIGTERM and killed with SIGKILL.
//
// The in-process tests elsewhere (samsatest) cannot see what only a process
// shows: flag parsing, signal handling, exit codes, and recovery of a data
// directory whose writer died without closing anything.
//
// TestMain builds the binary once into a temporary directory, with the
// race detector when the tests themselves run with -race; other build
// flags come from GOFLAGS, which go build reads itself.
//
// Environment:
//
//	CI=true              a missing kcat or Python module fails instead of skipping
//	SAMSA_TEST_LOGS=1    print every broker's stderr, not only on failure
//	SAMSA_LOG_LEVEL      the brokers' --log-level (default info)
//	SAMSA_CRASH_SEED     seed for the crash test's kill timing (default: time)
//	SAMSA_CRASH_CYCLES   kill/restart cycles in the crash test (default 5)
package process

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// samsaBin is the binary under test, built by TestMain.
var samsaBin string

// raceBuild is set by race_test.go under go test -race.
var raceBuild bool

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "samsa-process-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "process: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "process:", err)
		return 1
	}
	samsaBin = filepath.Join(dir, "samsa")
	args := []string{"build", "-o", samsaBin}
	if raceBuild {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/samsa")...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "process: go build ./cmd/samsa: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// moduleRoot asks the go command rather than walking up from the working
// directory, so the tests also work when run from a copy of the tree.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module (go env GOMOD = %q)", gomod)
	}
	return filepath.Dir(gomod), nil
}
