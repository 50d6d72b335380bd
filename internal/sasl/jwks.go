package sasl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/url"
	"os"
	"sync"
	"time"
)

// KeySet is a JSON Web Key Set (RFC 7517) of signature verification keys.
// RSA and EC (P-256, P-384, P-521) keys are read; other key types, and
// keys meant for encryption (use=enc), are skipped as jose4j skips them.
type KeySet struct {
	keys []jwk
}

type jwk struct {
	kid, alg string
	key      crypto.PublicKey
}

// ParseJWKS parses a JWKS document.
func ParseJWKS(data []byte) (*KeySet, error) {
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("sasl: JWKS: %w", err)
	}
	ks := &KeySet{}
	for _, raw := range doc.Keys {
		k, err := parseJWK(raw)
		if err != nil {
			return nil, fmt.Errorf("sasl: JWKS key %q: %w", str(raw, "kid"), err)
		}
		if k.key != nil {
			ks.keys = append(ks.keys, k)
		}
	}
	if len(ks.keys) == 0 {
		return nil, errors.New("sasl: JWKS has no RSA or EC signature key")
	}
	return ks, nil
}

func str(m map[string]any, name string) string {
	s, _ := m[name].(string)
	return s
}

func parseJWK(m map[string]any) (jwk, error) {
	k := jwk{kid: str(m, "kid"), alg: str(m, "alg")}
	if use := str(m, "use"); use != "" && use != "sig" {
		return k, nil
	}
	var err error
	switch str(m, "kty") {
	case "RSA":
		k.key, err = rsaKey(m)
	case "EC":
		k.key, err = ecKey(m)
	}
	return k, err
}

func b64Field(m map[string]any, name string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(str(m, name))
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("bad or missing %q", name)
	}
	return b, nil
}

func rsaKey(m map[string]any) (crypto.PublicKey, error) {
	n, err := b64Field(m, "n")
	if err != nil {
		return nil, err
	}
	e, err := b64Field(m, "e")
	if err != nil || len(e) > 4 {
		return nil, errors.New(`bad "e"`)
	}
	exp := new(big.Int).SetBytes(e)
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, nil
}

func ecKey(m map[string]any) (crypto.PublicKey, error) {
	curves := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}
	curve, ok := curves[str(m, "crv")]
	if !ok {
		return nil, fmt.Errorf("unsupported curve %q", str(m, "crv"))
	}
	x, err := b64Field(m, "x")
	if err != nil {
		return nil, err
	}
	y, err := b64Field(m, "y")
	if err != nil {
		return nil, err
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(x) != size || len(y) != size {
		return nil, errors.New("EC coordinates of the wrong size")
	}
	point := append(append([]byte{4}, x...), y...)
	return ecdsa.ParseUncompressedPublicKey(curve, point)
}

// candidates are the keys that may have signed a token: the one with its
// kid if it names one, else every key of a type fitting the algorithm.
func (ks *KeySet) candidates(kid, alg string) []crypto.PublicKey {
	var out []crypto.PublicKey
	for _, k := range ks.keys {
		if (kid != "" && k.kid != kid) || (k.alg != "" && k.alg != alg) {
			continue
		}
		out = append(out, k.key)
	}
	return out
}

// jwksFile serves a JWKS file, read again when it changes (looked at no
// more than once a second, when a token is validated). A file that no
// longer parses is logged and the previous keys kept.
type jwksFile struct {
	path string
	lg   *slog.Logger
	now  func() time.Time

	mu      sync.Mutex
	keys    *KeySet
	stamp   fileStamp
	checked time.Time
}

type fileStamp struct {
	size    int64
	modTime time.Time
}

// openJWKS opens a sasl.oauthbearer.jwks.endpoint.url. Only file URLs are
// supported.
func openJWKS(endpoint string, lg *slog.Logger) (*jwksFile, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("sasl: sasl.oauthbearer.jwks.endpoint.url: %w", err)
	}
	if u.Scheme != "file" {
		return nil, fmt.Errorf("sasl: sasl.oauthbearer.jwks.endpoint.url %q: only file:// URLs are supported", endpoint)
	}
	f := &jwksFile{path: u.Path, lg: lg, now: time.Now}
	if err := f.load(); err != nil {
		return nil, err
	}
	f.checked = f.now()
	return f, nil
}

func (f *jwksFile) load() error {
	fi, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("sasl: JWKS: %w", err)
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("sasl: JWKS: %w", err)
	}
	ks, err := ParseJWKS(data)
	if err != nil {
		return err
	}
	f.keys, f.stamp = ks, fileStamp{fi.Size(), fi.ModTime()}
	return nil
}

func (f *jwksFile) current() *KeySet {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if now.Sub(f.checked) < time.Second {
		return f.keys
	}
	f.checked = now
	fi, err := os.Stat(f.path)
	if err == nil && (fileStamp{fi.Size(), fi.ModTime()}) == f.stamp {
		return f.keys
	}
	if err := f.load(); err != nil {
		f.lg.Error("reloading the JWKS failed; keeping the previous keys", "path", f.path, "err", err)
	} else {
		f.lg.Info("reloaded the JWKS", "path", f.path, "keys", len(f.keys.keys))
	}
	return f.keys
}
