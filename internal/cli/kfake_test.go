package cli

import (
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The CLI speaks plain Kafka: the same commands work against franz-go's
// in-memory broker, kfake.
func TestAgainstKfake(t *testing.T) {
	c := newKfake(t)
	env := map[string]string{"SAMSA_BROKERS": c.ListenAddrs()[0]}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		code, stdout, stderr := runStdin(t, env, stdin, args...)
		if code != 0 {
			t.Fatalf("samsa %q: exit %d\n%s", args, code, stderr)
		}
		return stdout
	}
	mustRun("", "topic", "create", "kf", "-p", "2")
	if out := mustRun("", "topic", "list"); !strings.Contains(out, "kf") {
		t.Errorf("topic list:\n%s", out)
	}
	mustRun("k1=v1\nk2=v2\n", "produce", "kf", "-k", "=", "-p", "1")
	if out := mustRun("", "consume", "kf", "-f", "%p %o %k %v\n"); out != "1 0 k1 v1\n1 1 k2 v2\n" {
		t.Errorf("consume: %q", out)
	}
	if out := mustRun("", "topic", "describe", "kf"); !strings.Contains(out, "END-OFFSET") {
		t.Errorf("describe:\n%s", out)
	}
	if out := mustRun("", "cluster", "info"); !strings.Contains(out, "CLUSTER") {
		t.Errorf("cluster info:\n%s", out)
	}
}

// A broker without the config APIs: describe still shows partitions and
// warns; alter-config fails naming the missing API.
func TestMissingConfigAPIs(t *testing.T) {
	c := newKfake(t)
	c.ControlKey(int16(kmsg.ApiVersions), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.ApiVersionsRequest)
		if req.ClientSoftwareName != "samsa-cli" {
			return nil, nil, false // franz-go's own handshake: answered by kfake
		}
		resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
		for _, key := range []int16{0, 1, 2, 3, 18, 19} {
			k := kmsg.NewApiVersionsResponseApiKey()
			k.ApiKey, k.MaxVersion = key, 1
			resp.ApiKeys = append(resp.ApiKeys, k)
		}
		return resp, nil, true
	})
	env := map[string]string{"SAMSA_BROKERS": c.ListenAddrs()[0]}
	if code, _, stderr := run(t, env, "topic", "create", "t"); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	code, stdout, stderr := run(t, env, "topic", "describe", "t")
	if code != 0 || !strings.Contains(stdout, "PARTITION") || !strings.Contains(stderr, "broker does not support DescribeConfigs") {
		t.Errorf("describe: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, env, "topic", "alter-config", "t", "--set", "retention.ms=1")
	if code != 1 || !strings.Contains(stderr, "broker does not support IncrementalAlterConfigs") {
		t.Errorf("alter-config: exit %d, stderr %q", code, stderr)
	}
}

func newKfake(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
