package sasl

import (
	"fmt"
	"time"
)

// Mechanism names, as Kafka spells them.
const (
	Plain       = "PLAIN"
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA512 = "SCRAM-SHA-512"
	OAuthBearer = "OAUTHBEARER"
)

// Exchange is one authentication of one connection with one mechanism.
// It is used by one goroutine at a time.
type Exchange interface {
	// Next takes the client's next message and returns the reply to send
	// (possibly empty) and whether authentication is complete. An error
	// (always an *Error) ends the exchange: authentication failed.
	Next(msg []byte) (reply []byte, done bool, err error)
	// User is the authenticated user name, once done.
	User() string
	// Expiry is when the credential stops being valid (an OAUTHBEARER
	// token's exp), or zero if it does not expire; Kafka ends the session
	// then even when connections.max.reauth.ms is 0.
	Expiry() time.Time
}

// Refuser is implemented by exchanges that may refuse a credential
// without failing yet (OAUTHBEARER answers a bad token with an error
// challenge and fails only when the client acknowledges it, which some
// clients never do): Refusal is the reason for the last refusal, for the
// log, or "".
type Refuser interface {
	Refusal() string
}

// Error is a failed authentication.
type Error struct {
	// Msg is the text for the client. Empty means Kafka's generic
	// "invalid credentials" message, which the front end words
	// (it knows whether this was a re-authentication).
	Msg string
	// Reason is for the broker's log.
	Reason string
}

func (e *Error) Error() string {
	if e.Msg != "" {
		return "sasl: " + e.Msg
	}
	return "sasl: " + e.Reason
}

// refuse is a failure whose reason the client may see, Kafka's
// SaslAuthenticationException.
func refuse(format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Msg: msg, Reason: msg}
}

// invalid is a failure the client only learns is a failure, Kafka's
// SaslException: the reason is logged, never sent.
func invalid(format string, args ...any) *Error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}
