package tlsconf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/samsatest/pki"
)

func pemOptions(keyStore string) Options {
	return Options{KeystoreType: "PEM", KeystoreLocation: keyStore, ClientAuth: "none"}
}

// handshake runs a TLS handshake over loopback TCP (buffered, unlike
// net.Pipe, so neither side blocks writing what the other will not read)
// and returns what each side saw; the client trusts ca and presents client
// if it is non-nil.
func handshake(t *testing.T, s *Server, ca *pki.CA, client *tls.Certificate) (server tls.ConnectionState, served *tls.Certificate, err error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cc := &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"}
	if client != nil {
		cc.Certificates = []tls.Certificate{*client}
	}
	type result struct {
		state tls.ConnectionState
		err   error
	}
	done := make(chan result, 1)
	go func() {
		c, err := tls.Dial("tcp", ln.Addr().String(), cc)
		if err != nil {
			done <- result{err: err}
			return
		}
		// TLS 1.3 reports a refused client certificate on the first read.
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		_, err = c.Read(make([]byte, 1))
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			err = nil
		}
		done <- result{c.ConnectionState(), err}
		c.Close()
	}()
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	sc := tls.Server(nc, s.Config())
	sc.SetDeadline(time.Now().Add(5 * time.Second))
	err = sc.Handshake()
	state := sc.ConnectionState()
	r := <-done
	if err == nil {
		err = r.err
	}
	if len(r.state.PeerCertificates) > 0 {
		served = &tls.Certificate{Leaf: r.state.PeerCertificates[0]}
	}
	return state, served, err
}

func TestServeFromKeyStoreFile(t *testing.T) {
	ca := pki.NewCA(t)
	srv := ca.Server(t)
	path := pki.WriteFile(t, t.TempDir(), "server.pem", srv.KeyStore())
	s, err := New(pemOptions(path), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	_, served, err := handshake(t, s, ca, nil)
	if err != nil || served == nil || served.Leaf.SerialNumber.Cmp(srv.Cert.SerialNumber) != 0 {
		t.Fatalf("handshake: %v, served %v", err, served)
	}
}

func TestInlineKeyStoreAndMutualTLS(t *testing.T) {
	ca := pki.NewCA(t)
	srv := ca.Server(t)
	opts := Options{
		KeystoreType: "PEM", KeystoreChain: string(srv.CertPEM), KeystoreKey: string(srv.KeyPEM),
		TruststoreType: "PEM", TruststoreCertificates: string(ca.PEM), ClientAuth: "required",
		MappingRules: "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L,DEFAULT",
	}
	s, err := New(opts, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := handshake(t, s, ca, nil); err == nil {
		t.Fatal("handshake without a client certificate succeeded with ssl.client.auth=required")
	}
	for _, tt := range []struct {
		subject pkix.Name
		want    string
	}{
		{pkix.Name{CommonName: "Duke", OrganizationalUnit: []string{"ServiceUsers"}, Organization: []string{"Org"}}, "duke"},
		{pkix.Name{CommonName: "bob", Organization: []string{"Example, Inc."}}, `CN=bob,O=Example\, Inc.`},
	} {
		cert := ca.Client(t, tt.subject).TLS(t)
		state, _, err := handshake(t, s, ca, &cert)
		if err != nil {
			t.Fatal(err)
		}
		if name, ok, err := s.ClientName(state); !ok || err != nil || name != tt.want {
			t.Errorf("%v: name %q, %v, %v; want %q", tt.subject, name, ok, err, tt.want)
		}
	}
	other := pki.NewCA(t).Client(t, pkix.Name{CommonName: "mallory"}).TLS(t)
	if _, _, err := handshake(t, s, ca, &other); err == nil {
		t.Error("a certificate from an untrusted CA was accepted")
	}
}

func TestClientAuthRequested(t *testing.T) {
	ca := pki.NewCA(t)
	path := pki.WriteFile(t, t.TempDir(), "server.pem", ca.Server(t).KeyStore())
	opts := pemOptions(path)
	opts.ClientAuth, opts.TruststoreType, opts.TruststoreCertificates = "requested", "PEM", string(ca.PEM)
	s, err := New(opts, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	state, _, err := handshake(t, s, ca, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ClientName(state); ok || err != nil {
		t.Errorf("no certificate: ok %v err %v", ok, err)
	}
}

func TestReloadWhenFilesChange(t *testing.T) {
	ca := pki.NewCA(t)
	first, second := ca.Server(t), ca.Server(t)
	path := pki.WriteFile(t, t.TempDir(), "server.pem", first.KeyStore())
	logs := &bytes.Buffer{}
	s, err := New(pemOptions(path), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	s.now = func() time.Time { return clock }
	servedSerial := func() string {
		t.Helper()
		_, served, err := handshake(t, s, ca, nil)
		if err != nil {
			t.Fatal(err)
		}
		return served.Leaf.SerialNumber.String()
	}
	rewrite := func(data []byte) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		// Some file systems keep mtimes coarse; make the change visible.
		clock = clock.Add(2 * time.Second)
		os.Chtimes(path, clock, clock)
	}

	rewrite([]byte("-----BEGIN PRIVATE KEY-----\ngarbage"))
	if got := servedSerial(); got != first.Cert.SerialNumber.String() {
		t.Fatal("a broken key store replaced the working one")
	}
	if !strings.Contains(logs.String(), "reloading TLS key or trust store failed") {
		t.Errorf("failed reload not logged: %s", logs)
	}
	rewrite(second.KeyStore())
	if got := servedSerial(); got != second.Cert.SerialNumber.String() {
		t.Fatal("the renewed certificate is not served")
	}
	rewrite(first.KeyStore())
	clock = clock.Add(-1500 * time.Millisecond) // checked less than a second ago
	if got := servedSerial(); got != second.Cert.SerialNumber.String() {
		t.Fatal("files were looked at again within a second")
	}
}

func TestRefusedOptions(t *testing.T) {
	ca := pki.NewCA(t)
	srv := ca.Server(t)
	path := pki.WriteFile(t, t.TempDir(), "server.pem", srv.KeyStore())
	lg := slog.New(slog.DiscardHandler)
	for _, tt := range []struct {
		change func(*Options)
		want   string
	}{
		{func(o *Options) { o.KeystoreType = "JKS" }, "set ssl.keystore.type=PEM"},
		{func(o *Options) { o.KeystorePassword = "x" }, "only key password"},
		{func(o *Options) { o.KeystoreLocation = "" }, "needs ssl.keystore.location"},
		{func(o *Options) { o.TruststoreLocation = path; o.TruststoreType = "JKS" }, "ssl.truststore.type=PEM"},
		{func(o *Options) { o.ClientAuth = "maybe" }, "ssl.client.auth"},
		{func(o *Options) { o.Protocols = []string{"SSLv3"} }, "unknown protocol"},
		{func(o *Options) { o.CipherSuites = []string{"TLS_NOPE"} }, "unknown or unsupported cipher suite"},
		{func(o *Options) { o.MappingRules = "RULE:x" }, "invalid principal mapping rule"},
		{func(o *Options) { o.KeyPassword = "secret" }, "not encrypted"},
		{func(o *Options) { o.KeystoreLocation = path + ".missing" }, "no such file"},
	} {
		o := pemOptions(path)
		tt.change(&o)
		if _, err := New(o, lg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want %q", err, tt.want)
		}
	}
	mismatched := append(append([]byte{}, ca.Server(t).KeyPEM...), srv.CertPEM...)
	o := pemOptions(pki.WriteFile(t, t.TempDir(), "bad.pem", mismatched))
	if _, err := New(o, lg); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched key and certificate: %v", err)
	}
}

// encryptPKCS8 writes what `openssl pkcs8 -topk8 -v2 aes256 -v2prf
// hmacWithSHA256` writes.
func encryptPKCS8(t *testing.T, keyPEM []byte, password string) []byte {
	t.Helper()
	b, _ := pem.Decode(keyPEM)
	salt, iv := make([]byte, 16), make([]byte, 16)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, password, salt, 2048, 32)
	if err != nil {
		t.Fatal(err)
	}
	pad := 16 - len(b.Bytes)%16
	plain := append(append([]byte{}, b.Bytes...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	enc := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(enc, plain)
	mustDER := func(v any) []byte {
		d, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	kdf := pbkdf2Params{Salt: salt, IterationCount: 2048, PRF: algorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}}
	params := pbes2Params{
		KeyDerivationFunc: algorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: mustDER(kdf)}},
		EncryptionScheme:  algorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: mustDER(iv)}},
	}
	info := encryptedPrivateKeyInfo{
		Algorithm:     algorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: mustDER(params)}},
		EncryptedData: enc,
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: mustDER(info)})
}

func TestEncryptedKey(t *testing.T) {
	ca := pki.NewCA(t)
	srv := ca.Server(t)
	store := append(encryptPKCS8(t, srv.KeyPEM, "key-secret"), srv.CertPEM...)
	o := pemOptions(pki.WriteFile(t, t.TempDir(), "enc.pem", store))
	lg := slog.New(slog.DiscardHandler)
	if _, err := New(o, lg); err == nil || !strings.Contains(err.Error(), "set ssl.key.password") {
		t.Errorf("no password: %v", err)
	}
	o.KeyPassword = "wrong"
	if _, err := New(o, lg); err == nil || !strings.Contains(err.Error(), "wrong ssl.key.password") {
		t.Errorf("wrong password: %v", err)
	}
	o.KeyPassword = "key-secret"
	s, err := New(o, lg)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := handshake(t, s, ca, nil); err != nil {
		t.Fatal(err)
	}
}
