package kafka

import (
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// SaslHandshake v0-1
//
// Behavior:
//
//   - On a SASL listener before authentication (see sasl.go): an enabled
//     mechanism starts the exchange and the answer lists the enabled
//     mechanisms; any other is UNSUPPORTED_SASL_MECHANISM with the list,
//     then the connection closes after the failed-authentication delay.
//
//   - On an authenticated SASL connection whose session has an expiry
//     (connections.max.reauth.ms, or an OAUTHBEARER token's exp), it starts
//     a KIP-368 re-authentication, at most once a second; asking for
//     another mechanism fails at the next token, as in Kafka.
//
//   - Anywhere else (PLAINTEXT and SSL listeners, sessions without an
//     expiry): ILLEGAL_SASL_STATE, and the connection stays open, as
//     Kafka's KafkaApis answers.
//
// Version notes: v0 is followed by raw SASL tokens (size-prefixed, no
// header; kafka-python 2.0 uses it); v1 by SaslAuthenticate requests.
func (c *conn) handleSaslHandshake(r *request) outcome {
	req := r.kreq.(*kmsg.SASLHandshakeRequest)
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	a := c.sasl
	now := time.Now()
	if a == nil || !a.handshakeExpected(now) {
		r.failed = true
		resp.ErrorCode = kerr.IllegalSaslState.Code
		return respond(resp)
	}
	resp.SupportedMechanisms = a.l.Mechanisms()
	if !a.l.Enabled(req.Mechanism) {
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		r.failed = true
		return c.failAuth(respond(resp), errUnsupportedMechanism(req.Mechanism))
	}
	if err := a.begin(req.Mechanism, req.Version == 0, now); err != nil {
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		r.failed = true
		return c.failAuth(respond(resp), err)
	}
	return respond(resp)
}

type errUnsupportedMechanism string

func (e errUnsupportedMechanism) Error() string {
	name := string(e)
	if len(name) > 64 {
		name = name[:64]
	}
	return "unsupported SASL mechanism " + strconv.Quote(name)
}
