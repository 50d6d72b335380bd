//go:build unix

package process

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Helpers for the tests of the samsa client commands (cli_*_test.go): they
// run the built binary against a broker of the harness, as a user would.

// cliTimeout bounds one client command; they take milliseconds normally.
const cliTimeout = 20 * time.Second

// cliResult is what one run of a client command left behind.
type cliResult struct {
	args           []string
	stdout, stderr string
	code           int // exit code; -1 if it did not exit by itself
}

// samsaCLI runs `samsa -b ADDR args...` with stdin and returns its output
// and exit code, whatever they are.
func samsaCLI(t testing.TB, addr, stdin string, args ...string) cliResult {
	t.Helper()
	full := append([]string{"-b", addr}, args...)
	stdout, stderr, err := tryRun(cliTimeout, stdin, samsaBin, full...)
	r := cliResult{args: args, stdout: stdout, stderr: stderr}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("samsa %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr)
	}
	return r
}

// cliOK runs a command that must succeed and returns its stdout.
func cliOK(t testing.TB, addr, stdin string, args ...string) string {
	t.Helper()
	r := samsaCLI(t, addr, stdin, args...)
	r.wantCode(t, 0)
	return r.stdout
}

// cliJSON runs a command with --json that must succeed and decodes its
// stdout into v.
func cliJSON(t testing.TB, addr string, v any, args ...string) {
	t.Helper()
	out := cliOK(t, addr, "", append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("samsa %s --json: %v\nstdout:\n%s", strings.Join(args, " "), err, out)
	}
}

func (r cliResult) wantCode(t testing.TB, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("samsa %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, code, r.stdout, r.stderr)
	}
}

// wantFailure checks a failed run: its exit code and that stderr says
// why, with the given text (a Kafka error name, usually).
func (r cliResult) wantFailure(t testing.TB, code int, stderrHas string) {
	t.Helper()
	r.wantCode(t, code)
	if !strings.Contains(r.stderr, stderrHas) {
		t.Fatalf("samsa %s: stderr does not mention %q:\n%s", strings.Join(r.args, " "), stderrHas, r.stderr)
	}
}

// lines splits output into lines, without the empty one after the last
// newline.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// waitFor polls cond every 50ms until it holds or the deadline passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kafkaPartition is the partition Kafka's default partitioner picks for a
// key (murmur2), as franz-go computes it: an implementation apart from the
// one under test.
func kafkaPartition(key string, n int) int32 {
	return int32(kgo.StickyKeyPartitioner(nil).ForTopic("").Partition(&kgo.Record{Key: []byte(key)}, n))
}
