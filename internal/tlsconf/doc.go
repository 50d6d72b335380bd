// Package tlsconf builds the TLS side of a Kafka listener from Kafka's
// ssl.* properties and turns client certificates into principals.
//
// Key material is PEM only (Kafka 2.7+, KIP-651): a key store file with
// the private key and the certificate chain (ssl.keystore.location), or
// both inline (ssl.keystore.certificate.chain, ssl.keystore.key); a trust
// store file or inline certificates for verifying client certificates.
//
// Reloading: files are checked at most once per second, when a TLS
// handshake starts (GetConfigForClient), and reloaded when their size or
// modification time changed, so renewed certificates are served without a
// restart or a signal. A reload that fails (a half-written file, a key that
// does not match its certificate) is logged and the previous material kept;
// it is tried again a second later. Connections already established keep
// the certificate they were made with, as in Kafka.
//
// Principals (mapper.go, dn.go): a client certificate's subject is written
// as Java's X500Principal.getName() writes it (RFC 2253) and mapped by
// ssl.principal.mapping.rules exactly as Kafka's SslPrincipalMapper does;
// rule patterns are Go regular expressions (RE2), which accept the
// patterns of Kafka's documentation but not look-around or back-references.
package tlsconf
