package auth

import (
	"net/netip"
	"slices"
)

// index is an immutable view of the ACLs for matching, rebuilt whole on
// every change (ACLs change rarely; requests are checked all the time).
// Per resource type, literal ACLs are found by name (plus the "*"
// wildcard) and prefixed ones by looking up each prefix length in use, so
// a check costs a few map lookups whatever the number of ACLs.
type index struct {
	all    []ACL
	byType map[ResourceType]*typeIndex
}

type typeIndex struct {
	literal    map[string][]entry
	prefixed   map[string][]entry
	prefixLens []int // distinct lengths of the prefixed names, ascending
}

// entry is an ACL's access control entry, parsed for matching.
type entry struct {
	principal Principal
	host      string
	addr      netip.Addr // host parsed, if it is an IP address
	op        Operation
	perm      Permission
}

func newIndex(acls []ACL) *index {
	idx := &index{all: slices.Clone(acls), byType: make(map[ResourceType]*typeIndex)}
	for _, a := range acls {
		ti := idx.byType[a.ResourceType]
		if ti == nil {
			ti = &typeIndex{literal: make(map[string][]entry), prefixed: make(map[string][]entry)}
			idx.byType[a.ResourceType] = ti
		}
		e := newEntry(a)
		if a.PatternType == PatternPrefixed {
			ti.prefixed[a.ResourceName] = append(ti.prefixed[a.ResourceName], e)
			if !slices.Contains(ti.prefixLens, len(a.ResourceName)) {
				ti.prefixLens = append(ti.prefixLens, len(a.ResourceName))
			}
		} else {
			ti.literal[a.ResourceName] = append(ti.literal[a.ResourceName], e)
		}
	}
	for _, ti := range idx.byType {
		slices.Sort(ti.prefixLens)
	}
	return idx
}

func newEntry(a ACL) entry {
	p, _ := ParsePrincipal(a.Principal)
	e := entry{principal: p, host: a.Host, op: a.Operation, perm: a.Permission}
	if addr, err := netip.ParseAddr(a.Host); err == nil {
		e.addr = addr.Unmap()
	}
	return e
}

// each calls fn with the ACL entries whose pattern matches r: literal
// ones for its name and for "*", and prefixed ones for every prefix of
// its name (Kafka's StandardAuthorizerData.findAclRule).
func (idx *index) each(r Resource, fn func([]entry)) {
	ti := idx.byType[r.Type]
	if ti == nil {
		return
	}
	if es := ti.literal[r.Name]; len(es) > 0 {
		fn(es)
	}
	if r.Name != Wildcard {
		if es := ti.literal[Wildcard]; len(es) > 0 {
			fn(es)
		}
	}
	for _, n := range ti.prefixLens {
		if n > len(r.Name) {
			break
		}
		if es := ti.prefixed[r.Name[:n]]; len(es) > 0 {
			fn(es)
		}
	}
}

// wildcardUser is the principal of ACLs that apply to everyone.
var wildcardUser = Principal{Type: "User", Name: Wildcard}

// appliesTo reports whether e is about c: its principal (or User:*) and its
// host (or *). An IP host matches however the address is written.
func (e *entry) appliesTo(c Client) bool {
	if e.principal != c.Principal && e.principal != wildcardUser {
		return false
	}
	if e.host == Wildcard {
		return true
	}
	return e.addr.IsValid() && e.addr == c.Addr.Unmap()
}

// decides returns the entry's permission if it covers op, else
// PermissionUnknown. ALL covers everything; an ALLOW of READ, WRITE,
// DELETE or ALTER also allows DESCRIBE, and one of ALTER_CONFIGS allows
// DESCRIBE_CONFIGS. A DENY covers only its own operation (and ALL).
func (e *entry) decides(op Operation) Permission {
	if e.op == OpAll || e.op == op {
		return e.perm
	}
	if e.perm != PermissionAllow {
		return PermissionUnknown
	}
	switch op {
	case OpDescribe:
		if e.op == OpRead || e.op == OpWrite || e.op == OpDelete || e.op == OpAlter {
			return PermissionAllow
		}
	case OpDescribeConfigs:
		if e.op == OpAlterConfigs {
			return PermissionAllow
		}
	}
	return PermissionUnknown
}
