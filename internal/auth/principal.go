// Package auth holds who a request comes from (Principal) and what it may
// do: Kafka's ACL model (acl.go), the Authorizer that applies it as
// Kafka's StandardAuthorizer does (authorizer.go, index.go, bytype.go) and
// SCRAM key derivation (scram.go). Front ends authenticate a connection and
// check every request's Client against the Authorizer; storing ACLs and
// credentials is package meta's business.
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
