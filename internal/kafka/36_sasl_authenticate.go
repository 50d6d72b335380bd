package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// SaslAuthenticate v0-2
//
// Behavior:
//
//   - After a v1 SaslHandshake on a SASL listener: the auth bytes go to
//     the mechanism and its reply comes back in the answer (an empty one
//     too). On completion the connection's principal is set; from v1 the
//     answer carries the session lifetime (KIP-368: the shorter of
//     connections.max.reauth.ms and the credential's remaining life, 0 for
//     none).
//
//   - A failure is SASL_AUTHENTICATION_FAILED with a message (Kafka's
//     generic "invalid credentials" text unless the mechanism gives a
//     reason the client may see), sent after
//     connection.failed.authentication.delay.ms; then the connection
//     closes. A re-authentication that changes the principal fails so.
//
//   - Anywhere else: ILLEGAL_SASL_STATE ("SaslAuthenticate request
//     received after successful authentication"), as Kafka's KafkaApis.
//
// Version notes: v1 session lifetime; v2 flexible.
func (c *conn) handleSaslAuthenticate(r *request) outcome {
	req := r.kreq.(*kmsg.SASLAuthenticateRequest)
	resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
	a := c.sasl
	if a == nil || a.stage != stageAuthenticate {
		r.failed = true
		resp.ErrorCode = kerr.IllegalSaslState.Code
		msg := "SaslAuthenticate request received after successful authentication"
		resp.ErrorMessage = &msg
		return respond(resp)
	}
	reply, lifetime, _, err := c.saslStep(req.SASLAuthBytes)
	if err != nil {
		r.failed = true
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := c.clientMessage(err)
		resp.ErrorMessage = &msg
		return c.failAuth(respond(resp), err)
	}
	resp.SASLAuthBytes = reply
	if resp.SASLAuthBytes == nil {
		resp.SASLAuthBytes = []byte{}
	}
	resp.SessionLifetimeMillis = lifetime.Milliseconds()
	return respond(resp)
}
