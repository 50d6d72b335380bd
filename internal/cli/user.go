package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

func userCommands() []*command {
	return []*command{userCreateCommand(), userListCommand(), userDeleteCommand()}
}

func parseScramMechanism(s string) (kadm.ScramMechanism, error) {
	switch strings.ToUpper(s) {
	case "SCRAM-SHA-256":
		return kadm.ScramSha256, nil
	case "SCRAM-SHA-512":
		return kadm.ScramSha512, nil
	}
	return 0, usagef("--mechanism %q: want SCRAM-SHA-256 or SCRAM-SHA-512", s)
}

func userCreateCommand() *command {
	return &command{
		path: "user create", args: "NAME", minArgs: 1, maxArgs: 1,
		summary: "create a SCRAM user, or change its password",
		details: `
The password comes from --password, from the first line of stdin with
--password-stdin, or from env SAMSA_USER_PASSWORD; the last two keep it out
of the process list and the shell history. The broker stores only a salted
hash. Creating a user again replaces its password for that mechanism.

Examples:
  samsa user create alice --password-stdin < alice.pass
  SAMSA_USER_PASSWORD=s3cret samsa user create bob --mechanism SCRAM-SHA-256`,
		setup: func(fs *flagSet) action {
			mech := fs.String("mechanism", "SCRAM-SHA-512", "`SCRAM-SHA-256` or SCRAM-SHA-512")
			iterations := fs.Int("iterations", 8192, "SCRAM iterations, 4096 to 16384")
			var password string
			fs.Var(secret{&password}, "password", "the user's `password` (prefer --password-stdin or env SAMSA_USER_PASSWORD)")
			fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
			return func(ctx context.Context, s *session, args []string) error {
				pass, err := userPassword(s.env, password, *fromStdin)
				if err != nil {
					return err
				}
				return createUser(ctx, s, args[0], *mech, *iterations, pass)
			}
		},
	}
}

// userPassword picks the one password source given.
func userPassword(env *Env, flagValue string, fromStdin bool) (string, error) {
	if flagValue != "" && fromStdin {
		return "", usagef("--password and --password-stdin exclude each other")
	}
	if fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", usagef("--password-stdin: no password on stdin (%v)", err)
		}
		return line, nil
	}
	if flagValue == "" && env.Getenv != nil {
		flagValue = env.Getenv("SAMSA_USER_PASSWORD")
	}
	if flagValue == "" {
		return "", usagef("no password: give --password, --password-stdin or env SAMSA_USER_PASSWORD")
	}
	return flagValue, nil
}

func createUser(ctx context.Context, s *session, user, mechanism string, iterations int, password string) error {
	mech, err := parseScramMechanism(mechanism)
	if err != nil {
		return err
	}
	if iterations < 4096 || iterations > 16384 {
		return usagef("--iterations %d: want 4096 to 16384", iterations)
	}
	up := kadm.UpsertSCRAM{User: user, Mechanism: mech, Iterations: int32(iterations), Password: password}
	return alterUsers(ctx, s, "create user", user, nil, []kadm.UpsertSCRAM{up})
}

func alterUsers(ctx context.Context, s *session, verb, user string, del []kadm.DeleteSCRAM, up []kadm.UpsertSCRAM) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	altered, err := adm.AlterUserSCRAMs(ctx, del, up)
	if err != nil {
		return err
	}
	r, ok := altered[user]
	err = withMessage(r.Err, r.ErrMessage)
	if !ok {
		err = fmt.Errorf("no answer for user %q", user)
	}
	results := []result{{user, err}}
	return s.printResults("USER", results, summarize(verb, results))
}

func userDeleteCommand() *command {
	return &command{
		path: "user delete", args: "NAME", minArgs: 1, maxArgs: 1,
		summary: "delete a SCRAM user's credentials",
		details: `
Deletes the credential of one mechanism, or without --mechanism all the
user's credentials. Exits 1 with RESOURCE_NOT_FOUND when there is none.

Examples:
  samsa user delete alice
  samsa user delete alice --mechanism SCRAM-SHA-256`,
		setup: func(fs *flagSet) action {
			mech := fs.String("mechanism", "", "delete only this mechanism's credential: `SCRAM-SHA-256` or SCRAM-SHA-512")
			return func(ctx context.Context, s *session, args []string) error {
				return deleteUser(ctx, s, args[0], *mech)
			}
		},
	}
}

func deleteUser(ctx context.Context, s *session, user, mechanism string) error {
	var mechs []kadm.ScramMechanism
	if mechanism != "" {
		m, err := parseScramMechanism(mechanism)
		if err != nil {
			return err
		}
		mechs = append(mechs, m)
	} else {
		d, err := describeUsers(ctx, s, user)
		if err != nil {
			return err
		}
		if len(d) == 0 {
			return fmt.Errorf("user %s: no SCRAM credentials", user)
		}
		for _, c := range d[0].CredInfos {
			mechs = append(mechs, c.Mechanism)
		}
	}
	var del []kadm.DeleteSCRAM
	for _, m := range mechs {
		del = append(del, kadm.DeleteSCRAM{User: user, Mechanism: m})
	}
	return alterUsers(ctx, s, "delete user", user, del, nil)
}

func userListCommand() *command {
	return &command{
		path: "user list", args: "[NAME...]", maxArgs: -1,
		summary: "list SCRAM users with their mechanisms and iterations",
		details: `
Lists all SCRAM users, or those named. Passwords, salts and hashes are
never shown: the broker does not return them.

Examples:
  samsa user list
  samsa user list alice --json`,
		setup: func(*flagSet) action { return listUsers },
	}
}

type listedUser struct {
	User        string           `json:"user"`
	Credentials []userCredential `json:"credentials"`
}

type userCredential struct {
	Mechanism  string `json:"mechanism"`
	Iterations int32  `json:"iterations"`
}

func listUsers(ctx context.Context, s *session, users []string) error {
	described, err := describeUsers(ctx, s, users...)
	if err != nil {
		return err
	}
	rows := []listedUser{}
	for _, d := range described {
		u := listedUser{User: d.User, Credentials: []userCredential{}}
		for _, c := range d.CredInfos {
			u.Credentials = append(u.Credentials, userCredential{c.Mechanism.String(), c.Iterations})
		}
		rows = append(rows, u)
	}
	if s.g.json {
		return writeJSON(s.env.Stdout, rows)
	}
	t := newTable(s.env.Stdout, "USER", "MECHANISM", "ITERATIONS")
	for _, u := range rows {
		for _, c := range u.Credentials {
			t.row(u.User, c.Mechanism, c.Iterations)
		}
	}
	t.flush()
	return nil
}

// describeUsers returns the users sorted; a named user without
// credentials is an error (RESOURCE_NOT_FOUND).
func describeUsers(ctx context.Context, s *session, users ...string) ([]kadm.DescribedUserSCRAM, error) {
	adm, err := s.admin()
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	described, err := adm.DescribeUserSCRAMs(ctx, users...)
	if err != nil {
		return nil, err
	}
	sorted := described.Sorted()
	for _, d := range sorted {
		if d.Err != nil {
			return nil, fmt.Errorf("user %s: %w", d.User, withMessage(d.Err, d.ErrMessage))
		}
	}
	return sorted, nil
}
