//go:build unix

package process

import (
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Process-level behaviour of the binary itself: exit codes, signals, the
// data directory lock and the admin endpoints.

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"unknown flag", []string{"serve", "--no-such-flag"}, 2},
		{"bad log level", []string{"serve", "--log-level", "loud"}, 2},
		// Unknown property names are an error, not silently ignored.
		{"unknown property", []string{"serve", "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0", "--admin-listen", "", "--override", "no.such.property=1"}, -1},
		{"bad property value", []string{"serve", "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0", "--admin-listen", "", "--override", "num.partitions=many"}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := tryRun(20*time.Second, "", samsaBin, tc.args...)
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("samsa %v: %v, want a non-zero exit\nstderr:\n%s", tc.args, err, stderr)
			}
			if tc.code >= 0 && exit.ExitCode() != tc.code {
				t.Errorf("samsa %v: exit code %d, want %d\nstderr:\n%s", tc.args, exit.ExitCode(), tc.code, stderr)
			}
			if strings.TrimSpace(stderr) == "" {
				t.Errorf("samsa %v: failed without saying why on stderr", tc.args)
			}
		})
	}
}

func TestSIGINT(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	b.stopWith(syscall.SIGINT)
}

// TestDataDirLock starts a second process on a data directory in use: it
// must refuse (non-zero exit) and leave the first one serving.
func TestDataDirLock(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	stdout, stderr, err := tryRun(20*time.Second, "", samsaBin, "serve", "--data-dir", b.dir,
		"--listen", "127.0.0.1:0", "--admin-listen", "")
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("second broker on %s: %v, want a non-zero exit\nstdout:\n%s\nstderr:\n%s", b.dir, err, stdout, stderr)
	}
	t.Logf("second broker refused: exit %d: %s", exit.ExitCode(), strings.TrimSpace(stderr))
	cl := newClient(t, b.Addr())
	createTopic(t, cl, "still-serving", 1)
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	b := startBroker(t, withAdmin())
	hc := &http.Client{Timeout: 10 * time.Second}
	for _, tc := range []struct{ path, contains string }{
		{"/healthz", ""},
		{"/metrics", "# TYPE "},
	} {
		resp, err := hc.Get("http://" + b.admin + tc.path)
		if err != nil {
			t.Errorf("GET %s: %v", tc.path, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.contains) {
			t.Errorf("GET %s: %s, body %.300q; want 200 containing %q", tc.path, resp.Status, body, tc.contains)
		}
	}
}
