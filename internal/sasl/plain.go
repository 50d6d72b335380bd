package sasl

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"
)

// plainLoginModule is the JAAS module whose user_<name> options list the
// PLAIN users, as Kafka's PlainServerCallbackHandler reads them.
const plainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule"

// PlainUsers are PLAIN users and their passwords. Passwords are kept as
// SHA-256 digests so that comparing them takes the same time whatever the
// input and whatever user is named.
type PlainUsers struct {
	digests map[string][sha256.Size]byte
}

// PlainUsersFromJAAS reads user_<name>="<password>" options of the
// PlainLoginModule entries of a JAAS config.
func PlainUsersFromJAAS(mods []LoginModule) PlainUsers {
	u := PlainUsers{digests: make(map[string][sha256.Size]byte)}
	for _, m := range mods {
		if m.Class != plainLoginModule {
			continue
		}
		for k, v := range m.Options {
			if name, ok := strings.CutPrefix(k, "user_"); ok {
				u.digests[name] = sha256.Sum256([]byte(v))
			}
		}
	}
	return u
}

// plainExchange checks one client message, [authzid] NUL authcid NUL
// passwd (RFC 4616), as Kafka's PlainSaslServer.
type plainExchange struct {
	users PlainUsers
	user  string
}

func (p *plainExchange) Next(msg []byte) ([]byte, bool, error) {
	parts := bytes.Split(msg, []byte{0})
	if len(parts) != 3 {
		return nil, false, invalid("invalid SASL/PLAIN response: expected 3 tokens, got %d", len(parts))
	}
	authzid, user, password := string(parts[0]), string(parts[1]), parts[2]
	switch {
	case user == "":
		return nil, false, refuse("Authentication failed: username not specified")
	case len(password) == 0:
		return nil, false, refuse("Authentication failed: password not specified")
	case authzid != "" && authzid != user:
		return nil, false, refuse("Authentication failed: Client requested an authorization id that is different from username")
	}
	if !p.users.check(user, password) {
		e := refuse("Authentication failed: Invalid username or password")
		e.Reason = "invalid username or password for user " + quoteUser(user)
		return nil, false, e
	}
	p.user = user
	return []byte{}, true, nil
}

// check compares in constant time; an unknown user costs the same as a
// wrong password.
func (u PlainUsers) check(user string, password []byte) bool {
	want, known := u.digests[user]
	got := sha256.Sum256(password)
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1 && known
}

func (p *plainExchange) User() string      { return p.user }
func (p *plainExchange) Expiry() time.Time { return time.Time{} }

// quoteUser bounds a client-supplied user name for logs.
func quoteUser(u string) string {
	if len(u) > 64 {
		u = u[:64]
	}
	return strconv.Quote(u)
}
