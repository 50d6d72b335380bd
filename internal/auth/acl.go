package auth

import (
	"fmt"
	"strings"
)

// Kafka's ACL model (org.apache.kafka.common.acl and .resource): an ACL
// binds a resource pattern (type, name, literal or prefixed) to an entry
// (principal, host, operation, ALLOW or DENY). The numeric codes are
// Kafka's wire codes; UNKNOWN (0) and ANY (1) appear only in filters.

// ResourceType is the kind of resource an ACL protects.
type ResourceType int8

const (
	ResourceUnknown         ResourceType = 0
	ResourceAny             ResourceType = 1 // filters only
	ResourceTopic           ResourceType = 2
	ResourceGroup           ResourceType = 3
	ResourceCluster         ResourceType = 4
	ResourceTransactionalID ResourceType = 5
	ResourceDelegationToken ResourceType = 6
	ResourceUser            ResourceType = 7
)

// PatternType says how an ACL's resource name matches resource names.
type PatternType int8

const (
	PatternUnknown  PatternType = 0
	PatternAny      PatternType = 1 // filters only: any pattern type, names compared exactly
	PatternMatch    PatternType = 2 // filters only: the patterns that would match the name
	PatternLiteral  PatternType = 3 // the exact name, or every name if the name is "*"
	PatternPrefixed PatternType = 4 // every name starting with the name
)

// Operation is what an ACL allows or denies.
type Operation int8

const (
	OpUnknown         Operation = 0
	OpAny             Operation = 1 // filters only
	OpAll             Operation = 2
	OpRead            Operation = 3
	OpWrite           Operation = 4
	OpCreate          Operation = 5
	OpDelete          Operation = 6
	OpAlter           Operation = 7
	OpDescribe        Operation = 8
	OpClusterAction   Operation = 9
	OpDescribeConfigs Operation = 10
	OpAlterConfigs    Operation = 11
	OpIdempotentWrite Operation = 12
	OpCreateTokens    Operation = 13
	OpDescribeTokens  Operation = 14
	OpTwoPhaseCommit  Operation = 15 // Kafka 4.1, KIP-939
)

// Permission is whether a matching ACL allows or denies.
type Permission int8

const (
	PermissionUnknown Permission = 0
	PermissionAny     Permission = 1 // filters only
	PermissionDeny    Permission = 2
	PermissionAllow   Permission = 3
)

// ClusterName is the name of the one CLUSTER resource, as in Kafka.
const ClusterName = "kafka-cluster"

// Wildcard is the literal resource name, principal name or host that
// matches every name, principal or host.
const Wildcard = "*"

// Resource is one concrete resource a request acts on.
type Resource struct {
	Type ResourceType
	Name string
}

// Cluster is the CLUSTER resource.
var Cluster = Resource{Type: ResourceCluster, Name: ClusterName}

// ACL is one access control entry bound to a resource pattern: Kafka's
// AclBinding. Principal is "Type:Name" (User:alice, User:* for everyone);
// Host is an IP address or "*".
type ACL struct {
	ResourceType ResourceType `json:"resource_type"`
	ResourceName string       `json:"resource_name"`
	PatternType  PatternType  `json:"pattern_type"`
	Principal    string       `json:"principal"`
	Host         string       `json:"host"`
	Operation    Operation    `json:"operation"`
	Permission   Permission   `json:"permission"`
}

// Validate applies the checks Kafka's controller makes before creating an
// ACL (AclControlManager.validateNewAcl and CreateAclsRequest), returning
// the message of the INVALID_REQUEST it answers.
func (a ACL) Validate() error {
	switch {
	case !a.ResourceType.concrete():
		return fmt.Errorf("Invalid resourceType %s", a.ResourceType)
	case a.PatternType != PatternLiteral && a.PatternType != PatternPrefixed:
		return fmt.Errorf("Invalid patternType %s", a.PatternType)
	case !a.Operation.concrete():
		return fmt.Errorf("Invalid operation %s", a.Operation)
	case a.Permission != PermissionAllow && a.Permission != PermissionDeny:
		return fmt.Errorf("Invalid permissionType %s", a.Permission)
	case a.ResourceName == "":
		return fmt.Errorf("Resource name should not be empty")
	case a.ResourceType == ResourceCluster && a.ResourceName != ClusterName:
		return fmt.Errorf("The only valid name for the CLUSTER resource is %s", ClusterName)
	}
	if _, ok := ParsePrincipal(a.Principal); !ok {
		return fmt.Errorf("Could not parse principal from `%s` (no colon is present separating the principal type from the principal name)", a.Principal)
	}
	return nil
}

// ParsePrincipal parses Kafka's "Type:Name" form.
func ParsePrincipal(s string) (Principal, bool) {
	typ, name, ok := strings.Cut(s, ":")
	if !ok || typ == "" {
		return Principal{}, false
	}
	return Principal{Type: typ, Name: name}, true
}

func (t ResourceType) concrete() bool { return t >= ResourceTopic && t <= ResourceUser }
func (o Operation) concrete() bool    { return o >= OpAll && o <= OpTwoPhaseCommit }

// known reports whether a filter may use the value: Kafka refuses filters
// with UNKNOWN (or unrecognised) elements.
func (t ResourceType) known() bool { return t >= ResourceAny && t <= ResourceUser }
func (p PatternType) known() bool  { return p >= PatternAny && p <= PatternPrefixed }
func (o Operation) known() bool    { return o >= OpAny && o <= OpTwoPhaseCommit }
func (p Permission) known() bool   { return p >= PermissionAny && p <= PermissionAllow }

// SupportedOperations are the operations Kafka reports in "authorized
// operations" fields for a resource type (AclEntry.supportedOperations),
// in code order. Deviation: groups leave out DESCRIBE_CONFIGS and
// ALTER_CONFIGS, since Samsa has no group configs.
func SupportedOperations(t ResourceType) []Operation {
	switch t {
	case ResourceTopic:
		return []Operation{OpRead, OpWrite, OpCreate, OpDelete, OpAlter, OpDescribe, OpDescribeConfigs, OpAlterConfigs}
	case ResourceGroup:
		return []Operation{OpRead, OpDelete, OpDescribe}
	case ResourceCluster:
		return []Operation{OpCreate, OpAlter, OpDescribe, OpClusterAction, OpDescribeConfigs, OpAlterConfigs, OpIdempotentWrite}
	case ResourceTransactionalID:
		return []Operation{OpWrite, OpDescribe, OpTwoPhaseCommit}
	case ResourceDelegationToken:
		return []Operation{OpDescribe}
	case ResourceUser:
		return []Operation{OpCreateTokens, OpDescribeTokens}
	}
	return nil
}
