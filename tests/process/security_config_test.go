//go:build unix

package process

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/samsatest/pki"
)

// TestSecurityServeConfigFile runs `samsa serve --config server.properties`
// with Kafka's multi-listener settings and no --listen: the listeners, the
// protocol map, per-listener advertised addresses, a KRaft controller
// listener (ignored), TLS and SASL all from the file. Each listener's
// clients are given that listener's advertised address.
func TestSecurityServeConfigFile(t *testing.T) {
	t.Parallel()
	kcat := kcatPath(t)
	dir := t.TempDir()
	ca := pki.NewCA(t)
	caFile := pki.WriteFile(t, dir, "ca.pem", ca.PEM)
	keyStore := pki.WriteFile(t, dir, "server.pem", ca.Server(t).KeyStore())
	internal, client := freePort(t), freePort(t)
	props := fmt.Sprintf(`# Kafka-style server.properties
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:%[3]d
listeners=INTERNAL://127.0.0.1:%[1]d,CLIENT://127.0.0.1:%[2]d,CONTROLLER://127.0.0.1:%[3]d
advertised.listeners=INTERNAL://localhost:%[1]d,CLIENT://127.0.0.1:%[2]d
listener.security.protocol.map=INTERNAL:PLAINTEXT,CLIENT:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL

listener.name.client.ssl.keystore.type=PEM
listener.name.client.ssl.keystore.location=%[4]s
listener.name.client.sasl.enabled.mechanisms=PLAIN
listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
    user_alice="alice-secret";
`, internal, client, freePort(t), keyStore)
	path := pki.WriteFile(t, dir, "server.properties", []byte(props))
	logs := startServeConfig(t, path, filepath.Join(dir, "data"))

	list := func(port int, security ...string) string {
		args := append([]string{"-L", "-b", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), "-m", "10"}, security...)
		return run(t, kcatTimeout, "", kcat, args...)
	}
	if out := list(internal); !strings.Contains(out, fmt.Sprintf("broker 1 at localhost:%d", internal)) {
		t.Errorf("INTERNAL listener metadata:\n%s", out)
	}
	out := list(client, "-X", "security.protocol=SASL_SSL", "-X", "ssl.ca.location="+caFile,
		"-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=alice", "-X", "sasl.password=alice-secret")
	if !strings.Contains(out, fmt.Sprintf("broker 1 at 127.0.0.1:%d", client)) {
		t.Errorf("CLIENT listener metadata:\n%s", out)
	}
	if strings.Contains(logs.String(), "alice-secret") {
		t.Error("the password from server.properties is in the broker's output")
	}
}

// startServeConfig runs `samsa serve --config path` until the test ends
// (then SIGTERM, which must exit 0) and returns its output.
func startServeConfig(t *testing.T, path, dataDir string) *logBuffer {
	t.Helper()
	logs := new(logBuffer)
	cmd := exec.Command(samsaBin, "serve", "--config", path, "--data-dir", dataDir, "--admin-listen", "")
	cmd.Stdout, cmd.Stderr = logs, logs
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("samsa serve --config: exit %v", err)
			}
		case <-time.After(stopTimeout):
			cmd.Process.Kill()
			t.Error("samsa serve --config did not stop after SIGTERM")
		}
		if t.Failed() || os.Getenv("SAMSA_TEST_LOGS") != "" {
			t.Logf("broker output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(readyTimeout)
	for !strings.Contains(logs.String(), `msg="samsa started"`) {
		select {
		case err := <-exited:
			t.Fatalf("samsa serve --config exited: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("samsa serve --config not ready after %v:\n%s", readyTimeout, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return logs
}
