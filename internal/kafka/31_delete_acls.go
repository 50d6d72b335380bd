package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// DeleteAcls v1-3
//
// Behavior (Kafka 4's AclControlManager):
//   - Needs ALTER on the cluster (authz_admin.go); without an authorizer
//     every filter is SECURITY_DISABLED.
//   - Each filter (as in DescribeAcls) deletes the ACLs it matches and
//     lists them; an ACL matched by several filters is listed under the
//     first. A filter with an UNKNOWN element is INVALID_REQUEST.
//   - The deletions are written to the data directory together before
//     the answer and take effect at once.
//
// Version notes: v0 is gone from Kafka 4; v2 flexible; v3 USER resources.
func (c *conn) handleDeleteACLs(r *request) outcome {
	req := r.kreq.(*kmsg.DeleteACLsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteACLsResponse)
	filters := make([]auth.Filter, len(req.Filters))
	for i, f := range req.Filters {
		filters[i] = auth.Filter{
			ResourceType: auth.ResourceType(f.ResourceType), ResourceName: f.ResourceName,
			PatternType: auth.PatternType(f.ResourcePatternType), Principal: f.Principal, Host: f.Host,
			Operation: auth.Operation(f.Operation), Permission: auth.Permission(f.PermissionType),
		}
	}
	deleted, errs := c.s.b.DeleteACLs(filters)
	for i := range filters {
		res := kmsg.NewDeleteACLsResponseResult()
		res.ErrorCode, res.ErrorMessage = r.code(errs[i]), message(errs[i])
		for _, a := range deleted[i] {
			m := kmsg.NewDeleteACLsResponseResultMatchingACL()
			m.ResourceType, m.ResourceName = kmsg.ACLResourceType(a.ResourceType), a.ResourceName
			m.ResourcePatternType = kmsg.ACLResourcePatternType(a.PatternType)
			m.Principal, m.Host = a.Principal, a.Host
			m.Operation, m.PermissionType = kmsg.ACLOperation(a.Operation), kmsg.ACLPermissionType(a.Permission)
			res.MatchingACLs = append(res.MatchingACLs, m)
		}
		resp.Results = append(resp.Results, res)
	}
	return respond(resp)
}
