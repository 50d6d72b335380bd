package auth

import (
	"fmt"
	"strings"
)

// Kafka's names for the ACL enums, as kafka-acls.sh prints them and as
// acls.json stores them (the codes are the slice indexes).
var (
	resourceTypeNames = []string{"UNKNOWN", "ANY", "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID", "DELEGATION_TOKEN", "USER"}
	patternTypeNames  = []string{"UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"}
	operationNames    = []string{"UNKNOWN", "ANY", "ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE",
		"CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "CREATE_TOKENS", "DESCRIBE_TOKENS", "TWO_PHASE_COMMIT"}
	permissionNames = []string{"UNKNOWN", "ANY", "DENY", "ALLOW"}
)

func (t ResourceType) String() string { return enumName(resourceTypeNames, int8(t)) }
func (p PatternType) String() string  { return enumName(patternTypeNames, int8(p)) }
func (o Operation) String() string    { return enumName(operationNames, int8(o)) }
func (p Permission) String() string   { return enumName(permissionNames, int8(p)) }

func (t ResourceType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }
func (p PatternType) MarshalText() ([]byte, error)  { return []byte(p.String()), nil }
func (o Operation) MarshalText() ([]byte, error)    { return []byte(o.String()), nil }
func (p Permission) MarshalText() ([]byte, error)   { return []byte(p.String()), nil }

func (t *ResourceType) UnmarshalText(b []byte) error {
	return parseEnum(resourceTypeNames, b, (*int8)(t))
}
func (p *PatternType) UnmarshalText(b []byte) error {
	return parseEnum(patternTypeNames, b, (*int8)(p))
}
func (o *Operation) UnmarshalText(b []byte) error  { return parseEnum(operationNames, b, (*int8)(o)) }
func (p *Permission) UnmarshalText(b []byte) error { return parseEnum(permissionNames, b, (*int8)(p)) }

func enumName(names []string, code int8) string {
	if code >= 0 && int(code) < len(names) {
		return names[code]
	}
	return fmt.Sprintf("UNKNOWN(%d)", code)
}

func parseEnum(names []string, b []byte, dst *int8) error {
	for i, n := range names {
		if strings.EqualFold(n, string(b)) {
			*dst = int8(i)
			return nil
		}
	}
	return fmt.Errorf("auth: unknown name %q", b)
}
