package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
	"time"
)

// Issuer signs OAUTHBEARER access tokens (JWTs) with an RSA key (RS256)
// and an EC P-256 key (ES256), published in a JWKS.
type Issuer struct {
	Name string // the iss claim
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
}

// NewIssuer makes an issuer with fresh keys, kids "rsa-1" and "ec-1".
func NewIssuer(t testing.TB, name string) *Issuer {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{Name: name, rsa: rk, ec: ek}
}

// JWKS is the issuer's public keys as a JWKS document.
func (is *Issuer) JWKS() []byte {
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	pt, _ := is.ec.PublicKey.Bytes() // 0x04 || X || Y
	doc := map[string]any{"keys": []map[string]any{
		{"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
			"n": b64(is.rsa.N.Bytes()), "e": b64(big.NewInt(int64(is.rsa.E)).Bytes())},
		{"kty": "EC", "kid": "ec-1", "use": "sig", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:])},
	}}
	out, _ := json.Marshal(doc)
	return out
}

// Claims are the usual claims of a token for sub, valid for ttl from now.
func (is *Issuer) Claims(sub string, ttl time.Duration) map[string]any {
	now := time.Now()
	return map[string]any{"sub": sub, "iss": is.Name, "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "scope": "kafka"}
}

// Token signs claims with alg RS256 or ES256 (kid set), or makes an
// unsigned token for alg "none".
func (is *Issuer) Token(t testing.TB, alg string, claims map[string]any) string {
	t.Helper()
	header := map[string]any{"alg": alg, "typ": "JWT"}
	switch alg {
	case "RS256":
		header["kid"] = "rsa-1"
	case "ES256":
		header["kid"] = "ec-1"
	}
	seg := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := seg(header) + "." + seg(claims)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch alg {
	case "RS256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, is.rsa, crypto.SHA256, digest[:])
	case "ES256":
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, is.ec, digest[:])
		if err == nil {
			sig = make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}
