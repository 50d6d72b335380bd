package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	// readyTimeout bounds a child's start-up, until its port accepts
	// connections.
	readyTimeout = 30 * time.Second
	// stopTimeout is how long a child has to exit after SIGTERM before it
	// gets SIGKILL. Samsa's own shutdown timeout is 10s too.
	stopTimeout = 10 * time.Second
)

// target is a broker implementation that runs as a child process.
type target struct {
	name string
	// dataDir: the child needs a fresh data directory per start.
	dataDir bool
	// args is the child's command line for a broker on addr storing its
	// data in dir ("" unless dataDir).
	args func(addr, dir string) []string
}

// newTargets returns the targets to run, in order: samsa first, built from
// this module into tmp, then kfake, served by this binary re-executed with
// the hidden -serve-kfake flag.
func newTargets(only, tmp string) ([]target, error) {
	var ts []target
	if only == "" || only == "samsa" {
		bin, err := buildSamsa(tmp)
		if err != nil {
			return nil, err
		}
		ts = append(ts, target{name: "samsa", dataDir: true, args: func(addr, dir string) []string {
			return []string{bin, "serve", "--data-dir", dir, "--listen", addr, "--admin-listen="}
		}})
	}
	if only == "" || only == "kfake" {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		ts = append(ts, target{name: "kfake", args: func(addr, _ string) []string {
			return []string{self, serveKfakeFlag, addr}
		}})
	}
	return ts, nil
}

// buildSamsa builds ./cmd/samsa of the module we run in, the real binary
// users run, into dir.
func buildSamsa(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the samsa module: run samsa-bench from the repository")
	}
	bin := filepath.Join(dir, "samsa")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/samsa")
	cmd.Dir = filepath.Dir(gomod)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building samsa: %w", err)
	}
	return bin, nil
}

// broker is one running child process.
type broker struct {
	name   string
	addr   string
	dir    string // data directory, removed by stop; "" for kfake
	cmd    *exec.Cmd
	log    *childLog
	exited chan struct{} // closed once the child is reaped
	err    error         // cmd.Wait's result, set before exited is closed
}

// start runs t on a free port with a fresh data directory and creates the
// topics (name -> partitions).
func start(ctx context.Context, t target, topics map[string]int32) (*broker, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	b := &broker{name: t.name, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		log: &childLog{name: t.name}, exited: make(chan struct{})}
	if t.dataDir {
		if b.dir, err = os.MkdirTemp("", "samsa-bench-data-"); err != nil {
			return nil, err
		}
	}
	args := t.args(b.addr, b.dir)
	b.cmd = exec.Command(args[0], args[1:]...)
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	b.cmd.SysProcAttr = childAttr()
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(b.dir)
		return nil, err
	}
	go func() {
		b.err = b.cmd.Wait()
		close(b.exited)
	}()
	if err := b.waitReady(ctx); err != nil {
		b.stop()
		return nil, err
	}
	if err := createTopics(ctx, b.addr, topics); err != nil {
		b.stop()
		return nil, err
	}
	return b, nil
}

// freePort asks the kernel for a free port. Another process may take it
// before the child binds it; the child then exits and start reports that.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls until the child's port accepts TCP connections.
func (b *broker) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-b.exited:
			return fmt.Errorf("%s exited during start-up (%v); its output:\n%s", b.name, b.err, b.log.tail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if c, err := net.DialTimeout("tcp", b.addr, time.Second); err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not accepting connections on %s after %v", b.name, b.addr, readyTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop sends SIGTERM, waits up to stopTimeout, then SIGKILLs, and removes
// the data directory. It reports a child that had to be killed or exited
// with an error.
func (b *broker) stop() error {
	defer os.RemoveAll(b.dir)
	select {
	case <-b.exited:
		return fmt.Errorf("%s exited before it was stopped (%v); its output:\n%s", b.name, b.err, b.log.tail())
	default:
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(stopTimeout):
		b.cmd.Process.Kill()
		<-b.exited
		return fmt.Errorf("%s did not exit within %v of SIGTERM and was killed; its output:\n%s", b.name, stopTimeout, b.log.tail())
	}
	if b.err != nil {
		return fmt.Errorf("%s exited with %v; its output:\n%s", b.name, b.err, b.log.tail())
	}
	return nil
}

func createTopics(ctx context.Context, addr string, topics map[string]int32) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	for name, partitions := range topics {
		if _, err := adm.CreateTopic(ctx, partitions, 1, nil, name); err != nil {
			return fmt.Errorf("creating topic %s: %w", name, err)
		}
	}
	return nil
}

// memory is a child's memory use from /proc/PID/status, in KiB.
type memory struct {
	rss, hwm   int64 // VmRSS, VmHWM: resident now, and at the peak
	anon, file int64 // RssAnon, RssFile: the heap and stacks; mapped files
}

func (m memory) String() string {
	return fmt.Sprintf("RSS %d MiB (heap and stacks %d MiB, mapped files %d MiB), peak RSS %d MiB",
		m.rss>>10, m.anon>>10, m.file>>10, m.hwm>>10)
}

func (b *broker) memory() memory {
	var m memory
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", b.cmd.Process.Pid))
	if err != nil {
		return m
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			m.rss = kb
		case "VmHWM":
			m.hwm = kb
		case "RssAnon":
			m.anon = kb
		case "RssFile":
			m.file = kb
		}
	}
	return m
}

// userHZ is the unit of the CPU times in /proc/<pid>/stat: 100 on every
// Linux architecture Go runs on (sysconf(_SC_CLK_TCK), fixed by the ABI).
const userHZ = 100

// cpu returns the user plus system CPU time the child has used so far.
func (b *broker) cpu() time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces; the fields
	// after it start at field 3 (state). utime and stime are fields 14
	// and 15.
	_, rest, ok := bytes.Cut(stat, []byte(") "))
	if !ok {
		return 0
	}
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / userHZ
}

// selfCPU returns the user plus system CPU time this process (the client)
// has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// childLog takes a child's stdout and stderr. It keeps the last lines for
// error messages and passes on at once every line that is not an Info or
// Debug log (Samsa logs with slog's text handler), so that warnings, errors
// and panics show up next to the run that caused them.
type childLog struct {
	name string

	mu      sync.Mutex
	partial []byte
	last    []string // the last tailLines lines
}

const tailLines = 30

func (l *childLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		if len(l.last) == tailLines {
			l.last = l.last[1:]
		}
		l.last = append(l.last, line)
		if !strings.Contains(line, "level=INFO") && !strings.Contains(line, "level=DEBUG") {
			fmt.Fprintf(os.Stderr, "[%s] %s\n", l.name, line)
		}
	}
}

func (l *childLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(slices.Clone(l.last), string(l.partial)), "\n")
}
