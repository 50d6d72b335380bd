package kafka

import (
	"net"
	"sync"
	"sync/atomic"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// Tests in this package act as any principal without authenticating:
// export_test.go registers a principal for a client address (the
// client's end of a connection), and client() uses it instead of the
// connection's. Production never registers one, so the only cost is an
// atomic load per request.
var (
	testPrincipalsUsed atomic.Bool
	testPrincipals     sync.Map // client address string -> auth.Principal
)

func testPrincipal(nc net.Conn) (auth.Principal, bool) {
	if !testPrincipalsUsed.Load() {
		return auth.Principal{}, false
	}
	p, ok := testPrincipals.Load(nc.RemoteAddr().String())
	if !ok {
		return auth.Principal{}, false
	}
	return p.(auth.Principal), true
}
