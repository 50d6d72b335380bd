package kafka

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/sasl"
)

// Authentication of a connection on a SASL listener, as Kafka's
// SaslServerAuthenticator and KafkaChannel do it. The read loop alone
// drives it (handlers of 17 and 36 run there too), so it needs no lock;
// only the principal is read from other goroutines.
//
//	initial ──ApiVersions──▶ handshake
//	initial, handshake ──SaslHandshake v1──▶ authenticate ──SaslAuthenticate…──▶ complete
//	initial, handshake ──SaslHandshake v0──▶ raw tokens ──token…──────────────▶ complete
//	complete ──SaslHandshake (session with an expiry, ≥1 s since the last one)──▶ re-authentication, as above
//	any failure ──▶ failed: the answer goes out after connection.failed.authentication.delay.ms, then the close
//
// Before authentication completes a request of any other key closes the
// connection unanswered (Kafka: "Unexpected Kafka request of type ... during
// SASL handshake"), as does any request but a SaslHandshake once the
// session has expired (KIP-368). Frames are limited to
// sasl.server.max.receive.size until authentication completes.
//
// Deviations: where Kafka answers a wrong request in the authenticate stage
// with that request's own ILLEGAL_SASL_STATE error before closing, Samsa
// closes unanswered (kmsg has no generic error response); a re-authentication
// that switches mechanisms gets SASL_AUTHENTICATION_FAILED with Kafka's
// message where Kafka closes without an answer.

const (
	saslHandshakeKey    = 17
	saslAuthenticateKey = 36
)

type saslStage int8

const (
	stageInitial      saslStage = iota // ApiVersions or SaslHandshake
	stageHandshake                     // after ApiVersions: SaslHandshake
	stageAuthenticate                  // SaslAuthenticate requests (handshake v1)
	stageRawTokens                     // size-prefixed tokens without a header (handshake v0)
	stageComplete
	stageFailed
)

var stageNames = [...]string{"initial", "handshake", "authenticate", "raw tokens", "complete", "failed"}

// saslConn is a SASL connection's authentication state.
type saslConn struct {
	l         *sasl.Listener
	stage     saslStage
	mechanism string // of the current or last exchange
	exchange  sasl.Exchange

	reauthenticating bool
	lastReauth       time.Time // when the last re-authentication began
	// badMechanism is set when a re-authentication asks for another
	// mechanism: Kafka answers the handshake, then fails at the token.
	badMechanism string
	expires      time.Time // end of the session; zero: none
}

// principal is who the connection authenticated as: the SASL user, the
// mapped subject of a TLS client certificate, or User:ANONYMOUS. It is
// set before any request is served and never changes afterwards (a
// re-authentication must keep it), so handlers may call it from any
// goroutine.
func (c *conn) principal() auth.Principal { return *c.who.Load() }

func (c *conn) setPrincipal(p auth.Principal) { c.who.Store(&p) }

// authFailed reports whether authentication failed, so that the read loop
// stops and the connection closes after its last answer.
func (c *conn) authFailed() bool { return c.sasl != nil && c.sasl.stage == stageFailed }

// saslGate is handleFrame's check on SASL listeners (raw tokens aside):
// false closes the connection without an answer.
func (c *conn) saslGate(frame []byte) bool {
	a := c.sasl
	switch {
	case a == nil:
		return true
	case a.stage == stageFailed:
		return false
	}
	key := frameKey(frame)
	if a.stage == stageComplete {
		now := time.Now()
		if a.expires.IsZero() || now.Before(a.expires) || (key == saslHandshakeKey && a.mayReauthenticate(now)) {
			return true
		}
		c.lg.Info("closing connection: SASL session expired and the client did not re-authenticate",
			"listener", c.l.name, "principal", c.principal().String(), "api", kmsg.NameForKey(key))
		return false
	}
	if !a.allows(key) {
		c.lg.Warn("closing connection: request not allowed before SASL authentication completes",
			"listener", c.l.name, "api", kmsg.NameForKey(key), "api_key", key, "stage", stageNames[a.stage])
		return false
	}
	if key == apiVersionsKey && c.validApiVersions(frame) {
		a.stage = stageHandshake // a second ApiVersions is refused, as in Kafka
	}
	return true
}

// validApiVersions reports whether an ApiVersions request will be answered
// without an error; Kafka waits for such an answer before it expects the
// handshake (a client retrying at a lower version may ask again).
func (c *conn) validApiVersions(frame []byte) bool {
	_, req, err := decodeRequest(frame)
	if err != nil || req == nil {
		return false
	}
	return c.checkApiVersionsRequest(req.(*kmsg.ApiVersionsRequest)) == 0
}

// frameKey reads a request's API key (-1 if the frame is too short, which
// no stage allows).
func frameKey(frame []byte) int16 {
	if len(frame) < 2 {
		return -1
	}
	return int16(binary.BigEndian.Uint16(frame))
}

func (a *saslConn) allows(key int16) bool {
	switch a.stage {
	case stageInitial:
		return key == apiVersionsKey || key == saslHandshakeKey
	case stageHandshake:
		return key == saslHandshakeKey
	case stageAuthenticate:
		return key == saslAuthenticateKey
	}
	return false
}

// mayReauthenticate: KIP-368 re-authentication needs a session with an
// expiry and at least a second since the last one began; otherwise a
// handshake after authentication is an ordinary request (refused with
// ILLEGAL_SASL_STATE), as in Kafka.
func (a *saslConn) mayReauthenticate(now time.Time) bool {
	return !a.expires.IsZero() && now.Sub(a.lastReauth) >= time.Second
}

// handshakeExpected reports whether a SaslHandshake starts an exchange now.
func (a *saslConn) handshakeExpected(now time.Time) bool {
	switch a.stage {
	case stageInitial, stageHandshake:
		return true
	case stageComplete:
		return a.mayReauthenticate(now)
	}
	return false
}

// begin starts an exchange with an enabled mechanism.
func (a *saslConn) begin(mechanism string, rawTokens bool, now time.Time) error {
	a.badMechanism = ""
	if a.stage == stageComplete {
		a.reauthenticating, a.lastReauth = true, now
		if mechanism != a.mechanism {
			a.badMechanism = fmt.Sprintf("SASL mechanism '%s' requested by client is not supported for re-authentication of mechanism '%s'", mechanism, a.mechanism)
		}
	}
	if a.badMechanism == "" {
		ex, err := a.l.Start(mechanism)
		if err != nil {
			return err
		}
		a.exchange, a.mechanism = ex, mechanism
	}
	a.stage = stageAuthenticate
	if rawTokens {
		a.stage = stageRawTokens
	}
	return nil
}

// saslStep feeds one client message to the exchange. When done the
// connection is authenticated and lifetime is the session lifetime to tell
// the client (0: no limit).
func (c *conn) saslStep(msg []byte) (reply []byte, lifetime time.Duration, done bool, err error) {
	a := c.sasl
	if a.badMechanism != "" {
		return nil, 0, false, &sasl.Error{Msg: a.badMechanism, Reason: a.badMechanism}
	}
	reply, done, err = a.exchange.Next(msg)
	if r, ok := a.exchange.(sasl.Refuser); ok && err == nil && !done && r.Refusal() != "" {
		c.lg.Info("credential refused", "listener", c.l.name, "mechanism", a.mechanism, "reason", r.Refusal())
	}
	if err != nil || !done {
		return reply, 0, false, err
	}
	p := auth.User(a.exchange.User())
	if a.reauthenticating && p != c.principal() {
		old := c.principal()
		m := fmt.Sprintf("Cannot change principals during re-authentication from %s.%s: %s.%s", old.Type, old.Name, p.Type, p.Name)
		return nil, 0, false, &sasl.Error{Msg: m, Reason: m}
	}
	now, credential, maxReauth := time.Now(), a.exchange.Expiry(), a.l.MaxReauth(a.mechanism)
	lifetime = sessionLifetime(now, credential, maxReauth)
	a.expires = time.Time{}
	if !credential.IsZero() || maxReauth > 0 {
		a.expires = now.Add(lifetime)
	}
	c.lg.Debug("authenticated", "listener", c.l.name, "mechanism", a.mechanism, "principal", p.String(),
		"reauthentication", a.reauthenticating, "session_lifetime", lifetime)
	c.setPrincipal(p)
	a.stage, a.exchange, a.reauthenticating = stageComplete, nil, false
	return reply, lifetime, true, nil
}

// sessionLifetime is Kafka's calcCompletionTimesAndReturnSessionLifetimeMs:
// connections.max.reauth.ms, or the credential's remaining life, whichever
// is shorter; 0 when neither applies (and never negative).
func sessionLifetime(now, credentialExpiry time.Time, maxReauth time.Duration) time.Duration {
	var d time.Duration
	switch {
	case credentialExpiry.IsZero():
		d = maxReauth
	case maxReauth <= 0:
		d = credentialExpiry.Sub(now)
	default:
		d = min(credentialExpiry.Sub(now), maxReauth)
	}
	return max(d, 0)
}

// failAuth ends a failed authentication: logged, answered with o after
// connection.failed.authentication.delay.ms (each connection waits in its
// own goroutine, so others go on), then the connection closes.
func (c *conn) failAuth(o outcome, err error) outcome {
	a := c.sasl
	reason := err.Error()
	if se, ok := err.(*sasl.Error); ok {
		reason = se.Reason
	}
	c.lg.Info("authentication failed", "listener", c.l.name, "mechanism", a.mechanism,
		"reauthentication", a.reauthenticating, "reason", reason)
	a.stage, a.exchange = stageFailed, nil
	delay := c.s.authDelay
	return outcome{wait: func() outcome {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.ctx.Done():
		}
		return o
	}}
}

// clientMessage is what a failed SaslAuthenticate tells the client:
// Kafka's generic text unless the mechanism chose one.
func (c *conn) clientMessage(err error) string {
	if se, ok := err.(*sasl.Error); ok && se.Msg != "" {
		return se.Msg
	}
	during := "authentication"
	if c.sasl.reauthenticating {
		during = "re-authentication"
	}
	return fmt.Sprintf("Authentication failed during %s due to invalid credentials with SASL mechanism %s", during, c.sasl.mechanism)
}

// handleRawToken serves one token after a v0 SaslHandshake: the reply
// goes back size-prefixed without a header; a failure closes the
// connection unanswered (after the delay), as Kafka does.
func (c *conn) handleRawToken(frame []byte) bool {
	r := &request{header: header{key: saslAuthenticateKey, version: -1}, conn: c, start: time.Now(), frame: frame}
	s := &slot{done: make(chan struct{}), req: r}
	c.queue <- s
	reply, _, _, err := c.saslStep(frame)
	if err != nil {
		r.failed = true
		c.run(s, c.failAuth(outcome{none: true}, err))
		return false
	}
	c.run(s, outcome{rawToken: true, token: reply})
	return true
}
