package kafka

import (
	"errors"
	"net"
	"net/netip"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// Authorization: Kafka's ACLs, checked as Kafka's KafkaApis checks them.
//
// Every request goes through dispatch. With an authorizer configured
// (authorizer.class.name), the rule for its API key (authzRules) makes the
// checks Kafka makes for that API on the decoded request, then either
//
//   - refuses the whole request: the rule returns the response Kafka sends
//     (the API's authorization error, nothing changed) and the handler
//     never runs; or
//   - refuses some items (topics, partitions, groups, ids): they leave the
//     request before the handler runs, and a patch puts their error entries
//     into the handler's response; where Kafka filters instead of failing
//     (listing all topics, groups, transactions), the patch drops what the
//     principal may not see.
//
// Without an authorizer every request goes straight to its handler, and
// every operation is authorized, as in Kafka. Rules are grouped by area in
// authz_*.go; TestEveryAPIHasAnAuthorizationRule fails when an advertised
// key has none. The "authorized operations" fields are in authz_ops.go.

// verdict is what a rule decided about one request.
type verdict struct {
	deny  kmsg.Response       // answer this, do not run the handler
	patch func(kmsg.Response) // run on the handler's response
}

// authzRule checks one request of its API key.
type authzRule func(z *authzCheck, req kmsg.Request) verdict

// rule adapts a rule written for one request type.
func rule[R kmsg.Request](check func(*authzCheck, R) verdict) authzRule {
	return func(z *authzCheck, req kmsg.Request) verdict { return check(z, req.(R)) }
}

// noCheck is the rule of APIs Kafka does not authorize.
func noCheck(*authzCheck, kmsg.Request) verdict { return verdict{} }

// dispatch runs r's handler once r passes its authorization rule.
func (c *conn) dispatch(r *request) outcome {
	handle := apis[r.key].handle
	a := c.s.b.Authorizer()
	// A key without a rule is one served before authentication (the
	// table test keeps every other key in authzRules).
	check, ok := authzRules[r.key]
	if !a.Enabled() || r.kreq == nil || !ok {
		return handle(c, r)
	}
	z := &authzCheck{c: c, r: r, a: a, client: c.client()}
	v := check(z, r.kreq)
	if v.deny != nil {
		r.failed = true
		c.lg.Debug("request refused by ACLs", "api", kmsg.NameForKey(r.key), "principal", z.client.Principal.String())
		return respond(v.deny)
	}
	return v.apply(handle(c, r))
}

// apply runs the patch on the handler's response, now or when it is ready.
func (v verdict) apply(o outcome) outcome {
	if v.patch == nil {
		return o
	}
	if o.wait != nil {
		wait := o.wait
		o.wait = func() outcome { return v.apply(wait()) }
		return o
	}
	if o.resp != nil {
		v.patch(o.resp)
	}
	return o
}

// client is who sends the connection's requests, as ACLs match it.
func (c *conn) client() auth.Client {
	p := c.principal()
	if tp, ok := testPrincipal(c.nc); ok {
		p = tp
	}
	return auth.Client{Principal: p, Addr: remoteAddr(c.nc)}
}

// remoteAddr is the client's IP address (an IPv4 one unmapped).
func remoteAddr(nc net.Conn) netip.Addr {
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// authzCheck is one request's authorization: who asks, and the answers.
type authzCheck struct {
	c      *conn
	r      *request
	a      *auth.Authorizer
	client auth.Client
}

func (z *authzCheck) allowed(op auth.Operation, t auth.ResourceType, name string) bool {
	return z.a.Authorize(z.client, op, auth.Resource{Type: t, Name: name})
}

func (z *authzCheck) cluster(op auth.Operation) bool {
	return z.a.Authorize(z.client, op, auth.Cluster)
}

func (z *authzCheck) topic(op auth.Operation, name string) bool {
	return z.allowed(op, auth.ResourceTopic, name)
}

func (z *authzCheck) group(op auth.Operation, name string) bool {
	return z.allowed(op, auth.ResourceGroup, name)
}

func (z *authzCheck) txnID(op auth.Operation, id string) bool {
	return z.allowed(op, auth.ResourceTransactionalID, id)
}

// topics returns a per-request memo of topic checks for op: Kafka checks
// each distinct topic once (filterByAuthorized).
func (z *authzCheck) topics(op auth.Operation) func(string) bool {
	seen := make(map[string]bool)
	return func(name string) bool {
		ok, done := seen[name]
		if !done {
			ok = z.topic(op, name)
			seen[name] = ok
		}
		return ok
	}
}

// topicName resolves a topic named by id (Kafka's newer versions); known
// is false for an id no topic has, which the handler answers.
func (z *authzCheck) topicName(name string, id [16]byte, byID bool) (string, bool) {
	if !byID {
		return name, true
	}
	info, ok := z.c.s.b.TopicByID(id)
	return info.Name, ok
}

// mayCreateTopic is Kafka's check before creating a topic: CREATE on the
// cluster or on the topic.
func (z *authzCheck) mayCreateTopic(name string) bool {
	return z.cluster(auth.OpCreate) || z.topic(auth.OpCreate, name)
}

func (z *authzCheck) topicExists(name string) bool {
	_, ok := z.c.s.b.Topic(name)
	return ok
}

// deny refuses the whole request with resp.
func deny(resp kmsg.Response) verdict { return verdict{deny: resp} }

// failed marks the request failed when its answer carries refusals.
func (z *authzCheck) failed(refused int) {
	if refused > 0 {
		z.r.failed = true
	}
}

// split keeps in *items those keep accepts and returns the others. The
// kept slice reuses the request's array; a non-nil slice stays non-nil,
// which matters where nil means "all".
func split[T any](items *[]T, keep func(*T) bool) []T {
	kept := (*items)[:0]
	var refused []T
	for _, it := range *items {
		if keep(&it) {
			kept = append(kept, it)
		} else {
			refused = append(refused, it)
		}
	}
	*items = kept
	return refused
}

// Codes of refusals.
var (
	topicDenied   = kerr.TopicAuthorizationFailed.Code
	groupDenied   = kerr.GroupAuthorizationFailed.Code
	clusterDenied = kerr.ClusterAuthorizationFailed.Code
	txnDenied     = kerr.TransactionalIDAuthorizationFailed.Code
)

// errorMessage is the text Kafka sends with a code where it sends one.
func errorMessage(code int16) *string {
	var ke *kerr.Error
	if !errors.As(kerr.ErrorForCode(code), &ke) {
		return nil
	}
	msg := ke.Description
	return &msg
}
