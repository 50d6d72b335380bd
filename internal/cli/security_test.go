package cli

import (
	"strings"
	"testing"
)

// parseGlobals parses args as a command's flags would be, with env.
func parseGlobals(t *testing.T, env map[string]string, args ...string) *globals {
	t.Helper()
	g := defaultGlobals(&Env{Getenv: func(k string) string { return env[k] }})
	fs := newFlagSet("test")
	g.register(fs)
	if _, err := fs.parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return g
}

func TestSecurityFlagsParse(t *testing.T) {
	g := parseGlobals(t, map[string]string{"SAMSA_SASL_PASSWORD": "from-env"},
		"--sasl-mechanism", "scram-sha-512", "--sasl-user", "bob", "--tls-ca", "ca.pem")
	sec := g.sec
	if sec.saslMechanism != "scram-sha-512" || sec.saslUser != "bob" || sec.saslPassword != "from-env" || !sec.wantsTLS() {
		t.Fatalf("parsed %+v", sec)
	}
	g = parseGlobals(t, map[string]string{"SAMSA_SASL_PASSWORD": "from-env"}, "--sasl-password", "from-flag")
	if g.sec.saslPassword != "from-flag" {
		t.Errorf("the flag should win over the environment: %q", g.sec.saslPassword)
	}
	if g.sec.tls || g.sec.wantsTLS() {
		t.Error("TLS on without a --tls flag")
	}
}

func TestSecurityOptsValid(t *testing.T) {
	for _, sec := range []security{
		{},
		{tls: true},
		{tlsInsecure: true},
		{saslMechanism: "PLAIN", saslUser: "u", saslPassword: "p"},
		{saslMechanism: "SCRAM-SHA-256", saslUser: "u", saslPassword: "p"},
		{saslMechanism: "scram-sha-512", saslUser: "u", saslPassword: "p", tls: true},
		{saslMechanism: "OAUTHBEARER", saslToken: "tok"},
	} {
		if _, err := sec.opts(); err != nil {
			t.Errorf("%+v: %v", sec, err)
		}
	}
}

func TestSecurityUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--sasl-mechanism", "GSSAPI", "--sasl-user", "u", "--sasl-password", "p"}, "want PLAIN, SCRAM-SHA-256"},
		{[]string{"--sasl-mechanism", "PLAIN", "--sasl-user", "u"}, "needs --sasl-user and --sasl-password"},
		{[]string{"--sasl-user", "u", "--sasl-password", "p"}, "needs --sasl-mechanism"},
		{[]string{"--sasl-mechanism", "OAUTHBEARER"}, "needs --sasl-token"},
		{[]string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-ca", "/nonexistent/ca.pem"}, "--tls-ca"},
	} {
		args := append([]string{"topic", "list", "-b", "127.0.0.1:1"}, tc.args...)
		code, _, stderr := run(t, nil, args...)
		if code != exitUsage || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%q: exit %d, want 2 with %q; stderr:\n%s", tc.args, code, tc.stderr, stderr)
		}
	}
}

func TestSecretsStayOutOfHelp(t *testing.T) {
	env := map[string]string{"SAMSA_SASL_PASSWORD": "hunter2", "SAMSA_SASL_TOKEN": "tok-secret"}
	_, stdout, _ := run(t, env, "topic", "list", "--help")
	if strings.Contains(stdout, "hunter2") || strings.Contains(stdout, "tok-secret") {
		t.Fatalf("help shows a secret:\n%s", stdout)
	}
	if !strings.Contains(stdout, "--sasl-mechanism") || !strings.Contains(stdout, "--tls-ca") {
		t.Fatalf("help lacks the security flags:\n%s", stdout)
	}
}

func TestACLAndUserUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"acl", "create", "--topic", "t", "--operation", "READ"}, "needs --allow-principal"},
		{[]string{"acl", "create", "--allow-principal", "User:a", "--topic", "t"}, "--operation"},
		{[]string{"acl", "create", "--allow-principal", "User:a", "--operation", "READ"}, "a resource"},
		{[]string{"acl", "create", "--allow-principal", "User:a", "--operation", "FLY", "--topic", "t"}, `--operation "FLY"`},
		{[]string{"acl", "create", "--allow-principal", "User:a", "--operation", "READ", "--topic", "t", "--resource-pattern-type", "any"}, "invalid acl resource pattern"},
		{[]string{"acl", "list", "--resource-pattern-type", "fuzzy"}, "--resource-pattern-type"},
		{[]string{"acl", "delete"}, "needs a principal"},
		{[]string{"user", "create"}, "missing NAME"},
		{[]string{"user", "create", "bob"}, "no password"},
		{[]string{"user", "create", "bob", "--password", "p", "--mechanism", "MD5"}, "--mechanism"},
		{[]string{"user", "create", "bob", "--password", "p", "--iterations", "10"}, "--iterations 10"},
		{[]string{"user", "create", "bob", "--password", "p", "--password-stdin"}, "exclude each other"},
		{[]string{"user", "delete", "bob", "--mechanism", "x"}, "--mechanism"},
	} {
		args := append(tc.args, "-b", "127.0.0.1:1", "--timeout", "200ms")
		code, _, stderr := run(t, nil, args...)
		if code != exitUsage || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%q: exit %d, want 2 with %q; stderr:\n%s", tc.args, code, tc.stderr, stderr)
		}
	}
}

func TestUserPasswordSources(t *testing.T) {
	env := &Env{Stdin: strings.NewReader("from-stdin\nignored\n"), Getenv: func(k string) string {
		return map[string]string{"SAMSA_USER_PASSWORD": "from-env"}[k]
	}}
	if p, _ := userPassword(env, "", true); p != "from-stdin" {
		t.Errorf("stdin: %q", p)
	}
	if p, _ := userPassword(env, "from-flag", false); p != "from-flag" {
		t.Errorf("flag: %q", p)
	}
	if p, _ := userPassword(env, "", false); p != "from-env" {
		t.Errorf("env: %q", p)
	}
}

func TestACLFilterBuilder(t *testing.T) {
	f := aclFlags{pattern: "any"}
	b, err := f.builder(true)
	if err != nil {
		t.Fatal(err)
	}
	if !b.HasAnyFilter() || !b.HasResource() || !b.HasPrincipals() {
		t.Error("an empty list filter should match every ACL")
	}
	if err := b.ValidateDescribe(); err != nil {
		t.Error(err)
	}
	f = aclFlags{pattern: "literal", allow: stringList{"User:a"}, topics: stringList{"t"}, ops: stringList{"read"}}
	if b, err = f.builder(false); err != nil || b.ValidateCreate() != nil {
		t.Fatalf("create builder: %v %v", err, b.ValidateCreate())
	}
}
