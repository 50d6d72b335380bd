package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// keyPair builds the server certificate from PEM text holding the
// certificate chain (leaf first) and one private key, which may be
// encrypted PKCS#8 (ENCRYPTED PRIVATE KEY) when password is given. Kafka
// takes PKCS#8 only; PKCS#1 (RSA PRIVATE KEY) and SEC 1 (EC PRIVATE KEY)
// keys are accepted too.
func keyPair(certPEM, keyPEM []byte, password string) (tls.Certificate, error) {
	var certs []byte
	var key *pem.Block
	for _, text := range [][]byte{certPEM, keyPEM} {
		for {
			var b *pem.Block
			b, text = pem.Decode(text)
			if b == nil {
				break
			}
			switch b.Type {
			case "CERTIFICATE":
				certs = append(certs, pem.EncodeToMemory(b)...)
			case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
				if key != nil {
					return tls.Certificate{}, errors.New("tlsconf: key store has more than one private key")
				}
				key = b
			}
		}
	}
	if len(certs) == 0 || key == nil {
		return tls.Certificate{}, errors.New("tlsconf: key store needs a certificate chain and a private key in PEM")
	}
	if key.Type == "ENCRYPTED PRIVATE KEY" {
		der, err := decryptPKCS8(key.Bytes, password)
		if err != nil {
			return tls.Certificate{}, err
		}
		key = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	} else if password != "" {
		return tls.Certificate{}, errors.New("tlsconf: ssl.key.password is set but the private key is not encrypted")
	}
	cert, err := tls.X509KeyPair(certs, pem.EncodeToMemory(key))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsconf: key store: %w", err)
	}
	return cert, nil
}

// certPool reads the CA certificates of a PEM trust store.
func certPool(text []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	n := 0
	for {
		var b *pem.Block
		b, text = pem.Decode(text)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("tlsconf: trust store: %w", err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, errors.New("tlsconf: trust store has no PEM certificate")
	}
	return pool, nil
}
