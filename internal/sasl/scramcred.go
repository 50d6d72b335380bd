package sasl

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
)

// ScramCredential is one user's SCRAM secret as Kafka stores it
// (ScramCredential: salt, stored key, server key, iterations): enough to
// check a client's proof and to prove the server knows it, but not the
// password.
type ScramCredential struct {
	Salt       []byte
	StoredKey  []byte // H(HMAC(SaltedPassword, "Client Key"))
	ServerKey  []byte // HMAC(SaltedPassword, "Server Key")
	Iterations int
}

// ScramCredentials is where SCRAM users come from (Kafka keeps them in its
// metadata, managed with AlterUserScramCredentials). Lookup is called once
// per SCRAM authentication, from the connection's goroutine, so it must be
// safe for concurrent use. mechanism is ScramSHA256 or ScramSHA512; the
// returned slices are only read.
type ScramCredentials interface {
	Lookup(mechanism, user string) (ScramCredential, bool)
}

// minScramIterations is Kafka's ScramMechanism.minIterations (4096 for
// both mechanisms); a stored credential with fewer is refused.
const minScramIterations = 4096

func scramHash(mechanism string) (func() hash.Hash, error) {
	switch mechanism {
	case ScramSHA256:
		return sha256.New, nil
	case ScramSHA512:
		return sha512.New, nil
	}
	return nil, fmt.Errorf("sasl: %q is not a SCRAM mechanism", mechanism)
}

// NewScramCredential derives the credential of a password, as
// kafka-configs.sh --alter --add-config 'SCRAM-SHA-256=[password=...]'.
func NewScramCredential(mechanism, password string, salt []byte, iterations int) (ScramCredential, error) {
	h, err := scramHash(mechanism)
	if err != nil {
		return ScramCredential{}, err
	}
	salted, err := pbkdf2.Key(h, password, salt, iterations, h().Size())
	if err != nil {
		return ScramCredential{}, err
	}
	return ScramCredentialFromSalted(mechanism, salted, salt, iterations)
}

// ScramCredentialFromSalted derives the credential from a salted password,
// the form AlterUserScramCredentials upsertions carry.
func ScramCredentialFromSalted(mechanism string, saltedPassword, salt []byte, iterations int) (ScramCredential, error) {
	h, err := scramHash(mechanism)
	if err != nil {
		return ScramCredential{}, err
	}
	clientKey := hmacSum(h, saltedPassword, []byte("Client Key"))
	stored := h()
	stored.Write(clientKey)
	return ScramCredential{
		Salt:       append([]byte(nil), salt...),
		StoredKey:  stored.Sum(nil),
		ServerKey:  hmacSum(h, saltedPassword, []byte("Server Key")),
		Iterations: iterations,
	}, nil
}

func hmacSum(h func() hash.Hash, key, msg []byte) []byte {
	m := hmac.New(h, key)
	m.Write(msg)
	return m.Sum(nil)
}
