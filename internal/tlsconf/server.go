package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// reloadCheckInterval bounds how often the files are looked at: at most
// one stat per file per second, whatever the handshake rate.
const reloadCheckInterval = time.Second

// Server is one listener's TLS configuration, reloaded from its files when
// they change (see the package doc).
type Server struct {
	opts   Options
	lg     *slog.Logger
	mapper *PrincipalMapper
	now    func() time.Time

	mu struct {
		sync.Mutex
		cfg     *tls.Config
		stamps  map[string]fileStamp // what cfg was loaded from
		checked time.Time
	}
}

// fileStamp identifies one version of a file well enough to notice a
// rewrite: size and modification time.
type fileStamp struct {
	size    int64
	modTime time.Time
}

// New loads the key material and checks every setting; errors are
// configuration errors to report at start-up.
func New(opts Options, lg *slog.Logger) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	mapper, err := NewPrincipalMapper(opts.MappingRules)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, lg: lg, mapper: mapper, now: time.Now}
	cfg, stamps, err := s.load()
	if err != nil {
		return nil, err
	}
	s.mu.cfg, s.mu.stamps, s.mu.checked = cfg, stamps, s.now()
	return s, nil
}

// Config is the tls.Config to serve with; each handshake gets the current
// material through GetConfigForClient.
func (s *Server) Config() *tls.Config {
	return &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		return s.current(), nil
	}}
}

// Mapper maps client certificate subjects to user names.
func (s *Server) Mapper() *PrincipalMapper { return s.mapper }

// current returns the configuration, reloading it first if a file changed
// and the last check is a second old.
func (s *Server) current() *tls.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.mu.checked) < reloadCheckInterval {
		return s.mu.cfg
	}
	s.mu.checked = now
	if !s.changedLocked() {
		return s.mu.cfg
	}
	cfg, stamps, err := s.load()
	if err != nil {
		// Stamps stay as they were, so the next check tries again.
		s.lg.Error("reloading TLS key or trust store failed; serving the previous certificates", "err", err)
		return s.mu.cfg
	}
	s.mu.cfg, s.mu.stamps = cfg, stamps
	s.lg.Info("reloaded TLS key and trust stores", "files", len(stamps))
	return cfg
}

func (s *Server) changedLocked() bool {
	for path, old := range s.mu.stamps {
		st, err := stat(path)
		if err != nil || st != old {
			return true
		}
	}
	return false
}

func stat(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: fi.Size(), modTime: fi.ModTime()}, nil
}

// load reads every file once and builds a tls.Config from it. Stamps are
// taken before reading, so a write during the read shows as a change at
// the next check.
func (s *Server) load() (*tls.Config, map[string]fileStamp, error) {
	stamps := make(map[string]fileStamp)
	read := func(path, inline string) ([]byte, error) {
		if path == "" {
			return []byte(inline), nil
		}
		st, err := stat(path)
		if err != nil {
			return nil, fmt.Errorf("tlsconf: %w", err)
		}
		stamps[path] = st
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("tlsconf: %w", err)
		}
		return b, nil
	}
	o := s.opts
	keyStore, err := read(o.KeystoreLocation, o.KeystoreChain)
	if err != nil {
		return nil, nil, err
	}
	cert, err := keyPair(keyStore, []byte(o.KeystoreKey), o.KeyPassword)
	if err != nil {
		return nil, nil, err
	}
	var pool *x509.CertPool
	if o.TruststoreLocation != "" || o.TruststoreCertificates != "" {
		trust, err := read(o.TruststoreLocation, o.TruststoreCertificates)
		if err != nil {
			return nil, nil, err
		}
		if pool, err = certPool(trust); err != nil {
			return nil, nil, err
		}
	}
	cfg, err := o.tlsConfig(cert, pool)
	return cfg, stamps, err
}

func (o Options) tlsConfig(cert tls.Certificate, pool *x509.CertPool) (*tls.Config, error) {
	auth, err := clientAuthType(o.ClientAuth)
	if err != nil {
		return nil, err
	}
	lo, hi, err := versionRange(o.Protocols)
	if err != nil {
		return nil, err
	}
	suites, err := cipherSuites(o.CipherSuites)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   auth,
		ClientCAs:    pool, // nil: the system roots, as Java's default trust store
		MinVersion:   lo,
		MaxVersion:   hi,
		CipherSuites: suites,
	}, nil
}

// ClientName is the user name of a connection's client certificate, mapped
// by ssl.principal.mapping.rules; ok is false without a certificate.
func (s *Server) ClientName(cs tls.ConnectionState) (name string, ok bool, err error) {
	if len(cs.PeerCertificates) == 0 {
		return "", false, nil
	}
	dn, err := DistinguishedName(cs.PeerCertificates[0].RawSubject)
	if err != nil {
		return "", false, err
	}
	name, err = s.mapper.Map(dn)
	return name, err == nil, err
}
