package auth

// AuthorizeByResourceType reports whether c may perform op on at least one
// resource of type t (KIP-679; Kafka's Authorizer.authorizeByResourceType):
// a producer without IDEMPOTENT_WRITE on the cluster may still be
// idempotent if it may WRITE some topic. An ALLOW counts unless a DENY
// covers all it allows (the same literal name, or a prefix of it); a DENY
// on "*" denies everything. Only exact operations count (and ALL), not
// implied ones, as in Kafka.
func (a *Authorizer) AuthorizeByResourceType(c Client, op Operation, t ResourceType) bool {
	// A made-up name lets super users and allow.everyone.if.no.acl.found
	// decide first, as Kafka does.
	if a.Authorize(c, op, Resource{Type: t, Name: "hardcode"}) {
		return true
	}
	ti := a.idx.Load().byType[t]
	if ti == nil {
		return false
	}
	denyLiteral, denyPrefix := map[string]bool{}, map[string]bool{}
	var allowLiteral, allowPrefix []string
	collect := func(byName map[string][]entry, literal bool) (wildcardDeny, wildcardAllow bool) {
		for name, es := range byName {
			for i := range es {
				e := &es[i]
				if !e.appliesTo(c) || (e.op != op && e.op != OpAll) {
					continue
				}
				switch {
				case e.perm == PermissionDeny && literal && name == Wildcard:
					wildcardDeny = true
				case e.perm == PermissionDeny && literal:
					denyLiteral[name] = true
				case e.perm == PermissionDeny:
					denyPrefix[name] = true
				case literal && name == Wildcard:
					wildcardAllow = true
				case literal:
					allowLiteral = append(allowLiteral, name)
				default:
					allowPrefix = append(allowPrefix, name)
				}
			}
		}
		return wildcardDeny, wildcardAllow
	}
	litDeny, litAllow := collect(ti.literal, true)
	collect(ti.prefixed, false)
	switch {
	case litDeny:
		return false
	case litAllow:
		return true
	}
	for _, name := range allowLiteral {
		if !denyLiteral[name] && !deniedByPrefix(name, denyPrefix) {
			return true
		}
	}
	for _, name := range allowPrefix {
		if !deniedByPrefix(name, denyPrefix) {
			return true
		}
	}
	return false
}

// deniedByPrefix reports whether a DENY prefix covers name.
func deniedByPrefix(name string, denyPrefix map[string]bool) bool {
	for i := 1; i <= len(name); i++ {
		if denyPrefix[name[:i]] {
			return true
		}
	}
	return false
}
