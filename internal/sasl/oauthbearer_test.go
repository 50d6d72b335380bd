package sasl

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/samsatest/pki"
)

func validator(t *testing.T, is *pki.Issuer) *JWTValidator {
	t.Helper()
	ks, err := ParseJWKS(is.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	return &JWTValidator{
		Keys: func() *KeySet { return ks }, Audience: []string{"kafka"}, Issuer: is.Name,
		Skew: 30 * time.Second, Now: time.Now,
	}
}

func TestJWTValidation(t *testing.T) {
	is := pki.NewIssuer(t, "https://issuer.example")
	v := validator(t, is)
	claims := func(change func(map[string]any)) map[string]any {
		c := is.Claims("alice", time.Hour)
		c["aud"] = []string{"other", "kafka"}
		if change != nil {
			change(c)
		}
		return c
	}
	for _, alg := range []string{"RS256", "ES256"} {
		tok, err := v.Validate(is.Token(t, alg, claims(nil)))
		if err != nil || tok.Subject != "alice" || time.Until(tok.Expiry) < 59*time.Minute {
			t.Errorf("%s: %+v, %v", alg, tok, err)
		}
	}
	now := time.Now().Unix()
	other := pki.NewIssuer(t, is.Name)
	for _, tt := range []struct {
		name  string
		token string
		want  string
	}{
		{"bad signature", other.Token(t, "RS256", claims(nil)), "signature does not verify"},
		{"tampered", tamper(t, is.Token(t, "ES256", claims(nil))), "signature does not verify"},
		{"alg none", is.Token(t, "none", claims(nil)), `algorithm "none" is not allowed`},
		{"expired", is.Token(t, "RS256", claims(func(c map[string]any) { c["exp"] = now - 31 })), "expired"},
		{"not yet valid", is.Token(t, "RS256", claims(func(c map[string]any) { c["nbf"] = now + 60 })), "not valid before"},
		{"no exp", is.Token(t, "RS256", claims(func(c map[string]any) { delete(c, "exp") })), `no "exp"`},
		{"no iat", is.Token(t, "RS256", claims(func(c map[string]any) { delete(c, "iat") })), `no "iat"`},
		{"wrong audience", is.Token(t, "RS256", claims(func(c map[string]any) { c["aud"] = "billing" })), "audience"},
		{"no audience", is.Token(t, "RS256", claims(func(c map[string]any) { delete(c, "aud") })), "no aud"},
		{"wrong issuer", is.Token(t, "RS256", claims(func(c map[string]any) { c["iss"] = "mallory" })), "issuer"},
		{"no subject", is.Token(t, "RS256", claims(func(c map[string]any) { c["sub"] = "" })), `no "sub" claim`},
		{"malformed", "abc.def", "3"},
	} {
		_, err := v.Validate(tt.token)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
	// Within the skew an expired token still passes.
	if _, err := v.Validate(is.Token(t, "RS256", claims(func(c map[string]any) { c["exp"] = now - 5 }))); err != nil {
		t.Errorf("expired within the clock skew: %v", err)
	}
	// jose4j's default: an aud claim with no audience expected is refused.
	v.Audience = nil
	if _, err := v.Validate(is.Token(t, "RS256", claims(nil))); err == nil {
		t.Error("a token with aud accepted while no audience is expected")
	}
	v.SubClaim = "client_id"
	if tok, err := v.Validate(is.Token(t, "ES256", claims(func(c map[string]any) { delete(c, "aud"); c["client_id"] = "svc" }))); err != nil || tok.Subject != "svc" {
		t.Errorf("sub claim name: %+v, %v", tok, err)
	}
}

// tamper changes the subject of a signed token, keeping the signature.
func tamper(t *testing.T, token string) string {
	parts := strings.Split(token, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	json.Unmarshal(b, &c)
	c["sub"] = "admin"
	b, _ = json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

func initial(authzid, token string) []byte {
	gs2 := "n,,"
	if authzid != "" {
		gs2 = "n,a=" + authzid + ","
	}
	return []byte(gs2 + "\x01auth=Bearer " + token + "\x01ext=value\x01\x01")
}

func TestOAuthExchange(t *testing.T) {
	is := pki.NewIssuer(t, "https://issuer.example")
	v := validator(t, is)
	v.Audience = nil
	good := is.Token(t, "RS256", is.Claims("alice", time.Hour))

	ex := &oauthExchange{v: v}
	reply, done, err := ex.Next(initial("", good))
	if err != nil || !done || len(reply) != 0 || ex.User() != "alice" || ex.Expiry().IsZero() {
		t.Fatalf("valid token: %q %v %v user %q", reply, done, err, ex.User())
	}

	expired := is.Claims("alice", -time.Hour)
	ex = &oauthExchange{v: v}
	reply, done, err = ex.Next(initial("", is.Token(t, "RS256", expired)))
	if err != nil || done || string(reply) != `{"status":"invalid_token"}` {
		t.Fatalf("expired token: %q %v %v, want the RFC 7628 error challenge", reply, done, err)
	}
	_, _, err = ex.Next([]byte{1})
	e, ok := err.(*Error)
	if !ok || e.Msg != `{"status":"invalid_token"}` || !strings.Contains(e.Reason, "expired") {
		t.Fatalf("after 0x01: %#v", err)
	}

	ex = &oauthExchange{v: v}
	if _, _, err := ex.Next(initial("bob", good)); err == nil || !strings.Contains(err.Error(), "different from the token's principal name") {
		t.Errorf("authzid mismatch: %v", err)
	}
	for _, bad := range []string{"", "n,,auth=Bearer x", "y,,\x01auth=Bearer x\x01\x01", "n,,\x01auth=Basic abc\x01\x01", "n,,\x01\x01"} {
		ex = &oauthExchange{v: v}
		if _, _, err := ex.Next([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestJWKSFileReload(t *testing.T) {
	first, second := pki.NewIssuer(t, "iss"), pki.NewIssuer(t, "iss")
	path := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(path, first.JWKS(), 0o600)
	f, err := openJWKS("file://"+path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	f.now = func() time.Time { return clock }
	v := &JWTValidator{Keys: f.current, Skew: time.Second, Now: time.Now}
	tok := second.Token(t, "ES256", second.Claims("alice", time.Hour))
	if _, err := v.Validate(tok); err == nil {
		t.Fatal("token of the second issuer accepted before the JWKS changed")
	}
	os.WriteFile(path, second.JWKS(), 0o600)
	clock = clock.Add(2 * time.Second)
	os.Chtimes(path, clock, clock)
	if _, err := v.Validate(tok); err != nil {
		t.Fatalf("after the JWKS changed: %v", err)
	}
	os.WriteFile(path, []byte("{broken"), 0o600)
	clock = clock.Add(2 * time.Second)
	os.Chtimes(path, clock, clock)
	if _, err := v.Validate(tok); err != nil {
		t.Fatalf("a broken JWKS replaced the keys: %v", err)
	}
	if _, err := openJWKS("https://idp.example/jwks", slog.New(slog.DiscardHandler)); err == nil {
		t.Error("https JWKS accepted")
	}
}
