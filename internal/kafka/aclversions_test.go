package kafka_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// Version checks of the ACL and SCRAM APIs. The shared broker has no
// authorizer, so the ACL APIs answer SECURITY_DISABLED there; each ACL
// version is then exercised on a broker of its own with the authorizer on
// and the anonymous test connection as super user.

func init() {
	versionChecks[29] = checkDescribeACLs
	versionChecks[30] = checkCreateACLs
	versionChecks[31] = checkDeleteACLs
	versionChecks[50] = checkDescribeUserSCRAM
	versionChecks[51] = checkAlterUserSCRAM
}

const standardAuthorizer = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

// aclBroker starts a broker with the authorizer on, where anonymous
// connections are super users.
func aclBroker(t *testing.T) *rawConn {
	t.Helper()
	b := samsatest.Start(t, samsatest.Config("authorizer.class.name", standardAuthorizer),
		samsatest.Config("super.users", "User:ANONYMOUS"))
	return dial(t, b.Addr())
}

func topicACL(topic string, pattern kmsg.ACLResourcePatternType, principal string, op kmsg.ACLOperation, perm kmsg.ACLPermissionType) kmsg.CreateACLsRequestCreation {
	cr := kmsg.NewCreateACLsRequestCreation()
	cr.ResourceType, cr.ResourceName, cr.ResourcePatternType = kmsg.ACLResourceTypeTopic, topic, pattern
	cr.Principal, cr.Host, cr.Operation, cr.PermissionType = principal, "*", op, perm
	return cr
}

func createACLs(t *testing.T, c *rawConn, v int16, creations ...kmsg.CreateACLsRequestCreation) []kmsg.CreateACLsResponseResult {
	t.Helper()
	req := kmsg.NewPtrCreateACLsRequest()
	req.Creations = creations
	resp := c.roundTrip(req, v).(*kmsg.CreateACLsResponse)
	if len(resp.Results) != len(creations) {
		t.Fatalf("%d results for %d creations", len(resp.Results), len(creations))
	}
	return resp.Results
}

func anyFilter() *kmsg.DescribeACLsRequest {
	req := kmsg.NewPtrDescribeACLsRequest()
	req.ResourceType, req.ResourcePatternType = kmsg.ACLResourceTypeAny, kmsg.ACLResourcePatternTypeAny
	req.Operation, req.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	return req
}

func checkDescribeACLs(t *testing.T, c *rawConn, v int16) {
	if code := c.roundTrip(anyFilter(), v).(*kmsg.DescribeACLsResponse).ErrorCode; code != kerr.SecurityDisabled.Code {
		t.Fatalf("without an authorizer: %v, want SECURITY_DISABLED", kerr.ErrorForCode(code))
	}
	ac := aclBroker(t)
	createACLs(t, ac, v,
		topicACL("orders", kmsg.ACLResourcePatternTypeLiteral, "User:alice", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow),
		topicACL("orders", kmsg.ACLResourcePatternTypeLiteral, "User:bob", kmsg.ACLOperationWrite, kmsg.ACLPermissionTypeAllow),
		topicACL("ord", kmsg.ACLResourcePatternTypePrefixed, "User:carol", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeDeny))
	req := anyFilter()
	name := "orders"
	req.ResourceName, req.ResourcePatternType = &name, kmsg.ACLResourcePatternTypeMatch
	resp := ac.roundTrip(req, v).(*kmsg.DescribeACLsResponse)
	wantCode(t, "describe", resp.ErrorCode)
	if len(resp.Resources) != 2 || len(resp.Resources[0].ACLs) != 2 || resp.Resources[1].ResourcePatternType != kmsg.ACLResourcePatternTypePrefixed {
		t.Fatalf("MATCH orders: %+v, want the literal pattern with 2 ACLs and the prefixed one", resp.Resources)
	}
	bad := anyFilter()
	bad.Operation = kmsg.ACLOperationUnknown
	if code := ac.roundTrip(bad, v).(*kmsg.DescribeACLsResponse).ErrorCode; code != kerr.InvalidRequest.Code {
		t.Fatalf("UNKNOWN operation: %v, want INVALID_REQUEST", kerr.ErrorForCode(code))
	}
}

func checkCreateACLs(t *testing.T, c *rawConn, v int16) {
	good := topicACL("t", kmsg.ACLResourcePatternTypeLiteral, "User:alice", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow)
	if code := createACLs(t, c, v, good)[0].ErrorCode; code != kerr.SecurityDisabled.Code {
		t.Fatalf("without an authorizer: %v, want SECURITY_DISABLED", kerr.ErrorForCode(code))
	}
	ac := aclBroker(t)
	cluster := topicACL("not-kafka-cluster", kmsg.ACLResourcePatternTypeLiteral, "User:alice", kmsg.ACLOperationAlter, kmsg.ACLPermissionTypeAllow)
	cluster.ResourceType = kmsg.ACLResourceTypeCluster
	noColon := topicACL("t", kmsg.ACLResourcePatternTypeLiteral, "alice", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow)
	match := topicACL("t", kmsg.ACLResourcePatternTypeMatch, "User:alice", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow)
	results := createACLs(t, ac, v, good, cluster, noColon, match, good)
	for i, want := range []int16{0, kerr.InvalidRequest.Code, kerr.InvalidRequest.Code, kerr.InvalidRequest.Code, 0} {
		if results[i].ErrorCode != want {
			t.Errorf("creation %d: %v, want %v", i, kerr.ErrorForCode(results[i].ErrorCode), kerr.ErrorForCode(want))
		}
	}
	if n := len(ac.roundTrip(anyFilter(), v).(*kmsg.DescribeACLsResponse).Resources); n != 1 {
		t.Fatalf("%d resources with ACLs, want 1 (the same ACL twice is kept once)", n)
	}
}

func checkDeleteACLs(t *testing.T, c *rawConn, v int16) {
	filter := kmsg.NewDeleteACLsRequestFilter()
	filter.ResourceType, filter.ResourcePatternType = kmsg.ACLResourceTypeAny, kmsg.ACLResourcePatternTypeAny
	filter.Operation, filter.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	req := kmsg.NewPtrDeleteACLsRequest()
	req.Filters = []kmsg.DeleteACLsRequestFilter{filter}
	if code := c.roundTrip(req, v).(*kmsg.DeleteACLsResponse).Results[0].ErrorCode; code != kerr.SecurityDisabled.Code {
		t.Fatalf("without an authorizer: %v, want SECURITY_DISABLED", kerr.ErrorForCode(code))
	}
	ac := aclBroker(t)
	createACLs(t, ac, v,
		topicACL("a", kmsg.ACLResourcePatternTypeLiteral, "User:alice", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow),
		topicACL("b", kmsg.ACLResourcePatternTypeLiteral, "User:alice", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow))
	onlyA := filter
	name := "a"
	onlyA.ResourceName = &name
	unknown := filter
	unknown.PermissionType = kmsg.ACLPermissionTypeUnknown
	req.Filters = []kmsg.DeleteACLsRequestFilter{onlyA, unknown, filter}
	resp := ac.roundTrip(req, v).(*kmsg.DeleteACLsResponse)
	got := fmt.Sprintf("%d/%d %d %d/%d", resp.Results[0].ErrorCode, len(resp.Results[0].MatchingACLs),
		resp.Results[1].ErrorCode, resp.Results[2].ErrorCode, len(resp.Results[2].MatchingACLs))
	if want := fmt.Sprintf("0/1 %d 0/1", kerr.InvalidRequest.Code); got != want {
		t.Fatalf("code/matches per filter %s, want %s (a, INVALID_REQUEST, then only b is left)", got, want)
	}
	if n := len(ac.roundTrip(anyFilter(), v).(*kmsg.DescribeACLsResponse).Resources); n != 0 {
		t.Fatalf("%d resources left with ACLs", n)
	}
}

func upsertion(user string, mechanism int8, iterations int32) kmsg.AlterUserSCRAMCredentialsRequestUpsertion {
	u := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
	u.Name, u.Mechanism, u.Iterations = user, mechanism, iterations
	u.Salt, u.SaltedPassword = []byte("salt-of-"+user), []byte("salted-password")
	return u
}

func checkAlterUserSCRAM(t *testing.T, c *rawConn, v int16) {
	user := fmt.Sprintf("alter-v%d", v)
	req := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	req.Upsertions = []kmsg.AlterUserSCRAMCredentialsRequestUpsertion{
		upsertion(user, 1, 4096), upsertion("too-few", 1, 4095), upsertion("too-many", 2, 16385), upsertion("bad-mechanism", 3, 8192),
	}
	del := kmsg.NewAlterUserSCRAMCredentialsRequestDeletion()
	del.Name, del.Mechanism = "nobody", 2
	req.Deletions = []kmsg.AlterUserSCRAMCredentialsRequestDeletion{del}
	resp := c.roundTrip(req, v).(*kmsg.AlterUserSCRAMCredentialsResponse)
	want := map[string]int16{user: 0, "too-few": kerr.UnacceptableCredential.Code, "too-many": kerr.UnacceptableCredential.Code,
		"bad-mechanism": kerr.UnsupportedSaslMechanism.Code, "nobody": kerr.ResourceNotFound.Code}
	if len(resp.Results) != len(want) {
		t.Fatalf("%d results: %+v", len(resp.Results), resp.Results)
	}
	for _, r := range resp.Results {
		if r.ErrorCode != want[r.User] {
			t.Errorf("%s: %v, want %v", r.User, kerr.ErrorForCode(r.ErrorCode), kerr.ErrorForCode(want[r.User]))
		}
	}
	twice := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	del.Name = user
	twice.Deletions = []kmsg.AlterUserSCRAMCredentialsRequestDeletion{del}
	twice.Upsertions = []kmsg.AlterUserSCRAMCredentialsRequestUpsertion{upsertion(user, 2, 8192)}
	results := c.roundTrip(twice, v).(*kmsg.AlterUserSCRAMCredentialsResponse).Results
	if len(results) != 1 || results[0].ErrorCode != kerr.DuplicateResource.Code {
		t.Fatalf("a user deleted and upserted at once: %+v, want one DUPLICATE_RESOURCE", results)
	}
}

func checkDescribeUserSCRAM(t *testing.T, c *rawConn, v int16) {
	user := fmt.Sprintf("describe-v%d", v)
	alter := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	alter.Upsertions = []kmsg.AlterUserSCRAMCredentialsRequestUpsertion{upsertion(user, 1, 4096)}
	wantCode(t, "upsert", c.roundTrip(alter, 0).(*kmsg.AlterUserSCRAMCredentialsResponse).Results[0].ErrorCode)
	alter.Upsertions = []kmsg.AlterUserSCRAMCredentialsRequestUpsertion{upsertion(user, 2, 8192)}
	wantCode(t, "upsert", c.roundTrip(alter, 0).(*kmsg.AlterUserSCRAMCredentialsResponse).Results[0].ErrorCode)

	req := kmsg.NewPtrDescribeUserSCRAMCredentialsRequest()
	for _, name := range []string{user, "unknown-user", "twice", "twice"} {
		u := kmsg.NewDescribeUserSCRAMCredentialsRequestUser()
		u.Name = name
		req.Users = append(req.Users, u)
	}
	resp := c.roundTrip(req, v).(*kmsg.DescribeUserSCRAMCredentialsResponse)
	wantCode(t, "describe", resp.ErrorCode)
	if len(resp.Results) != 3 {
		t.Fatalf("%d results, want 3: %+v", len(resp.Results), resp.Results)
	}
	if r := resp.Results[0]; r.ErrorCode != 0 || len(r.CredentialInfos) != 2 || r.CredentialInfos[1].Iterations != 8192 {
		t.Fatalf("%s: %+v, want SCRAM-SHA-256 and SCRAM-SHA-512 (8192 iterations)", user, r)
	}
	if resp.Results[1].ErrorCode != kerr.ResourceNotFound.Code || resp.Results[2].ErrorCode != kerr.DuplicateResource.Code {
		t.Fatalf("unknown user %v, user twice %v", kerr.ErrorForCode(resp.Results[1].ErrorCode), kerr.ErrorForCode(resp.Results[2].ErrorCode))
	}
	all := c.roundTrip(kmsg.NewPtrDescribeUserSCRAMCredentialsRequest(), v).(*kmsg.DescribeUserSCRAMCredentialsResponse)
	if len(all.Results) == 0 {
		t.Fatal("describing all users lists none")
	}
}
