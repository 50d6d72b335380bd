package clients

import (
	"errors"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/samsa-streaming/samsa"
	"github.com/samsa-streaming/samsa/samsatest"
)

// ACLs and SCRAM users managed with real admin clients (kadm, Sarama's
// ClusterAdmin), enforced on a client that authenticates with SCRAM, and
// kept across a broker restart. The PLAINTEXT listener's anonymous
// principal is the super user that administers the broker.

func authorizedBrokerOptions(dir string) []samsatest.Option {
	return []samsatest.Option{
		samsatest.DataDir(dir),
		samsatest.Config("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
		samsatest.Config("super.users", "User:ANONYMOUS"),
		samsatest.Listener("SASL_PLAINTEXT", "SASL_PLAINTEXT"),
		samsatest.Config("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512"),
	}
}

// scramClient connects to the SASL listener as user with SCRAM-SHA-256.
func scramClient(t *testing.T, b *samsa.Broker, user, password string) *kgo.Client {
	t.Helper()
	return newClient(t, b.ListenerAddr("SASL_PLAINTEXT"),
		kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha256Mechanism()))
}

// produceErr produces one record and returns the error.
func produceErr(t *testing.T, cl *kgo.Client, topic string) error {
	t.Helper()
	return cl.ProduceSync(testContext(t), &kgo.Record{Topic: topic, Value: []byte("v")}).FirstErr()
}

func TestACLsAndSCRAMUsersWithKadm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := samsatest.Start(t, authorizedBrokerOptions(dir)...)
	adm := newAdmin(t, b.Addr())
	ctx := testContext(t)
	createTopic(t, adm, "acl-orders", 1, nil)
	createTopic(t, adm, "acl-secret", 1, nil)

	altered, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{
		{User: "alice", Mechanism: kadm.ScramSha256, Iterations: 8192, Password: "alice-secret"},
		{User: "bob", Mechanism: kadm.ScramSha512, Iterations: 4096, Password: "bob-secret"},
	})
	if err != nil || !altered.Ok() {
		t.Fatalf("AlterUserSCRAMs: %v %+v", err, altered)
	}
	grant := kadm.NewACLs().Allow("User:alice").AllowHosts().
		Topics("acl-ord").ResourcePatternType(kadm.ACLPatternPrefixed).Operations(kadm.OpWrite, kadm.OpRead)
	created, err := adm.CreateACLs(ctx, grant)
	if err != nil {
		t.Fatalf("CreateACLs: %v", err)
	}
	for _, c := range created {
		if c.Err != nil {
			t.Fatalf("CreateACLs %+v: %v", c, c.Err)
		}
	}

	alice := scramClient(t, b, "alice", "alice-secret")
	if err := produceErr(t, alice, "acl-orders"); err != nil {
		t.Fatalf("alice producing to a topic her prefixed ACL covers: %v", err)
	}
	if err := produceErr(t, alice, "acl-secret"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Fatalf("alice producing to another topic: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	alice.Close()

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = samsatest.Start(t, authorizedBrokerOptions(dir)...)
	adm = newAdmin(t, b.Addr())
	checkAfterRestart(t, adm)

	alice = scramClient(t, b, "alice", "alice-secret")
	if err := produceErr(t, alice, "acl-orders"); err != nil {
		t.Fatalf("after the restart, alice producing: %v", err)
	}
	deleted, err := adm.DeleteACLs(ctx, kadm.NewACLs().Allow("User:alice").AllowHosts().
		Topics("acl-ord").ResourcePatternType(kadm.ACLPatternPrefixed).Operations(kadm.OpAny))
	if err != nil || len(deleted) != 1 || len(deleted[0].Deleted) != 2 {
		t.Fatalf("DeleteACLs: %v %+v, want the 2 ACLs deleted", err, deleted)
	}
	if err := produceErr(t, alice, "acl-orders"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Fatalf("after the ACLs are deleted: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
}

// checkAfterRestart: the ACLs and SCRAM users are still there.
func checkAfterRestart(t *testing.T, adm *kadm.Client) {
	t.Helper()
	ctx := testContext(t)
	described, err := adm.DescribeACLs(ctx, kadm.NewACLs().AnyResource().ResourcePatternType(kadm.ACLPatternAny).Operations(kadm.OpAny).Allow().AllowHosts())
	if err != nil {
		t.Fatalf("DescribeACLs: %v", err)
	}
	var acls []kadm.DescribedACL
	for _, d := range described {
		if d.Err != nil {
			t.Fatalf("DescribeACLs: %v", d.Err)
		}
		acls = append(acls, d.Described...)
	}
	if len(acls) != 2 || acls[0].Principal != "User:alice" || acls[0].Name != "acl-ord" || acls[0].Pattern != kadm.ACLPatternPrefixed {
		t.Fatalf("ACLs after restart: %+v, want alice's 2 prefixed ACLs on acl-ord", acls)
	}
	users, err := adm.DescribeUserSCRAMs(ctx)
	if err != nil {
		t.Fatalf("DescribeUserSCRAMs: %v", err)
	}
	a, bob := users["alice"], users["bob"]
	if len(users) != 2 || len(a.CredInfos) != 1 || a.CredInfos[0].Mechanism != kadm.ScramSha256 || a.CredInfos[0].Iterations != 8192 ||
		len(bob.CredInfos) != 1 || bob.CredInfos[0].Mechanism != kadm.ScramSha512 {
		t.Fatalf("SCRAM users after restart: %+v", users)
	}
}

func TestACLsWithSaramaClusterAdmin(t *testing.T) {
	t.Parallel()
	b := samsatest.Start(t, authorizedBrokerOptions(t.TempDir())...)
	adm := newSaramaAdmin(t, b.Addr())
	res := sarama.Resource{ResourceType: sarama.AclResourceGroup, ResourceName: "sarama-", ResourcePatternType: sarama.AclPatternPrefixed}
	acl := sarama.Acl{Principal: "User:carol", Host: "*", Operation: sarama.AclOperationRead, PermissionType: sarama.AclPermissionAllow}
	if err := adm.CreateACL(res, acl); err != nil {
		t.Fatalf("CreateACL: %v", err)
	}
	all := sarama.AclFilter{ResourceType: sarama.AclResourceAny, ResourcePatternTypeFilter: sarama.AclPatternAny,
		Operation: sarama.AclOperationAny, PermissionType: sarama.AclPermissionAny}
	listed, err := adm.ListAcls(all)
	if err != nil || len(listed) != 1 || listed[0].ResourceName != "sarama-" || len(listed[0].Acls) != 1 || listed[0].Acls[0].Principal != "User:carol" {
		t.Fatalf("ListAcls: %v %+v", err, listed)
	}
	name := "sarama-app"
	match := all
	match.ResourceName, match.ResourcePatternTypeFilter = &name, sarama.AclPatternMatch
	if matched, err := adm.ListAcls(match); err != nil || len(matched) != 1 {
		t.Fatalf("ListAcls MATCH sarama-app: %v %+v, want the prefixed ACL", err, matched)
	}
	deleted, err := adm.DeleteACL(all, false)
	if err != nil || len(deleted) != 1 {
		t.Fatalf("DeleteACL: %v %+v", err, deleted)
	}
	if listed, err := adm.ListAcls(all); err != nil || len(listed) != 0 {
		t.Fatalf("ListAcls after delete: %v %+v", err, listed)
	}
}
