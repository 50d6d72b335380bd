package kafka_test

import (
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/kafka"
	"github.com/samsa-streaming/samsa/samsatest"
)

// The authorization matrix: for every API Kafka authorizes, a request
// from a principal without ACLs gets the API's authorization error, and
// the same request from a principal holding exactly the ACLs Kafka
// requires gets the answer it would get with authorization off. Requests
// are sent raw; the principal is set per connection with kafka.ActAs.

// grant is one ACL a case's principal needs.
type grant struct {
	res     kmsg.ACLResourceType
	name    string
	pattern kmsg.ACLResourcePatternType
	op      kmsg.ACLOperation
}

func onTopic(name string, op kmsg.ACLOperation) grant {
	return grant{kmsg.ACLResourceTypeTopic, name, kmsg.ACLResourcePatternTypeLiteral, op}
}
func onGroup(name string, op kmsg.ACLOperation) grant {
	return grant{kmsg.ACLResourceTypeGroup, name, kmsg.ACLResourcePatternTypeLiteral, op}
}
func onTxn(id string, op kmsg.ACLOperation) grant {
	return grant{kmsg.ACLResourceTypeTransactionalId, id, kmsg.ACLResourcePatternTypeLiteral, op}
}
func onCluster(op kmsg.ACLOperation) grant {
	return grant{kmsg.ACLResourceTypeCluster, auth.ClusterName, kmsg.ACLResourcePatternTypeLiteral, op}
}

// authzCase is one API's check.
type authzCase struct {
	name   string
	api    int16
	topics []string // created (by a super user) before the case runs
	setup  func(t *testing.T, c *rawConn)
	grants []grant
	denied int16 // the answer without the grants
	want   int16 // the answer with them
	// send sends the request and returns the code that shows the
	// decision; for APIs that filter, the denied code when the resource
	// is left out.
	send func(t *testing.T, c *rawConn) int16
}

// actingConn is a raw connection whose principal the test chooses.
type actingConn struct {
	*rawConn
	t *testing.T
}

func (a actingConn) as(user string) {
	undo := kafka.ActAs(a.c.LocalAddr().String(), auth.User(user))
	a.t.Cleanup(undo)
}

func (a actingConn) grant(t *testing.T, user string, grants ...grant) {
	t.Helper()
	a.as("admin")
	var creations []kmsg.CreateACLsRequestCreation
	for _, g := range grants {
		cr := kmsg.NewCreateACLsRequestCreation()
		cr.ResourceType, cr.ResourceName, cr.ResourcePatternType = g.res, g.name, g.pattern
		cr.Principal, cr.Host, cr.Operation, cr.PermissionType = "User:"+user, "*", g.op, kmsg.ACLPermissionTypeAllow
		creations = append(creations, cr)
	}
	for _, r := range createACLs(t, a.rawConn, 3, creations...) {
		wantCode(t, "create acl", r.ErrorCode)
	}
}

// startAuthorized starts a broker with ACLs on, User:admin as super user.
func startAuthorized(t *testing.T, opts ...samsatest.Option) actingConn {
	t.Helper()
	opts = append([]samsatest.Option{
		samsatest.Config("authorizer.class.name", standardAuthorizer),
		samsatest.Config("super.users", "User:admin"),
		samsatest.Config("group.initial.rebalance.delay.ms", "0"),
	}, opts...)
	b := samsatest.Start(t, opts...)
	return actingConn{dial(t, b.Addr()), t}
}

func TestAuthorizationMatrix(t *testing.T) {
	c := startAuthorized(t)
	covered := map[int16]bool{}
	for _, tc := range authzCases() {
		covered[tc.api] = true
		t.Run(tc.name, func(t *testing.T) {
			c.as("admin")
			for _, topic := range tc.topics {
				createTopic(t, c.rawConn, topic, 1)
			}
			if tc.setup != nil {
				tc.setup(t, c.rawConn)
			}
			c.as("nobody")
			if got := tc.send(t, c.rawConn); got != tc.denied {
				t.Errorf("without ACLs: %v, want %v", kerr.ErrorForCode(got), kerr.ErrorForCode(tc.denied))
			}
			user := strings.ReplaceAll(tc.name, "/", "-")
			c.grant(t, user, tc.grants...)
			c.as(user)
			if got := tc.send(t, c.rawConn); got != tc.want {
				t.Errorf("with %v: %v, want %v", tc.grants, kerr.ErrorForCode(got), kerr.ErrorForCode(tc.want))
			}
		})
	}
	c.as("admin")
	av := c.roundTrip(kmsg.NewPtrApiVersionsRequest(), 3).(*kmsg.ApiVersionsResponse)
	for _, k := range av.ApiKeys {
		if !covered[k.ApiKey] && k.ApiKey != 17 && k.ApiKey != 18 && k.ApiKey != 36 {
			t.Errorf("%s (key %d) is advertised but has no case in the authorization matrix", kmsg.NameForKey(k.ApiKey), k.ApiKey)
		}
	}
}

var (
	topicDenied   = kerr.TopicAuthorizationFailed.Code
	groupDenied   = kerr.GroupAuthorizationFailed.Code
	clusterDenied = kerr.ClusterAuthorizationFailed.Code
	txnDenied     = kerr.TransactionalIDAuthorizationFailed.Code
)

// listed returns 0 if found, else the denied code: how a filtering API
// shows its decision.
func listed(found bool, denied int16) int16 {
	if found {
		return 0
	}
	return denied
}
