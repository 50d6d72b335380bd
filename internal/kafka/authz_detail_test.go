package kafka_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// Authorization behaviours beyond one API's check: how ACLs combine, what
// a refusal leaves unchanged, filtering, authorized operations.

func aclFor(user, host string, res kmsg.ACLResourceType, name string, op kmsg.ACLOperation, perm kmsg.ACLPermissionType) kmsg.CreateACLsRequestCreation {
	cr := kmsg.NewCreateACLsRequestCreation()
	cr.ResourceType, cr.ResourceName, cr.ResourcePatternType = res, name, kmsg.ACLResourcePatternTypeLiteral
	cr.Principal, cr.Host, cr.Operation, cr.PermissionType = user, host, op, perm
	return cr
}

func (a actingConn) createACLs(t *testing.T, creations ...kmsg.CreateACLsRequestCreation) {
	t.Helper()
	a.as("admin")
	for _, r := range createACLs(t, a.rawConn, 3, creations...) {
		wantCode(t, "create acl", r.ErrorCode)
	}
}

func TestAuthorizationDenyBeatsAllowAndHosts(t *testing.T) {
	c := startAuthorized(t)
	c.as("admin")
	createTopic(t, c.rawConn, "shared", 1)
	c.createACLs(t,
		aclFor("User:*", "*", kmsg.ACLResourceTypeTopic, "shared", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow),
		aclFor("User:dee", "*", kmsg.ACLResourceTypeTopic, "shared", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeDeny),
		aclFor("User:near", "127.0.0.1", kmsg.ACLResourceTypeTopic, "shared", kmsg.ACLOperationWrite, kmsg.ACLPermissionTypeAllow),
		aclFor("User:far", "10.1.2.3", kmsg.ACLResourceTypeTopic, "shared", kmsg.ACLOperationWrite, kmsg.ACLPermissionTypeAllow))
	for _, tc := range []struct {
		user  string
		fetch int16
		write int16
	}{
		{"eve", 0, topicDenied},           // User:* may read
		{"dee", topicDenied, topicDenied}, // her DENY beats User:*'s ALLOW
		{"near", 0, 0},                    // write from her host
		{"far", 0, topicDenied},           // another host
	} {
		c.as(tc.user)
		if got := fetchCode(t, c.rawConn, "shared", 0); got != tc.fetch {
			t.Errorf("%s fetch: %v, want %v", tc.user, kerr.ErrorForCode(got), kerr.ErrorForCode(tc.fetch))
		}
		if got, _ := produceCode(t, c.rawConn, "shared", plainBatch(t, 1)); got != tc.write {
			t.Errorf("%s produce: %v, want %v", tc.user, kerr.ErrorForCode(got), kerr.ErrorForCode(tc.write))
		}
	}
}

func TestAuthorizationRefusalsChangeNothing(t *testing.T) {
	c := startAuthorized(t)
	c.as("admin")
	createTopic(t, c.rawConn, "kept", 1)
	createTopic(t, c.rawConn, "writable", 1)
	c.createACLs(t,
		aclFor("User:writer", "*", kmsg.ACLResourceTypeTopic, "writable", kmsg.ACLOperationWrite, kmsg.ACLPermissionTypeAllow),
		aclFor("User:writer", "*", kmsg.ACLResourceTypeTopic, "unknown", kmsg.ACLOperationWrite, kmsg.ACLPermissionTypeAllow),
		aclFor("User:writer", "*", kmsg.ACLResourceTypeTopic, "unknown", kmsg.ACLOperationDescribe, kmsg.ACLPermissionTypeAllow),
		aclFor("User:writer", "*", kmsg.ACLResourceTypeGroup, "g", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow))

	c.as("writer")
	req := produceReq("writable", plainBatch(t, 2))
	other := produceReq("kept", plainBatch(t, 1)).Topics[0]
	req.Topics = append(req.Topics, other)
	resp := c.roundTrip(req, 11).(*kmsg.ProduceResponse)
	codes := map[string]int16{}
	for _, rt := range resp.Topics {
		codes[rt.Topic] = rt.Partitions[0].ErrorCode
	}
	if codes["writable"] != 0 || codes["kept"] != topicDenied {
		t.Fatalf("one produce to both topics: %v, want writable ok, kept TOPIC_AUTHORIZATION_FAILED", codes)
	}
	if got, _ := produceCode(t, c.rawConn, "unknown", plainBatch(t, 1)); got != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("produce to an unknown topic without CREATE: %v, want UNKNOWN_TOPIC_OR_PARTITION", kerr.ErrorForCode(got))
	}
	if got := metadataCode(t, c.rawConn, "unknown", true); got != topicDenied {
		t.Fatalf("auto-creating without CREATE: %v, want TOPIC_AUTHORIZATION_FAILED", kerr.ErrorForCode(got))
	}
	if got := commitCode(t, c.rawConn, "g", "kept"); got != topicDenied {
		t.Fatalf("commit for a topic without READ: %v, want TOPIC_AUTHORIZATION_FAILED", kerr.ErrorForCode(got))
	}

	c.as("admin")
	if end := endOffset(t, c.rawConn, "kept"); end != 0 {
		t.Errorf("refused produce wrote: end offset %d", end)
	}
	if end := endOffset(t, c.rawConn, "writable"); end != 2 {
		t.Errorf("allowed produce: end offset %d, want 2", end)
	}
	if got := metadataCode(t, c.rawConn, "unknown", false); got != kerr.UnknownTopicOrPartition.Code {
		t.Errorf("the refused topic exists: %v", kerr.ErrorForCode(got))
	}
	if off := fetchCommitted(t, c.rawConn, "g", "kept"); off != -1 {
		t.Errorf("refused commit stored offset %d", off)
	}
}

func fetchCommitted(t *testing.T, c *rawConn, group, topic string) int64 {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group, rg.Topics = group, []kmsg.OffsetFetchRequestGroupTopic{{Topic: topic, Partitions: []int32{0}}}
	req.Groups = append(req.Groups, rg)
	resp := c.roundTrip(req, 8).(*kmsg.OffsetFetchResponse)
	return resp.Groups[0].Topics[0].Partitions[0].Offset
}

func TestAuthorizedOperations(t *testing.T) {
	c := startAuthorized(t)
	c.as("admin")
	createTopic(t, c.rawConn, "ops", 1)
	c.createACLs(t,
		aclFor("User:reader", "*", kmsg.ACLResourceTypeTopic, "ops", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow),
		aclFor("User:reader", "*", kmsg.ACLResourceTypeGroup, "ops", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow),
		aclFor("User:reader", "*", kmsg.ACLResourceTypeTopic, "hidden", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeDeny))
	c.as("reader")
	req := kmsg.NewPtrMetadataRequest()
	name := "ops"
	req.Topics = []kmsg.MetadataRequestTopic{{Topic: &name}}
	req.IncludeClusterAuthorizedOperations, req.IncludeTopicAuthorizedOperations = true, true
	resp := c.roundTrip(req, 10).(*kmsg.MetadataResponse)
	const readDescribe = 1<<kmsg.ACLOperationRead | 1<<kmsg.ACLOperationDescribe
	if resp.AuthorizedOperations != 0 || resp.Topics[0].AuthorizedOperations != readDescribe {
		t.Errorf("metadata: cluster %b, topic %b; want 0 (no DESCRIBE on the cluster) and READ|DESCRIBE", resp.AuthorizedOperations, resp.Topics[0].AuthorizedOperations)
	}
	dg := kmsg.NewPtrDescribeGroupsRequest()
	dg.Groups, dg.IncludeAuthorizedOperations = []string{"ops"}, true
	if ops := c.roundTrip(dg, 5).(*kmsg.DescribeGroupsResponse).Groups[0].AuthorizedOperations; ops != readDescribe {
		t.Errorf("group: %b, want READ|DESCRIBE", ops)
	}
	all := c.roundTrip(kmsg.NewPtrMetadataRequest(), 12).(*kmsg.MetadataResponse)
	if len(all.Topics) != 1 || *all.Topics[0].Topic != "ops" {
		t.Errorf("listing all topics shows %d topics, want only ops", len(all.Topics))
	}
}

// TestAuthorizationRevokedInFetchSession: removing an ACL takes effect for
// a consumer in the middle of an incremental fetch session.
func TestAuthorizationRevokedInFetchSession(t *testing.T) {
	c := startAuthorized(t)
	c.as("admin")
	createTopic(t, c.rawConn, "session", 1)
	grantRead := aclFor("User:consumer", "*", kmsg.ACLResourceTypeTopic, "session", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow)
	c.createACLs(t, grantRead)

	c.as("consumer")
	full := kmsg.NewPtrFetchRequest()
	full.MaxBytes, full.SessionEpoch = 1<<20, 0
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = "session"
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.PartitionMaxBytes = 1 << 20
	rt.Partitions = append(rt.Partitions, rp)
	full.Topics = append(full.Topics, rt)
	opened := c.roundTrip(full, 12).(*kmsg.FetchResponse)
	if opened.SessionID == 0 || opened.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("opening a session: %+v", opened)
	}

	c.as("admin")
	del := kmsg.NewPtrDeleteACLsRequest()
	f := kmsg.NewDeleteACLsRequestFilter()
	f.ResourceType, f.ResourcePatternType = kmsg.ACLResourceTypeAny, kmsg.ACLResourcePatternTypeAny
	f.Operation, f.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	del.Filters = []kmsg.DeleteACLsRequestFilter{f}
	wantCode(t, "delete acls", c.roundTrip(del, 3).(*kmsg.DeleteACLsResponse).Results[0].ErrorCode)

	c.as("consumer")
	inc := kmsg.NewPtrFetchRequest()
	inc.MaxBytes, inc.SessionID, inc.SessionEpoch = 1<<20, opened.SessionID, 1
	resp := c.roundTrip(inc, 12).(*kmsg.FetchResponse)
	if resp.ErrorCode != 0 || len(resp.Topics) != 1 || resp.Topics[0].Partitions[0].ErrorCode != topicDenied {
		t.Fatalf("incremental fetch after the ACL is gone: %+v, want TOPIC_AUTHORIZATION_FAILED", resp)
	}
}

func TestAllowEveryoneIfNoACLFound(t *testing.T) {
	c := startAuthorized(t, samsatest.Config("allow.everyone.if.no.acl.found", "true"))
	c.as("admin")
	createTopic(t, c.rawConn, "open", 1)
	c.as("anyone")
	if got := fetchCode(t, c.rawConn, "open", 0); got != 0 {
		t.Fatalf("no ACL on the topic: %v, want allowed", kerr.ErrorForCode(got))
	}
	c.createACLs(t, aclFor("User:owner", "*", kmsg.ACLResourceTypeTopic, "open", kmsg.ACLOperationRead, kmsg.ACLPermissionTypeAllow))
	c.as("anyone")
	if got := fetchCode(t, c.rawConn, "open", 0); got != topicDenied {
		t.Fatalf("an ACL for someone else: %v, want TOPIC_AUTHORIZATION_FAILED", kerr.ErrorForCode(got))
	}
}
