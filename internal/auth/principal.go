// Package auth holds who a request comes from (Principal) and, in time,
// the authorizer that decides what it may do. Front ends authenticate a
// connection and attach its Principal to every request they hand the core.
package auth

// Principal is an authenticated identity in Kafka's form "Type:Name",
// e.g. User:alice. Connections that did not authenticate (PLAINTEXT, or
// SSL without a client certificate) are User:ANONYMOUS, as in Kafka.
type Principal struct {
	Type string
	Name string
}

// Anonymous is the principal of unauthenticated connections.
var Anonymous = Principal{Type: "User", Name: "ANONYMOUS"}

// User returns the User principal with the given name.
func User(name string) Principal { return Principal{Type: "User", Name: name} }

// String is Kafka's "Type:Name".
func (p Principal) String() string { return p.Type + ":" + p.Name }
