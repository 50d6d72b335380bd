package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// CreateAcls v1-3
//
// Behavior (Kafka 4's AclControlManager):
//   - Needs ALTER on the cluster (authz_admin.go); without an authorizer
//     every creation is SECURITY_DISABLED.
//   - Each creation is answered on its own. INVALID_REQUEST, with Kafka's
//     message: a resource type that is not concrete (UNKNOWN, ANY), a
//     pattern type other than LITERAL or PREFIXED, an operation UNKNOWN or
//     ANY, a permission other than ALLOW or DENY, an empty resource name,
//     a CLUSTER resource not named kafka-cluster, a principal without
//     "Type:".
//   - The valid ones are written to the data directory (acls.json)
//     together before the answer and take effect at once; creating an ACL
//     that exists is a success.
//
// Version notes: v0 is gone from Kafka 4; v2 flexible; v3 USER resources.
func (c *conn) handleCreateACLs(r *request) outcome {
	req := r.kreq.(*kmsg.CreateACLsRequest)
	resp := req.ResponseKind().(*kmsg.CreateACLsResponse)
	acls := make([]auth.ACL, len(req.Creations))
	for i, cr := range req.Creations {
		acls[i] = auth.ACL{
			ResourceType: auth.ResourceType(cr.ResourceType), ResourceName: cr.ResourceName,
			PatternType: auth.PatternType(cr.ResourcePatternType), Principal: cr.Principal, Host: cr.Host,
			Operation: auth.Operation(cr.Operation), Permission: auth.Permission(cr.PermissionType),
		}
	}
	for _, err := range c.s.b.CreateACLs(acls) {
		res := kmsg.NewCreateACLsResponseResult()
		res.ErrorCode, res.ErrorMessage = r.code(err), message(err)
		resp.Results = append(resp.Results, res)
	}
	return respond(resp)
}
