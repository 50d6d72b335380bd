package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
)

// command is one leaf of the command tree: `samsa topic create`.
type command struct {
	path    string // words after "samsa": "topic create"
	args    string // positional arguments for the synopsis: "TOPIC..."
	summary string // one line, shown in lists
	details string // paragraphs and examples, shown by --help
	minArgs int
	maxArgs int // -1: no limit
	// setup registers the command's flags and returns what runs once they
	// are parsed; the closure reads the flag values it registered.
	setup func(fs *flagSet) action
}

// action runs a command with its positional arguments.
type action func(ctx context.Context, s *session, args []string) error

// commandGroup is a noun with subcommands (`topic`), or a lone verb
// (`produce`) when its only command has the group's own name.
type commandGroup struct {
	name     string
	summary  string
	commands []*command
}

// groups is the whole command tree; its order is the order of `samsa help`.
var groups []*commandGroup

func init() {
	// Filled in init: the commands' help reads groups (through usage).
	groups = []*commandGroup{
		{name: "topic", summary: "create, list, describe, configure and delete topics", commands: topicCommands()},
		{name: "group", summary: "list, describe, reset offsets of and delete consumer groups", commands: groupCommands()},
		{name: "produce", commands: []*command{produceCommand()}},
		{name: "consume", commands: []*command{consumeCommand()}},
		{name: "cluster", summary: "cluster id, brokers, API versions", commands: []*command{clusterInfoCommand()}},
		{name: "acl", summary: "create, list and delete ACLs (brokers with an authorizer)", commands: aclCommands()},
		{name: "user", summary: "create, list and delete SCRAM users", commands: userCommands()},
	}
}

// isVerb reports whether the group is a lone command (`produce`).
func (grp *commandGroup) isVerb() bool {
	return len(grp.commands) == 1 && grp.commands[0].path == grp.name
}

func findGroup(name string) *commandGroup {
	for _, g := range groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// lookup finds the command named by the first words of args and returns
// it with the remaining arguments.
func lookup(args []string) (*command, []string, error) {
	grp := findGroup(args[0])
	if grp == nil {
		return nil, nil, fmt.Errorf("unknown command %q", args[0])
	}
	if grp.isVerb() {
		return grp.commands[0], args[1:], nil
	}
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		return nil, nil, groupUsageError{grp, ""}
	}
	for _, c := range grp.commands {
		if c.path == grp.name+" "+args[1] {
			return c, args[2:], nil
		}
	}
	return nil, nil, groupUsageError{grp, fmt.Sprintf("unknown command %q", grp.name+" "+args[1])}
}

// groupUsageError is a missing or unknown subcommand: the group's usage
// explains it better than the top-level one.
type groupUsageError struct {
	grp *commandGroup
	msg string
}

func (e groupUsageError) Error() string { return e.msg }

// run parses the command's flags, runs it and maps the outcome to an exit
// code.
func (c *command) run(ctx context.Context, env *Env, g *globals, args []string) int {
	fs := newFlagSet("samsa " + c.path)
	act := c.setup(fs)
	g.register(fs)
	// After a usage error the synopsis and flags say enough; --help adds
	// the description and examples.
	usage := func() string { return c.usage(g, false) }
	pos, err := fs.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, c.usage(g, true))
		return exitOK
	}
	if err == nil {
		err = c.checkArgs(pos)
	}
	if err != nil {
		return usageFailure(env, fmt.Errorf("%s: %w", c.path, err), usage)
	}
	s := newSession(env, g)
	defer s.close()
	err = act(ctx, s, pos)
	var ue usageError
	if errors.As(err, &ue) {
		return usageFailure(env, fmt.Errorf("%s: %w", c.path, err), usage)
	}
	return s.report(err)
}

func (c *command) checkArgs(pos []string) error {
	switch {
	case len(pos) < c.minArgs && c.args != "":
		return fmt.Errorf("missing %s", strings.Trim(strings.Fields(c.args)[0], "[]."))
	case c.maxArgs >= 0 && len(pos) > c.maxArgs:
		return fmt.Errorf("unexpected argument %q", pos[c.maxArgs])
	}
	return nil
}

// usage is the --help text (full: synopsis, description with examples,
// flags), or the synopsis and flags alone.
func (c *command) usage(g *globals, full bool) string {
	fs := newFlagSet("samsa " + c.path)
	c.setup(fs)
	g.register(fs)
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: samsa %s", c.path)
	if c.args != "" {
		fmt.Fprintf(&b, " %s", c.args)
	}
	fmt.Fprintf(&b, " [flags]\n\n%s.\n", upperFirst(c.summary))
	if full && c.details != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.details))
	}
	if own := fs.describe(false); own != "" {
		fmt.Fprintf(&b, "\nFlags:\n%s", own)
	}
	fmt.Fprintf(&b, "\nGlobal flags:\n%s", fs.describe(true))
	if !full {
		fmt.Fprintf(&b, "\nRun 'samsa %s --help' for details and examples.\n", c.path)
	}
	return b.String()
}

func (grp *commandGroup) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: samsa %s <command> [flags]\n\n%s.\n\nCommands:\n", grp.name, upperFirst(grp.summary))
	t := newTable(&b)
	for _, c := range grp.commands {
		t.row("  "+c.path, c.summary)
	}
	t.flush()
	fmt.Fprintf(&b, "\nRun 'samsa %s <command> --help' for its flags and examples.\n", grp.name)
	return b.String()
}

func topUsage() string {
	var b strings.Builder
	b.WriteString(`samsa: a Kafka-compatible streaming broker, and a client for any Kafka-compatible broker

Usage:
  samsa <command> [arguments] [flags]

Broker:
  samsa serve [flags]    run a single-node broker (samsa serve -h for its flags)

Client commands:
`)
	t := newTable(&b)
	for _, grp := range groups {
		for _, c := range grp.commands {
			t.row("  samsa "+c.path, c.summary)
		}
	}
	t.flush()
	fs := newFlagSet("samsa")
	(&globals{brokers: defaultBrokers, timeout: defaultTimeout}).register(fs)
	fmt.Fprintf(&b, "\nGlobal flags (any client command, before or after it):\n%s", fs.describe(true))
	b.WriteString(`
Exit codes: 0 success; 1 broker error, failed record or broker unreachable;
2 usage error. Run 'samsa help <command>' or 'samsa <command> --help' for
flags and examples.
`)
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
