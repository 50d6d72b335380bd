package auth

import (
	"net/netip"
	"strings"
	"sync/atomic"
)

// Client is who a request comes from, as ACLs match it: the principal the
// connection authenticated as and the address it connects from.
type Client struct {
	Principal Principal
	Addr      netip.Addr
}

// Config configures an Authorizer with Kafka's properties.
type Config struct {
	// Enabled is authorizer.class.name set to a Kafka authorizer. Off,
	// everything is allowed, as in Kafka without an authorizer.
	Enabled bool
	// SuperUsers (super.users, "User:a;User:b") may do everything.
	SuperUsers []Principal
	// AllowIfNoACL (allow.everyone.if.no.acl.found, default false)
	// allows an operation on a resource no ACL pattern matches.
	AllowIfNoACL bool
}

// ParseSuperUsers parses super.users: principals separated by semicolons.
func ParseSuperUsers(s string) []Principal {
	var out []Principal
	for _, part := range strings.Split(s, ";") {
		if p, ok := ParsePrincipal(strings.TrimSpace(part)); ok {
			out = append(out, p)
		}
	}
	return out
}

// Authorizer decides requests as Kafka's StandardAuthorizer does: super
// users may do everything; otherwise a matching DENY wins over any
// matching ALLOW; with no ACL on the resource at all (literal, "*" or
// prefixed, for anyone), allow.everyone.if.no.acl.found decides; with
// ACLs on the resource but none allowing, the answer is no. It is safe
// for concurrent use: SetACLs swaps in a new index, readers never lock.
type Authorizer struct {
	cfg   Config
	super map[Principal]bool
	idx   atomic.Pointer[index]
}

// NewAuthorizer returns an authorizer holding acls.
func NewAuthorizer(cfg Config, acls []ACL) *Authorizer {
	a := &Authorizer{cfg: cfg, super: make(map[Principal]bool)}
	for _, p := range cfg.SuperUsers {
		a.super[p] = true
	}
	a.SetACLs(acls)
	return a
}

// Enabled reports whether authorization is on; off, Authorize allows all.
func (a *Authorizer) Enabled() bool { return a.cfg.Enabled }

// SetACLs replaces the ACLs the authorizer decides with.
func (a *Authorizer) SetACLs(acls []ACL) { a.idx.Store(newIndex(acls)) }

// ACLs returns the ACLs f selects, in the order they were set. The caller
// owns the result.
func (a *Authorizer) ACLs(f Filter) []ACL {
	var out []ACL
	for _, acl := range a.idx.Load().all {
		if f.Matches(acl) {
			out = append(out, acl)
		}
	}
	return out
}

// Authorize reports whether c may perform op on r.
func (a *Authorizer) Authorize(c Client, op Operation, r Resource) bool {
	if !a.cfg.Enabled || a.super[c.Principal] {
		return true
	}
	var found, allowed, denied bool
	a.idx.Load().each(r, func(es []entry) {
		found = true
		for i := range es {
			if !es[i].appliesTo(c) {
				continue
			}
			switch es[i].decides(op) {
			case PermissionDeny:
				denied = true
			case PermissionAllow:
				allowed = true
			}
		}
	})
	switch {
	case denied:
		return false
	case allowed:
		return true
	}
	return !found && a.cfg.AllowIfNoACL
}
