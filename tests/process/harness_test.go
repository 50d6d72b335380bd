//go:build unix

package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// readyTimeout bounds start-up, recovery of the data dir included.
	readyTimeout = 20 * time.Second
	// stopTimeout is longer than the broker's own 10s shutdown timeout,
	// so a hang past it is the broker's bug, not a slow machine.
	stopTimeout = 30 * time.Second
)

// broker is one samsa process plus what survives its restarts: the data
// directory, the port and the accumulated stderr.
type broker struct {
	t     testing.TB
	cfg   brokerConfig
	dir   string
	port  int
	admin string // admin HTTP address, when withAdmin
	log   *logBuffer

	starts int
	cmd    *exec.Cmd
	exited chan struct{}    // closed once the process is reaped
	state  *os.ProcessState // set before exited is closed
	down   bool             // the test stopped or killed it on purpose
}

type brokerConfig struct {
	overrides []string
	admin     bool
}

// brokerOption adjusts how startBroker runs the binary.
type brokerOption func(*brokerConfig)

// withOverride passes --override name=value (a Kafka broker property).
func withOverride(nameValue string) brokerOption {
	return func(c *brokerConfig) { c.overrides = append(c.overrides, nameValue) }
}

// withAdmin turns on the admin HTTP listener on a free port.
func withAdmin() brokerOption { return func(c *brokerConfig) { c.admin = true } }

// startBroker runs the binary on a free port with a fresh data directory.
// When the test ends the broker is stopped with SIGTERM (a non-zero exit
// fails the test) and, if the test failed, its stderr is logged.
func startBroker(t testing.TB, opts ...brokerOption) *broker {
	t.Helper()
	b := &broker{t: t, dir: t.TempDir(), log: new(logBuffer)}
	for _, o := range opts {
		o(&b.cfg)
	}
	// Registered first so it runs last, after the stop below has
	// captured the shutdown logs.
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("SAMSA_TEST_LOGS") != "" {
			t.Logf("broker stderr (data dir %s):\n%s", b.dir, b.log.String())
		}
	})
	t.Cleanup(func() {
		if b.running() {
			b.Stop()
		} else if !b.down {
			t.Errorf("broker exited on its own: %v", b.state)
		}
		// Found even when a kill cut the process short of its exit code.
		if strings.Contains(b.log.String(), "WARNING: DATA RACE") {
			t.Error("the race detector reported a data race in the broker (stderr below)")
		}
	})
	b.Start()
	return b
}

// Addr is the Kafka listener address, the same across restarts.
func (b *broker) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// Start runs the process (again) on the same data directory and port and
// returns once it accepts connections.
func (b *broker) Start() {
	b.t.Helper()
	if b.running() {
		b.t.Fatal("broker already running")
	}
	for attempt := 1; ; attempt++ {
		if b.starts == 0 {
			// Free only when we looked; another process may take it
			// before the broker binds, hence the retry below.
			b.port = freePort(b.t)
		}
		err := b.spawn()
		if err == nil {
			b.starts++
			return
		}
		if b.starts == 0 && attempt < 3 && errors.Is(err, errAddrInUse) {
			continue
		}
		b.t.Fatalf("starting broker: %v (stderr is logged below)", err)
	}
}

var errAddrInUse = errors.New("address already in use")

func (b *broker) spawn() error {
	args := []string{"serve", "--data-dir", b.dir, "--listen", b.Addr(), "--admin-listen", ""}
	if b.cfg.admin {
		b.admin = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(b.t)))
		args[len(args)-1] = b.admin
	}
	if lvl := os.Getenv("SAMSA_LOG_LEVEL"); lvl != "" {
		args = append(args, "--log-level", lvl)
	}
	for _, o := range b.cfg.overrides {
		args = append(args, "--override", o)
	}
	fmt.Fprintf(b.log, "=== start %d: samsa %s\n", b.starts+1, strings.Join(args, " "))
	mark := b.log.Len()
	cmd := exec.Command(samsaBin, args...)
	cmd.Stdout, cmd.Stderr = b.log, b.log
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	b.cmd, b.exited, b.state, b.down = cmd, make(chan struct{}), nil, false
	go func(exited chan struct{}) {
		cmd.Wait()
		b.state = cmd.ProcessState
		close(exited)
	}(b.exited)
	return b.waitReady(mark)
}

// waitReady polls until this process logged that it started and its port
// accepts connections. The log line tells our process from one that took
// the port; the dial proves the listener is really up.
func (b *broker) waitReady(mark int) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-b.exited:
			b.down = true
			if strings.Contains(b.log.From(mark), "address already in use") {
				return errAddrInUse
			}
			return fmt.Errorf("broker exited before it was ready: %v", b.state)
		default:
		}
		if strings.Contains(b.log.From(mark), `msg="samsa started"`) {
			c, err := net.DialTimeout("tcp", b.Addr(), time.Second)
			if err == nil {
				c.Close()
				return nil
			}
		}
		if time.Now().After(deadline) {
			b.kill()
			return fmt.Errorf("broker not ready after %v", readyTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *broker) running() bool {
	if b.exited == nil {
		return false
	}
	select {
	case <-b.exited:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM and requires a clean exit (code 0) within stopTimeout.
func (b *broker) Stop() {
	b.t.Helper()
	b.stopWith(syscall.SIGTERM)
}

func (b *broker) stopWith(sig syscall.Signal) {
	b.t.Helper()
	b.requireRunning()
	b.down = true
	if err := b.cmd.Process.Signal(sig); err != nil {
		b.t.Fatalf("%v: %v", sig, err)
	}
	select {
	case <-b.exited:
	case <-time.After(stopTimeout):
		b.kill()
		b.t.Fatalf("broker still running %v after %v; killed it", stopTimeout, sig)
	}
	if code := b.state.ExitCode(); code != 0 {
		b.t.Errorf("broker exit after %v: %v, want exit code 0", sig, b.state)
	}
}

// Kill sends SIGKILL: no deferred code, no flush, no close.
func (b *broker) Kill() {
	b.t.Helper()
	b.requireRunning()
	b.kill()
	ws, ok := b.state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		b.t.Fatalf("broker ended with %v, want killed by SIGKILL", b.state)
	}
}

func (b *broker) kill() {
	b.down = true
	b.cmd.Process.Kill()
	<-b.exited
}

func (b *broker) requireRunning() {
	b.t.Helper()
	if !b.running() {
		b.t.Fatalf("broker is not running (exit: %v)", b.state)
	}
}

// freePort asks the kernel for a free port. It is free only until someone
// else binds it; Start retries when the broker loses that race.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// logBuffer collects a process's output; exec copies into it from its own
// goroutine while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Len()
}

func (l *logBuffer) String() string { return l.From(0) }

// From returns what was written from offset on.
func (l *logBuffer) From(offset int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf.Bytes()[offset:])
}

// inCI reports whether a missing client must fail the run: CI installs
// every client (.ci/run), so a skip there would hide a broken setup.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// missingClient fails in CI and skips elsewhere.
func missingClient(t testing.TB, what, aptPkg string) {
	t.Helper()
	msg := fmt.Sprintf("%s not installed (apt-get install %s)", what, aptPkg)
	if inCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// kcatPath returns the kcat binary or skips/fails the test without it.
func kcatPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("kcat")
	if err != nil {
		missingClient(t, "kcat", "kcat")
	}
	return p
}

// pythonPath is Debian's interpreter: the apt packages install the client
// modules for it, not for whatever python3 comes first on PATH.
const pythonPath = "/usr/bin/python3"

var pythonModules sync.Map // module name -> error from importing it

// hasPythonModule reports whether pythonPath can import module.
func hasPythonModule(module string) bool {
	if v, ok := pythonModules.Load(module); ok {
		return v == nil
	}
	err := exec.Command(pythonPath, "-c", "import "+module).Run()
	pythonModules.Store(module, err)
	return err == nil
}

// requirePythonModule skips (locally) or fails (CI) without module.
func requirePythonModule(t testing.TB, module, aptPkg string) {
	t.Helper()
	if !hasPythonModule(module) {
		missingClient(t, "python module "+module+" for "+pythonPath, aptPkg)
	}
}

// run executes a client command with a deadline and returns its stdout.
// Any failure ends the test with both output streams.
func run(t testing.TB, timeout time.Duration, stdin string, name string, args ...string) string {
	t.Helper()
	stdout, stderr, err := tryRun(timeout, stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
}

// tryRun is run for commands expected to fail.
func tryRun(timeout time.Duration, stdin string, name string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	setProcAttr(cmd)
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", timeout, err)
	}
	return out.String(), errOut.String(), err
}
