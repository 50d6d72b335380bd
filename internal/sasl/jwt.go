package sasl

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"
)

// JWTValidator checks OAUTHBEARER access tokens as Kafka's
// BrokerJwtValidator (jose4j) does: a signed JWS (alg "none" refused)
// whose signature one of the JWKS keys verifies (by kid when the token
// names one); exp and iat required, exp and nbf checked with the allowed
// clock skew; iss equal to the expected issuer when one is configured; aud
// containing an expected audience, and, as jose4j does by default, a token
// with an aud claim refused when no audience is expected; the subject
// claim a non-empty string. Additionally an iat further in the future
// than the skew is refused.
type JWTValidator struct {
	Keys     func() *KeySet
	Audience []string      // sasl.oauthbearer.expected.audience
	Issuer   string        // sasl.oauthbearer.expected.issuer
	Skew     time.Duration // sasl.oauthbearer.clock.skew.seconds
	SubClaim string        // sasl.oauthbearer.sub.claim.name; "" is "sub"
	Now      func() time.Time
}

// Token is what a valid token establishes.
type Token struct {
	Subject string
	Expiry  time.Time
}

// verifiers by JWS alg: the hash and how to check a signature with it.
var verifiers = map[string]struct {
	hash   crypto.Hash
	verify func(key crypto.PublicKey, h crypto.Hash, digest, sig []byte) bool
}{
	"RS256": {crypto.SHA256, verifyPKCS1}, "RS384": {crypto.SHA384, verifyPKCS1}, "RS512": {crypto.SHA512, verifyPKCS1},
	"PS256": {crypto.SHA256, verifyPSS}, "PS384": {crypto.SHA384, verifyPSS}, "PS512": {crypto.SHA512, verifyPSS},
	"ES256": {crypto.SHA256, verifyECDSA}, "ES384": {crypto.SHA384, verifyECDSA}, "ES512": {crypto.SHA512, verifyECDSA},
}

// Validate checks a compact-serialized JWT. Errors say why, for the log;
// they never quote the token.
func (v *JWTValidator) Validate(raw string) (Token, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return Token{}, fmt.Errorf("malformed JWT: %d parts, want 3", len(parts))
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return Token{}, fmt.Errorf("JWT header: %w", err)
	}
	if err := v.verifySignature(header.Alg, header.Kid, parts); err != nil {
		return Token{}, err
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return Token{}, fmt.Errorf("JWT claims: %w", err)
	}
	return v.checkClaims(claims)
}

func decodeSegment(seg string, into any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(into)
}

func (v *JWTValidator) verifySignature(alg, kid string, parts []string) error {
	ver, ok := verifiers[alg]
	if !ok {
		return fmt.Errorf("JWT algorithm %q is not allowed", alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("JWT signature encoding: %w", err)
	}
	h := ver.hash.New()
	h.Write([]byte(parts[0] + "." + parts[1]))
	digest := h.Sum(nil)
	keys := v.Keys().candidates(kid, alg)
	if len(keys) == 0 {
		return fmt.Errorf("no JWKS key for kid %q and alg %s", kid, alg)
	}
	for _, k := range keys {
		if ver.verify(k, ver.hash, digest, sig) {
			return nil
		}
	}
	return errors.New("JWT signature does not verify")
}

func verifyPKCS1(key crypto.PublicKey, h crypto.Hash, digest, sig []byte) bool {
	k, ok := key.(*rsa.PublicKey)
	return ok && rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
}

func verifyPSS(key crypto.PublicKey, h crypto.Hash, digest, sig []byte) bool {
	k, ok := key.(*rsa.PublicKey)
	return ok && rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
}

// verifyECDSA checks a JWS ECDSA signature: R and S big-endian, each the
// curve's size (RFC 7518 3.4), on the curve the algorithm names.
func verifyECDSA(key crypto.PublicKey, h crypto.Hash, digest, sig []byte) bool {
	k, ok := key.(*ecdsa.PublicKey)
	if !ok {
		return false
	}
	size := (k.Curve.Params().BitSize + 7) / 8
	want := map[crypto.Hash]int{crypto.SHA256: 32, crypto.SHA384: 48, crypto.SHA512: 66}[h]
	if size != want || len(sig) != 2*size {
		return false
	}
	r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(k, digest, r, s)
}

func (v *JWTValidator) checkClaims(c map[string]any) (Token, error) {
	now := v.Now()
	exp, err := numericDate(c, "exp", true)
	if err != nil {
		return Token{}, err
	}
	iat, err := numericDate(c, "iat", true)
	if err != nil {
		return Token{}, err
	}
	nbf, err := numericDate(c, "nbf", false)
	if err != nil {
		return Token{}, err
	}
	switch {
	case !now.Before(exp.Add(v.Skew)):
		return Token{}, fmt.Errorf("JWT expired at %s (clock skew %s)", exp.UTC().Format(time.RFC3339), v.Skew)
	case !nbf.IsZero() && now.Add(v.Skew).Before(nbf):
		return Token{}, fmt.Errorf("JWT not valid before %s (clock skew %s)", nbf.UTC().Format(time.RFC3339), v.Skew)
	case now.Add(v.Skew).Before(iat):
		return Token{}, fmt.Errorf("JWT issued in the future, at %s", iat.UTC().Format(time.RFC3339))
	}
	if err := v.checkIssuerAndAudience(c); err != nil {
		return Token{}, err
	}
	subClaim := v.SubClaim
	if subClaim == "" {
		subClaim = "sub"
	}
	sub, _ := c[subClaim].(string)
	if strings.TrimSpace(sub) == "" {
		return Token{}, fmt.Errorf("JWT has no %q claim with a principal name", subClaim)
	}
	return Token{Subject: sub, Expiry: exp}, nil
}

func (v *JWTValidator) checkIssuerAndAudience(c map[string]any) error {
	if v.Issuer != "" {
		if iss, _ := c["iss"].(string); iss != v.Issuer {
			return fmt.Errorf("JWT issuer %q is not the expected %q", iss, v.Issuer)
		}
	}
	raw, hasAud := c["aud"]
	if !hasAud {
		if len(v.Audience) > 0 {
			return errors.New("JWT has no aud claim")
		}
		return nil
	}
	var auds []string
	switch a := raw.(type) {
	case string:
		auds = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				auds = append(auds, s)
			}
		}
	}
	for _, a := range auds {
		if slices.Contains(v.Audience, a) {
			return nil
		}
	}
	return fmt.Errorf("JWT audience %q does not include an expected one %q", auds, v.Audience)
}

// numericDate reads a JWT NumericDate (seconds, possibly fractional).
func numericDate(c map[string]any, name string, required bool) (time.Time, error) {
	raw, ok := c[name]
	if !ok {
		if required {
			return time.Time{}, fmt.Errorf("JWT has no %q claim", name)
		}
		return time.Time{}, nil
	}
	n, ok := raw.(json.Number)
	if !ok {
		return time.Time{}, fmt.Errorf("JWT %q claim is not a number", name)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, fmt.Errorf("JWT %q claim is not a valid date", name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}
