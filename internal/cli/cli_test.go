package cli

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// run runs the CLI in-process with captured output.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runStdin(t, env, "", args...)
}

func runStdin(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	code = Run(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

func TestUsageAndHelpExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{nil, 2, "", "Usage:"},
		{[]string{"help"}, 0, "samsa topic create", ""},
		{[]string{"--help"}, 0, "samsa topic create", ""},
		{[]string{"help", "consume"}, 0, "Examples:", ""},
		{[]string{"help", "topic"}, 0, "topic alter-config", ""},
		{[]string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{[]string{"topic"}, 2, "", "Usage: samsa topic <command>"},
		{[]string{"topic", "--help"}, 0, "Usage: samsa topic <command>", ""},
		{[]string{"topic", "create", "--help"}, 0, "-p, --partitions int", ""},
		{[]string{"topic", "create", "-h"}, 0, "Examples:", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"topic", "frob"}, 2, "", `unknown command "topic frob"`},
		{[]string{"topic", "create"}, 2, "", "missing TOPIC"},
		{[]string{"topic", "list", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"topic", "create", "t", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"topic", "create", "t", "-c", "novalue"}, 2, "", "want key=value"},
		{[]string{"topic", "add-partitions", "t"}, 2, "", "exactly one of --num"},
		{[]string{"topic", "alter-config", "t"}, 2, "", "nothing to change"},
		{[]string{"consume", "t", "-o", "soon"}, 2, "", "want start, end, N or -N"},
		{[]string{"consume", "t", "-f", "%x"}, 2, "", "unknown verb %x"},
		{[]string{"consume", "t", "-g", "g", "-p", "0"}, 2, "", "--partitions cannot be used with --group"},
		{[]string{"consume", "t", "-g", "g", "-o", "5"}, 2, "", "cannot be used with --group"},
		{[]string{"consume", "t", "--isolation", "maybe"}, 2, "", "--isolation"},
		{[]string{"produce", "t", "--acks", "2"}, 2, "", "--acks"},
		{[]string{"produce", "t", "--acks", "1", "--idempotent"}, 2, "", "--idempotent needs --acks all"},
		{[]string{"produce", "t", "--compression", "brotli"}, 2, "", "--compression"},
		{[]string{"produce", "t", "--format", "json", "-k", ":"}, 2, "", "--key-delimiter"},
		{[]string{"group", "reset-offsets", "g", "--topic", "t"}, 2, "", "exactly one of --to-earliest"},
		{[]string{"group", "reset-offsets", "g", "--to-latest"}, 2, "", "--all-topics"},
		{[]string{"group", "reset-offsets", "g", "--to-latest", "--topic", "t", "--all-topics"}, 2, "", "--all-topics"},
		{[]string{"group", "reset-offsets", "g", "--to-datetime", "noon", "--all-topics"}, 2, "", "--to-datetime"},
		{[]string{"--timeout", "soon", "topic", "list"}, 2, "", "invalid value"},
	} {
		code, stdout, stderr := run(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("samsa %q: exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q):\n%s",
				tc.args, code, tc.code, tc.stdout, stdout, tc.stderr, stderr)
		}
	}
}

// A usage error shows the synopsis and flags, not the long help.
func TestUsageErrorIsShort(t *testing.T) {
	_, _, stderr := run(t, nil, "consume")
	if !strings.Contains(stderr, "Flags:") || strings.Contains(stderr, "Examples:") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// A refused connection fails at once, naming the address and the cause.
func TestBrokerDownIsExit1(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, args := range [][]string{
		{"topic", "list"}, {"cluster", "info"}, {"consume", "t"}, {"produce", "t"}, {"group", "list"},
	} {
		start := time.Now()
		code, _, stderr := run(t, map[string]string{"SAMSA_BROKERS": addr}, append(args, "--timeout", "3s")...)
		if code != 1 || !strings.Contains(stderr, "cannot connect to "+addr) {
			t.Errorf("samsa %q: exit %d, stderr %q; want 1 and cannot connect", args, code, stderr)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("samsa %q took %v, more than its --timeout", args, d)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB", 5 << 40: "5120.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
