package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// ScramMechanism is a SCRAM SASL mechanism (RFC 5802, RFC 7677) with
// Kafka's wire code (ScramMechanism.type).
type ScramMechanism int8

const (
	ScramUnknown ScramMechanism = 0
	ScramSHA256  ScramMechanism = 1
	ScramSHA512  ScramMechanism = 2
)

// Iteration bounds Kafka accepts for both mechanisms
// (ScramMechanism.minIterations/maxIterations).
const (
	ScramMinIterations = 4096
	ScramMaxIterations = 16384
)

// ScramMechanismNamed returns the mechanism with a SASL name, e.g.
// "SCRAM-SHA-256".
func ScramMechanismNamed(name string) ScramMechanism {
	switch name {
	case "SCRAM-SHA-256":
		return ScramSHA256
	case "SCRAM-SHA-512":
		return ScramSHA512
	}
	return ScramUnknown
}

// Name is the SASL mechanism name, "" if unknown.
func (m ScramMechanism) Name() string {
	switch m {
	case ScramSHA256:
		return "SCRAM-SHA-256"
	case ScramSHA512:
		return "SCRAM-SHA-512"
	}
	return ""
}

// Hash is the mechanism's hash function; nil if unknown.
func (m ScramMechanism) Hash() func() hash.Hash {
	switch m {
	case ScramSHA256:
		return sha256.New
	case ScramSHA512:
		return sha512.New
	}
	return nil
}

// ScramKeys derives what a server keeps from a salted password (RFC 5802
// section 3), as Kafka's ScramFormatter does: StoredKey = H(HMAC(salted,
// "Client Key")), ServerKey = HMAC(salted, "Server Key"). The password
// itself, salted or not, is never stored.
func ScramKeys(m ScramMechanism, saltedPassword []byte) (storedKey, serverKey []byte) {
	h := m.Hash()
	clientKey := hmacSum(h, saltedPassword, "Client Key")
	sum := h()
	sum.Write(clientKey)
	return sum.Sum(nil), hmacSum(h, saltedPassword, "Server Key")
}

func hmacSum(h func() hash.Hash, key []byte, msg string) []byte {
	mac := hmac.New(h, key)
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}
