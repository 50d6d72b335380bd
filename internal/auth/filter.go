package auth

import "errors"

// Filter selects ACLs, as DescribeAcls and DeleteAcls send it (Kafka's
// AclBindingFilter). ANY matches every value of its field; a nil name,
// principal or host matches every one.
type Filter struct {
	ResourceType ResourceType
	ResourceName *string
	PatternType  PatternType
	Principal    *string
	Host         *string
	Operation    Operation
	Permission   Permission
}

// Validate refuses filters with UNKNOWN (or unrecognised) elements, which
// Kafka answers with INVALID_REQUEST.
func (f Filter) Validate() error {
	switch {
	case !f.ResourceType.known(), !f.PatternType.known():
		return errors.New("Unknown patternFilter.")
	case !f.Operation.known(), !f.Permission.known():
		return errors.New("Unknown entryFilter.")
	}
	return nil
}

// Matches reports whether a is selected by f: Kafka's
// ResourcePatternFilter.matches and AccessControlEntryFilter.matches.
func (f Filter) Matches(a ACL) bool {
	return f.matchesPattern(a) && f.matchesEntry(a)
}

func (f Filter) matchesPattern(a ACL) bool {
	if f.ResourceType != ResourceAny && f.ResourceType != a.ResourceType {
		return false
	}
	if f.PatternType != PatternAny && f.PatternType != PatternMatch && f.PatternType != a.PatternType {
		return false
	}
	if f.ResourceName == nil {
		return true
	}
	name := *f.ResourceName
	if f.PatternType == PatternAny || f.PatternType == a.PatternType {
		return name == a.ResourceName
	}
	// MATCH: the patterns that would apply to a resource with this name.
	switch a.PatternType {
	case PatternLiteral:
		return name == a.ResourceName || a.ResourceName == Wildcard
	case PatternPrefixed:
		return len(name) >= len(a.ResourceName) && name[:len(a.ResourceName)] == a.ResourceName
	}
	return false
}

func (f Filter) matchesEntry(a ACL) bool {
	switch {
	case f.Principal != nil && *f.Principal != a.Principal:
		return false
	case f.Host != nil && *f.Host != a.Host:
		return false
	case f.Operation != OpAny && f.Operation != a.Operation:
		return false
	}
	return f.Permission == PermissionAny || f.Permission == a.Permission
}
