package sasl

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
	"time"
)

// scramExchange is the server side of SCRAM (RFC 5802), as Kafka's
// ScramSaslServer:
//
//	client-first  n,[a=authzid],n=user,r=cnonce[,ext=value...]
//	server-first  r=cnonce+snonce,s=salt,i=iterations
//	client-final  c=base64(gs2 header),r=cnonce+snonce,p=proof
//	server-final  v=server signature
//
// Only the gs2 flag "n" (no channel binding) is accepted, as in Kafka. The
// tokenauth=true extension (delegation tokens) is refused: Samsa has none.
//
// The client-final nonce must be the server-first one, as Kafka 4 checks
// (CVE-2024-56128), or, deliberately unlike Kafka 4, exactly the client
// nonce followed by it: librdkafka before 2.6.1 (kcat and confluent-kafka
// in today's Debian and Ubuntu) sends that (librdkafka#4895), and Kafka 4
// refuses those clients. Both forms echo the server's random nonce, which
// is what protects against replay.
type scramExchange struct {
	mechanism string
	h         func() hash.Hash
	creds     ScramCredentials
	newNonce  func() string // tests fix the server nonce

	state       int // 0: waiting for client-first, 1: for client-final
	gs2Header   string
	clientFirst string // client-first-message-bare
	serverFirst string
	clientNonce string
	nonce       string // client + server nonce
	user        string
	cred        ScramCredential
}

func newScramExchange(mechanism string, creds ScramCredentials) (*scramExchange, error) {
	h, err := scramHash(mechanism)
	if err != nil {
		return nil, err
	}
	return &scramExchange{mechanism: mechanism, h: h, creds: creds, newNonce: randomNonce}, nil
}

func randomNonce() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

func (s *scramExchange) User() string      { return s.user }
func (s *scramExchange) Expiry() time.Time { return time.Time{} }

func (s *scramExchange) Next(msg []byte) ([]byte, bool, error) {
	if s.state == 0 {
		reply, err := s.first(string(msg))
		return reply, false, err
	}
	reply, err := s.final(string(msg))
	return reply, err == nil, err
}

func (s *scramExchange) first(msg string) ([]byte, error) {
	cf, err := parseClientFirst(msg)
	if err != nil {
		return nil, err
	}
	if cf.extensions["tokenauth"] == "true" {
		return nil, invalid("token authentication (tokenauth=true) for %s: Samsa has no delegation tokens", quoteUser(cf.user))
	}
	cred, ok := s.creds.Lookup(s.mechanism, cf.user)
	if !ok {
		return nil, invalid("no %s credentials for user %s", s.mechanism, quoteUser(cf.user))
	}
	if cf.authzid != "" && cf.authzid != cf.user {
		return nil, refuse("Authentication failed: Client requested an authorization id that is different from username")
	}
	if cred.Iterations < minScramIterations {
		return nil, invalid("iterations %d of user %s is less than the minimum %d for %s", cred.Iterations, quoteUser(cf.user), minScramIterations, s.mechanism)
	}
	s.gs2Header, s.clientFirst, s.user, s.cred = cf.gs2Header, cf.bare, cf.user, cred
	s.clientNonce, s.nonce = cf.nonce, cf.nonce+s.newNonce()
	s.serverFirst = "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(cred.Salt) + ",i=" + strconv.Itoa(cred.Iterations)
	s.state = 1
	return []byte(s.serverFirst), nil
}

func (s *scramExchange) final(msg string) ([]byte, error) {
	withoutProof, proofB64, ok := cutLast(msg, ",p=")
	if !ok {
		return nil, invalid("invalid SCRAM client final message format")
	}
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") || !strings.HasPrefix(attrs[1], "r=") {
		return nil, invalid("invalid SCRAM client final message format")
	}
	// RFC 5802 wants the client's gs2 header back; Kafka checks nothing,
	// and Kafka's Java client and franz-go send "n,," (biws) even after
	// naming an authorization id, so that is accepted too.
	if binding, err := base64.StdEncoding.DecodeString(attrs[0][2:]); err != nil || (string(binding) != s.gs2Header && string(binding) != "n,,") {
		return nil, invalid("channel binding of the client final message does not match its first message")
	}
	if nonce := attrs[1][2:]; nonce != s.nonce && nonce != s.clientNonce+s.nonce {
		return nil, invalid("invalid client nonce in the final client message")
	}
	proof, err := base64.StdEncoding.DecodeString(proofB64)
	if err != nil {
		return nil, invalid("invalid SCRAM client proof encoding")
	}
	authMessage := []byte(s.clientFirst + "," + s.serverFirst + "," + withoutProof)
	if !s.verifyProof(proof, authMessage) {
		return nil, invalid("invalid client credentials of user %s", quoteUser(s.user))
	}
	signature := hmacSum(s.h, s.cred.ServerKey, authMessage)
	return []byte("v=" + base64.StdEncoding.EncodeToString(signature)), nil
}

// verifyProof recovers the client key from the proof and checks that it
// hashes to the stored key.
func (s *scramExchange) verifyProof(proof, authMessage []byte) bool {
	signature := hmacSum(s.h, s.cred.StoredKey, authMessage)
	if len(proof) != len(signature) {
		return false
	}
	clientKey := make([]byte, len(proof))
	subtle.XORBytes(clientKey, proof, signature)
	h := s.h()
	h.Write(clientKey)
	return subtle.ConstantTimeCompare(h.Sum(nil), s.cred.StoredKey) == 1
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

type clientFirst struct {
	gs2Header  string // "n,," or "n,a=...,"
	authzid    string
	bare       string // after the gs2 header
	user       string
	nonce      string
	extensions map[string]string
}

func parseClientFirst(msg string) (clientFirst, error) {
	bad := invalid("invalid SCRAM client first message format")
	rest, ok := strings.CutPrefix(msg, "n,")
	if !ok {
		return clientFirst{}, bad
	}
	authz, bare, ok := strings.Cut(rest, ",")
	if !ok {
		return clientFirst{}, bad
	}
	cf := clientFirst{gs2Header: "n," + authz + ",", bare: bare, extensions: make(map[string]string)}
	if authz != "" {
		name, ok := strings.CutPrefix(authz, "a=")
		if !ok || name == "" {
			return clientFirst{}, bad
		}
		if cf.authzid, ok = decodeSaslName(name); !ok {
			return clientFirst{}, bad
		}
	}
	attrs := strings.Split(bare, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") || !strings.HasPrefix(attrs[1], "r=") {
		return clientFirst{}, bad
	}
	if cf.user, ok = decodeSaslName(attrs[0][2:]); !ok || cf.user == "" {
		return clientFirst{}, bad
	}
	if cf.nonce = attrs[1][2:]; !printable(cf.nonce) {
		return clientFirst{}, bad
	}
	for _, ext := range attrs[2:] {
		k, v, ok := strings.Cut(ext, "=")
		if !ok || k == "" {
			return clientFirst{}, bad
		}
		cf.extensions[k] = v
	}
	return cf, nil
}

// decodeSaslName undoes RFC 5802's escaping: =2C is ',' and =3D is '='.
func decodeSaslName(s string) (string, bool) {
	if !strings.Contains(s, "=") {
		return s, true
	}
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "=2C"):
			b.WriteByte(',')
		case strings.HasPrefix(s[i:], "=3D"):
			b.WriteByte('=')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// printable is RFC 5802's nonce alphabet: printable ASCII but ','.
func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7E || s[i] == ',' {
			return false
		}
	}
	return true
}
