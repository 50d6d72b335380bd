package sasl

import (
	"regexp"
	"strings"
	"time"
)

// invalidTokenJSON is the RFC 7628 error challenge Kafka's validator
// callback handler sends for any token it refuses; the reason is only
// logged.
const invalidTokenJSON = `{"status":"invalid_token"}`

// Kafka's OAuthBearerClientInitialResponse grammar (RFC 7628 3.1):
//
//	n,[a=authzid],^Aauth=Bearer <token>^A[key=value^A...]^A
var (
	oauthInitial = regexp.MustCompile(`^n,(?:a=((?:[\x01-\x2B\x2D-\x3C\x3E-\x7F]|=2C|=3D)+))?,\x01((?:[A-Za-z]+=[\x21-\x7E \t\r\n]+\x01)*)\x01$`)
	oauthAuth    = regexp.MustCompile(`^(\w+) +([-_.a-zA-Z0-9]+)$`)
)

// oauthExchange is the server side of OAUTHBEARER, as Kafka's
// OAuthBearerSaslServer: a refused token is answered with the error
// challenge, the client acknowledges it with a lone 0x01, and only then
// does authentication fail (with the challenge as the error message).
type oauthExchange struct {
	v *JWTValidator

	refused string // the reason a token was refused, waiting for 0x01
	user    string
	expiry  time.Time
}

func (o *oauthExchange) User() string      { return o.user }
func (o *oauthExchange) Refusal() string   { return o.refused }
func (o *oauthExchange) Expiry() time.Time { return o.expiry }

func (o *oauthExchange) Next(msg []byte) ([]byte, bool, error) {
	if len(msg) == 1 && msg[0] == 0x01 && o.refused != "" {
		return nil, false, &Error{Msg: invalidTokenJSON, Reason: o.refused}
	}
	o.refused = ""
	authzid, token, err := parseOAuthInitial(string(msg))
	if err != nil {
		return nil, false, err
	}
	tok, verr := o.v.Validate(token)
	if verr != nil {
		o.refused = "invalid token: " + verr.Error()
		return []byte(invalidTokenJSON), false, nil
	}
	if authzid != "" && authzid != tok.Subject {
		return nil, false, refuse("Authentication failed: Client requested an authorization id (%s) that is different from the token's principal name (%s)", authzid, tok.Subject)
	}
	o.user, o.expiry = tok.Subject, tok.Expiry
	return []byte{}, true, nil
}

// parseOAuthInitial returns the authorization id and bearer token of a
// client's initial response. Extensions (other key=value pairs) are
// accepted and ignored, as Kafka's default validator does.
func parseOAuthInitial(msg string) (authzid, token string, err error) {
	m := oauthInitial.FindStringSubmatch(msg)
	if m == nil {
		return "", "", invalid("Invalid OAUTHBEARER client first message")
	}
	var auth string
	for _, kv := range strings.Split(strings.TrimSuffix(m[2], "\x01"), "\x01") {
		if v, ok := strings.CutPrefix(kv, "auth="); ok {
			auth = v
		}
	}
	a := oauthAuth.FindStringSubmatch(auth)
	if a == nil {
		return "", "", invalid("Invalid OAUTHBEARER client first message: no auth=Bearer <token>")
	}
	if !strings.EqualFold(a[1], "bearer") {
		return "", "", invalid("Invalid scheme in OAUTHBEARER client first message: %s", a[1])
	}
	return m[1], a[2], nil
}
