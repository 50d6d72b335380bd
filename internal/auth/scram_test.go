package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// TestScramKeysRFC7677 checks the derived keys against the SCRAM-SHA-256
// exchange of RFC 7677 section 3: the client proof it gives must verify
// against the stored key, as a server checks it.
func TestScramKeysRFC7677(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	salted, err := pbkdf2.Key(sha256.New, "pencil", salt, 4096, 32)
	if err != nil {
		t.Fatal(err)
	}
	storedKey, serverKey := ScramKeys(ScramSHA256, salted)
	authMessage := "n=user,r=rOprNGfwEbeRWgbNEkqO," +
		"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," +
		"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	proof, _ := base64.StdEncoding.DecodeString("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	signature := hmacSum(sha256.New, storedKey, authMessage)
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ signature[i]
	}
	if sum := sha256.Sum256(clientKey); !bytes.Equal(sum[:], storedKey) {
		t.Fatal("the RFC's client proof does not verify against the stored key")
	}
	wantServerSig, _ := base64.StdEncoding.DecodeString("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
	if got := hmacSum(sha256.New, serverKey, authMessage); !hmac.Equal(got, wantServerSig) {
		t.Fatal("server signature differs from the RFC's")
	}
}

func TestScramMechanismNames(t *testing.T) {
	for _, m := range []ScramMechanism{ScramSHA256, ScramSHA512} {
		if ScramMechanismNamed(m.Name()) != m || m.Hash() == nil {
			t.Fatalf("%v does not round-trip", m)
		}
	}
	if ScramMechanismNamed("PLAIN") != ScramUnknown || ScramUnknown.Hash() != nil {
		t.Fatal("unknown mechanism accepted")
	}
}
