package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// DescribeAcls v1-3
//
// Behavior (Kafka's AclApis with StandardAuthorizer):
//   - Needs DESCRIBE on the cluster (authz_admin.go).
//   - Without an authorizer (authorizer.class.name unset):
//     SECURITY_DISABLED, "No Authorizer is configured."
//   - The filter: resource type (ANY or one), name (null: any), pattern
//     type (ANY: any pattern, names compared exactly; MATCH: the literal,
//     wildcard and prefixed patterns that would apply to the name;
//     LITERAL or PREFIXED: that pattern only), principal and host (null:
//     any), operation and permission (ANY or one). A filter with an
//     UNKNOWN element is INVALID_REQUEST.
//   - Matching ACLs are grouped by resource pattern, in creation order.
//
// Version notes: v0 (no pattern type) is gone from Kafka 4; v2 flexible;
// v3 adds the USER resource type.
func (c *conn) handleDescribeACLs(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeACLsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeACLsResponse)
	acls, err := c.s.b.DescribeACLs(auth.Filter{
		ResourceType: auth.ResourceType(req.ResourceType), ResourceName: req.ResourceName,
		PatternType: auth.PatternType(req.ResourcePatternType), Principal: req.Principal, Host: req.Host,
		Operation: auth.Operation(req.Operation), Permission: auth.Permission(req.PermissionType),
	})
	if err != nil {
		resp.ErrorCode, resp.ErrorMessage = r.code(err), message(err)
		return respond(resp)
	}
	resp.Resources = describedACLs(acls)
	return respond(resp)
}

// describedACLs groups ACLs by resource pattern, keeping their order.
func describedACLs(acls []auth.ACL) []kmsg.DescribeACLsResponseResource {
	type pattern struct {
		t    auth.ResourceType
		name string
		pt   auth.PatternType
	}
	var out []kmsg.DescribeACLsResponseResource
	at := make(map[pattern]int)
	for _, a := range acls {
		p := pattern{a.ResourceType, a.ResourceName, a.PatternType}
		i, ok := at[p]
		if !ok {
			res := kmsg.NewDescribeACLsResponseResource()
			res.ResourceType, res.ResourceName = kmsg.ACLResourceType(p.t), p.name
			res.ResourcePatternType = kmsg.ACLResourcePatternType(p.pt)
			i, at[p] = len(out), len(out)
			out = append(out, res)
		}
		entry := kmsg.NewDescribeACLsResponseResourceACL()
		entry.Principal, entry.Host = a.Principal, a.Host
		entry.Operation, entry.PermissionType = kmsg.ACLOperation(a.Operation), kmsg.ACLPermissionType(a.Permission)
		out[i].ACLs = append(out[i].ACLs, entry)
	}
	return out
}
