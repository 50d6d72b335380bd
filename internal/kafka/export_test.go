package kafka

import "github.com/samsa-streaming/samsa/internal/auth"

// ActAs makes requests from the client address addr (a connection's local
// address, host:port) run as principal p; undo with the returned func.
func ActAs(addr string, p auth.Principal) (undo func()) {
	testPrincipalsUsed.Store(true)
	testPrincipals.Store(addr, p)
	return func() { testPrincipals.Delete(addr) }
}
