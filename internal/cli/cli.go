// Package cli is the samsa command line client: topic, group, produce,
// consume and cluster commands that speak the Kafka protocol through
// franz-go, so they work against any Kafka-compatible broker, not only
// samsa. cmd/samsa dispatches every command except `serve` here.
//
// Contract for scripts:
//
//	exit 0   success
//	exit 1   the broker refused (its error name is printed, e.g.
//	         UNKNOWN_TOPIC_OR_PARTITION), a record failed, or the broker
//	         could not be reached within --timeout
//	exit 2   usage error: unknown command or flag, bad flag value
//
// Tables go to stdout, aligned for people; --json prints the same data as
// JSON for programs. Errors, warnings, summaries and progress go to stderr,
// so stdout stays clean for pipes (consume | jq, ...).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Env is the process's world: the streams and environment a command sees.
// Tests replace it; Main uses the real one.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (SAMSA_BROKERS).
	Getenv func(string) string
	// Interactive is true when stderr is a terminal: produce then shows
	// progress, which would only litter a log file.
	Interactive bool
}

// Main runs the command line args (without the program name) in the
// process's environment and returns the exit code. SIGINT and SIGTERM
// cancel the command, which then stops cleanly: a consumer commits what it
// printed, a producer reports what was delivered.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills a command slow to stop
	}()
	env := &Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Interactive: isTerminal(os.Stderr),
	}
	return Run(ctx, args, env)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Run parses args, runs the command and returns the exit code.
func Run(ctx context.Context, args []string, env *Env) int {
	g := defaultGlobals(env)
	top := newFlagSet("samsa")
	g.register(top)
	// Global flags may come before the command as well as after it.
	if err := top.Parse(args); errors.Is(err, flag.ErrHelp) {
		return help(env, nil)
	} else if err != nil {
		return usageFailure(env, err, topUsage)
	}
	rest := top.Args()
	if len(rest) == 0 {
		fmt.Fprint(env.Stderr, topUsage())
		return exitUsage
	}
	if rest[0] == "help" {
		return help(env, rest[1:])
	}
	if grp := findGroup(rest[0]); grp != nil && !grp.isVerb() && len(rest) == 2 && isHelpFlag(rest[1]) {
		return help(env, rest[:1])
	}
	cmd, cmdArgs, err := lookup(rest)
	var gue groupUsageError
	if errors.As(err, &gue) {
		return usageFailure(env, err, gue.grp.usage)
	}
	if err != nil {
		return usageFailure(env, err, topUsage)
	}
	return cmd.run(ctx, env, g, cmdArgs)
}

// usageFailure reports a usage error with the usage text that explains it.
func usageFailure(env *Env, err error, usage func() string) int {
	if err != nil && err.Error() != "" {
		fmt.Fprintf(env.Stderr, "samsa: %v\n\n", err)
	}
	fmt.Fprint(env.Stderr, usage())
	return exitUsage
}

// help prints the usage of a command or command group on stdout.
func help(env *Env, path []string) int {
	if len(path) == 0 {
		fmt.Fprint(env.Stdout, topUsage())
		return exitOK
	}
	if grp := findGroup(path[0]); grp != nil && !grp.isVerb() && len(path) == 1 {
		fmt.Fprint(env.Stdout, grp.usage())
		return exitOK
	}
	cmd, _, err := lookup(path)
	if err != nil {
		return usageFailure(env, err, topUsage)
	}
	fmt.Fprint(env.Stdout, cmd.usage(defaultGlobals(env), true))
	return exitOK
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}
