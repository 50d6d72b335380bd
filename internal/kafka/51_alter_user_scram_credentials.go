package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/broker"
)

// AlterUserScramCredentials v0
//
// Behavior (KIP-554, as Kafka 4's ScramControlManager):
//   - Needs ALTER on the cluster (authz_admin.go); works without an
//     authorizer, as in Kafka.
//   - An upsertion carries the salt and the salted password the client
//     derived (PBKDF2 with the mechanism's hash) and the iterations; the
//     broker keeps the salt, stored key, server key and iterations
//     (scram_credentials.json), never the password.
//   - One result per user: a user named more than once in the request
//     (deletions and upsertions together) is DUPLICATE_RESOURCE and left
//     unchanged; an empty name or empty salt, or iterations outside
//     4096..16384, UNACCEPTABLE_CREDENTIAL; a mechanism other than 1
//     (SCRAM-SHA-256) or 2 (SCRAM-SHA-512) UNSUPPORTED_SASL_MECHANISM;
//     deleting a credential that does not exist RESOURCE_NOT_FOUND.
//   - The valid changes are written together (fsynced) before the answer
//     and SCRAM authentication uses them at once.
//
// Version notes: flexible from v0.
func (c *conn) handleAlterUserSCRAMCredentials(r *request) outcome {
	req := r.kreq.(*kmsg.AlterUserSCRAMCredentialsRequest)
	resp := req.ResponseKind().(*kmsg.AlterUserSCRAMCredentialsResponse)
	var dels []broker.ScramDeletion
	for _, d := range req.Deletions {
		dels = append(dels, broker.ScramDeletion{User: d.Name, Mechanism: auth.ScramMechanism(d.Mechanism)})
	}
	var ups []broker.ScramUpsertion
	for _, u := range req.Upsertions {
		ups = append(ups, broker.ScramUpsertion{
			User: u.Name, Mechanism: auth.ScramMechanism(u.Mechanism), Iterations: u.Iterations,
			Salt: u.Salt, SaltedPassword: u.SaltedPassword,
		})
	}
	for _, res := range c.s.b.AlterUserScram(dels, ups) {
		rr := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
		rr.User, rr.ErrorCode, rr.ErrorMessage = res.User, r.code(res.Err), message(res.Err)
		resp.Results = append(resp.Results, rr)
	}
	return respond(resp)
}
