// Package sasl is the server side of the SASL mechanisms Kafka brokers
// offer: PLAIN (RFC 4616), SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802,
// RFC 7677) and OAUTHBEARER (RFC 7628) with signed JWTs checked against a
// JWKS. It does no network I/O: the Kafka front end hands each client
// message to an Exchange and sends back what it returns, in
// SaslAuthenticate requests or, after a v0 SaslHandshake, as raw
// size-prefixed tokens.
//
//	client                       Exchange
//	  |-- first message ----------> Next -> reply, done?
//	  |<------------ reply --------|
//	  |-- next message -----------> Next -> ...          (SCRAM: 2 rounds)
//	  ...                          done: User(), Expiry()
//	                               error: *Error, the exchange is over
//
// Errors carry two texts: what the client is told (Kafka's wording; a
// generic "invalid credentials" where Kafka hides the reason, so that an
// unauthenticated client cannot probe for user names) and what the broker
// logs. Neither ever holds a password, a SCRAM proof or a token.
//
// Credentials: PLAIN users come from the listener's JAAS config
// (user_<name>="<password>", compared in constant time); SCRAM credentials
// from a ScramCredentials store (salted, never passwords); OAUTHBEARER
// keys from a JWKS file, reloaded when it changes.
package sasl
