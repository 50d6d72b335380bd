package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// DescribeUserScramCredentials v0
//
// Behavior (KIP-554, as Kafka 4's ScramImage.describe):
//   - Needs DESCRIBE on the cluster (authz_admin.go); works without an
//     authorizer, as in Kafka.
//   - Users null or empty: every user with a credential. Each user lists
//     its mechanisms (1 SCRAM-SHA-256, 2 SCRAM-SHA-512) and iterations,
//     never salts or keys; an unknown user is RESOURCE_NOT_FOUND, a user
//     named twice DUPLICATE_RESOURCE (answered once).
//
// Version notes: flexible from v0.
func (c *conn) handleDescribeUserSCRAMCredentials(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeUserSCRAMCredentialsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeUserSCRAMCredentialsResponse)
	var users []string
	for _, u := range req.Users {
		users = append(users, u.Name)
	}
	for _, info := range c.s.b.DescribeUserScram(users) {
		res := kmsg.NewDescribeUserSCRAMCredentialsResponseResult()
		res.User, res.ErrorCode, res.ErrorMessage = info.User, r.code(info.Err), message(info.Err)
		for _, cred := range info.Credentials {
			ci := kmsg.NewDescribeUserSCRAMCredentialsResponseResultCredentialInfo()
			ci.Mechanism, ci.Iterations = int8(cred.Mechanism), cred.Iterations
			res.CredentialInfos = append(res.CredentialInfos, ci)
		}
		resp.Results = append(resp.Results, res)
	}
	return respond(resp)
}
