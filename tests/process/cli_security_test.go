//go:build unix

package process

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// The security commands (user, acl) and the --sasl-* flags, against a
// broker with an authorizer. The super user, admin, logs in with PLAIN
// (a JAAS user) so that it exists before any SCRAM user does; bob is
// created, granted and deleted through the CLI and logs in with SCRAM.

const cliAdminSecret = "admin-secret"

// startAuthorizedBroker returns the SASL_PLAINTEXT listener's address.
func startAuthorizedBroker(t *testing.T) string {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	jaas := `org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="` + cliAdminSecret + `";`
	startBroker(t,
		withOverride("listeners=SASL_PLAINTEXT://"+addr),
		withOverride("sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"),
		withOverride("listener.name.sasl_plaintext.plain.sasl.jaas.config="+jaas),
		withOverride("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
		withOverride("super.users=User:admin"),
	)
	return addr
}

func asAdmin(args ...string) []string {
	return append(args, "--sasl-mechanism", "PLAIN", "--sasl-user", "admin", "--sasl-password", cliAdminSecret)
}

func asBob(args ...string) []string {
	return append(args, "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-user", "bob", "--sasl-password", "bob-secret")
}

type listedACL struct {
	ResourceType string `json:"resource_type"`
	Name         string `json:"name"`
	Pattern      string `json:"pattern"`
	Principal    string `json:"principal"`
	Host         string `json:"host"`
	Operation    string `json:"operation"`
	Permission   string `json:"permission"`
}

func TestCLIUsersAndACLs(t *testing.T) {
	t.Parallel()
	addr := startAuthorizedBroker(t)

	cliOK(t, addr, "", asAdmin("topic", "create", "t")...)
	cliOK(t, addr, "bob-secret\n", asAdmin("user", "create", "bob", "--password-stdin")...)
	if out := cliOK(t, addr, "", asAdmin("user", "list")...); !strings.Contains(out, "bob") || !strings.Contains(out, "SCRAM-SHA-512") || !strings.Contains(out, "8192") {
		t.Fatalf("user list:\n%s", out)
	}
	if out := cliOK(t, addr, "", asAdmin("user", "list", "--json")...); strings.Contains(out, "bob-secret") {
		t.Fatalf("user list shows the password:\n%s", out)
	}

	grant := []string{"--allow-principal", "User:bob", "--operation", "READ", "--topic", "t"}
	cliOK(t, addr, "", asAdmin(append([]string{"acl", "create"}, grant...)...)...)
	var acls []listedACL
	cliJSON(t, addr, &acls, asAdmin("acl", "list")...)
	want := listedACL{"TOPIC", "t", "LITERAL", "User:bob", "*", "READ", "ALLOW"}
	if len(acls) != 1 || acls[0] != want {
		t.Fatalf("acl list: %+v, want [%+v]", acls, want)
	}
	if out := cliOK(t, addr, "", asAdmin("acl", "list", "--topic", "t")...); !strings.Contains(out, "RESOURCE-TYPE") || !strings.Contains(out, "User:bob") {
		t.Fatalf("acl list table:\n%s", out)
	}

	if out := cliOK(t, addr, "", asBob("topic", "list")...); !strings.Contains(out, "t") {
		t.Fatalf("topic list as bob:\n%s", out)
	}
	// Not idempotent: an idempotent producer first asks for a producer id,
	// which a principal without WRITE anywhere is refused at the cluster
	// level (CLUSTER_AUTHORIZATION_FAILED), as in Kafka.
	samsaCLI(t, addr, "v\n", asBob("produce", "t", "--idempotent=false")...).wantFailure(t, 1, "TOPIC_AUTHORIZATION_FAILED")

	if out := cliOK(t, addr, "", asAdmin(append([]string{"acl", "delete"}, grant...)...)...); !strings.Contains(out, "User:bob") {
		t.Fatalf("acl delete did not print what it deleted:\n%s", out)
	}
	cliJSON(t, addr, &acls, asAdmin("acl", "list")...)
	if len(acls) != 0 {
		t.Fatalf("acl list after delete: %+v", acls)
	}

	cliOK(t, addr, "", asAdmin("user", "delete", "bob")...)
	samsaCLI(t, addr, "", asBob("topic", "list")...).wantFailure(t, 1, "SASL_AUTHENTICATION_FAILED")
	samsaCLI(t, addr, "", asAdmin("acl", "list", "--bogus")...).wantFailure(t, 2, "flag provided but not defined")
	samsaCLI(t, addr, "", "acl", "list", "--sasl-user", "admin").wantFailure(t, 2, "--sasl-user needs --sasl-mechanism")
}

// Without an authorizer the broker has no ACLs: a clear error, exit 1.
func TestCLIACLWithoutAuthorizer(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	samsaCLI(t, addr, "", "acl", "list").wantFailure(t, 1, "SECURITY_DISABLED")
}

// TLS flags against the secured broker of security_test.go: SASL over TLS,
// and a client certificate on the SSL listener.
func TestCLITLS(t *testing.T) {
	t.Parallel()
	sp := startSecureProcess(t)
	ca := sp.files["ca"]
	cliOK(t, sp.addrs["SASL_SSL"], "", "topic", "list", "--tls-ca", ca,
		"--sasl-mechanism", "SCRAM-SHA-256", "--sasl-user", "alice", "--sasl-password", "alice-secret")
	cliOK(t, sp.addrs["SSL"], "", "cluster", "info", "--tls-ca", ca,
		"--tls-cert", sp.files["client.pem"], "--tls-key", sp.files["client.key"])
	samsaCLI(t, sp.addrs["SASL_SSL"], "", "topic", "list", "--tls-ca", ca,
		"--sasl-mechanism", "PLAIN", "--sasl-user", "alice", "--sasl-password", "wrong-secret").wantFailure(t, 1, "SASL_AUTHENTICATION_FAILED")
	// Without --tls-ca the broker's certificate is not trusted.
	samsaCLI(t, sp.addrs["SSL"], "", "topic", "list", "--tls", "--timeout", "2s").wantFailure(t, 1, "certificate")
}
