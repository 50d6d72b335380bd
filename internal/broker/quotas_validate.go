package broker

import (
	"context"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/meta"
)

// Validation of AlterClientQuotas, with the checks and messages of Kafka
// 4's controller (ClientQuotaControlManager).

// quotaType is the ConfigDef type Kafka gives a quota key, which decides
// the values it accepts.
type quotaType int

const (
	quotaDouble quotaType = iota
	quotaInt
	quotaLong
)

// Kafka's QuotaConfig: the keys a user and/or client-id entity takes, and
// the one an ip entity takes.
var (
	userClientQuotaKeys = map[string]quotaType{
		"producer_byte_rate":       quotaLong,
		"consumer_byte_rate":       quotaLong,
		"request_percentage":       quotaDouble,
		"controller_mutation_rate": quotaDouble,
	}
	ipQuotaKeys = map[string]quotaType{"connection_creation_rate": quotaInt}
)

// ipLookupTimeout bounds resolving an ip entity given as a host name.
const ipLookupTimeout = 5 * time.Second

// quotaChange checks one alteration in the order Kafka's controller does:
// repeated keys, repeated entity, the entity, then each value.
func quotaChange(ctx context.Context, a QuotaAlteration, seen map[string]bool) (meta.QuotaChange, error) {
	key := a.Entity.Key()
	dupKey := repeatedQuotaKey(a.Ops)
	repeat := seen[key]
	seen[key] = true
	switch {
	case dupKey != "":
		return meta.QuotaChange{}, errorf(kerr.InvalidRequest, "duplicate quota key %s not updating quota for this entity", dupKey)
	case repeat:
		return meta.QuotaChange{}, errorf(kerr.InvalidRequest, "ignoring duplicate entity %s", describeEntity(a.Entity))
	}
	keys, err := quotaKeysFor(ctx, a.Entity)
	if err != nil {
		return meta.QuotaChange{}, err
	}
	c := meta.QuotaChange{Entity: a.Entity, Set: make(map[string]float64)}
	for _, op := range a.Ops {
		if op.Remove {
			c.Remove = append(c.Remove, op.Key)
			continue
		}
		if err := checkQuotaValue(keys, op.Key, op.Value); err != nil {
			return meta.QuotaChange{}, err
		}
		c.Set[op.Key] = op.Value
	}
	return c, nil
}

func repeatedQuotaKey(ops []QuotaOp) string {
	keys := make(map[string]bool, len(ops))
	for _, op := range ops {
		if keys[op.Key] {
			return op.Key
		}
		keys[op.Key] = true
	}
	return ""
}

// quotaKeysFor validates an entity and returns the quota keys it takes.
func quotaKeysFor(ctx context.Context, e QuotaEntity) (map[string]quotaType, error) {
	if len(e) == 0 {
		return nil, errorf(kerr.InvalidRequest, "Invalid empty client quota entity")
	}
	names := make(map[string]*string, len(e))
	for _, p := range e {
		if _, dup := names[p.Type]; dup {
			return nil, errorf(kerr.InvalidRequest, "Invalid client quota entity, duplicate entity entry %s", p.Type)
		}
		if p.Type != QuotaUser && p.Type != QuotaClientID && p.Type != QuotaIP {
			return nil, errorf(kerr.InvalidRequest, "Unhandled client quota entity type: %s", p.Type)
		}
		if p.Name != nil && *p.Name == "" {
			return nil, errorf(kerr.InvalidRequest, "Empty %s not supported", p.Type)
		}
		names[p.Type] = p.Name
	}
	ip, hasIP := names[QuotaIP]
	if !hasIP {
		return userClientQuotaKeys, nil
	}
	if len(names) > 1 {
		return nil, errorf(kerr.InvalidRequest, "Invalid quota entity combination, IP entity should not be combined with User or ClientId")
	}
	if ip != nil && !resolvable(ctx, *ip) {
		return nil, errorf(kerr.InvalidRequest, "%s is not a valid IP or resolvable host.", *ip)
	}
	return ipQuotaKeys, nil
}

// resolvable reports whether host is an IP address or a name that
// resolves, which is what Kafka (InetAddress.getByName) accepts.
func resolvable(ctx context.Context, host string) bool {
	if net.ParseIP(host) != nil {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, ipLookupTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	return err == nil && len(addrs) > 0
}

func checkQuotaValue(keys map[string]quotaType, key string, v float64) error {
	typ, ok := keys[key]
	if !ok {
		return errorf(kerr.InvalidRequest, "Invalid configuration key %s", key)
	}
	if v <= 0 {
		return errorf(kerr.InvalidRequest, "Quota %s must be greater than 0", key)
	}
	// Kafka lets NaN and infinities through some of these checks; they
	// cannot be stored (or meant), so they are refused here.
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errorf(kerr.InvalidRequest, "Quota %s must be a finite number", key)
	}
	switch {
	case typ == quotaInt && v > math.MaxInt32:
		return errorf(kerr.InvalidRequest, "Proposed value for %s is too large for an INT.", key)
	case typ == quotaLong && v > math.MaxInt64:
		return errorf(kerr.InvalidRequest, "Proposed value for %s is too large for a LONG.", key)
	case typ != quotaDouble && math.Abs(math.Mod(v, 1)) > 1e-6:
		return errorf(kerr.InvalidRequest, "%s cannot be a fractional value.", key)
	}
	return nil
}

func describeEntity(e QuotaEntity) string {
	s := "ClientQuotaEntity("
	for i, p := range e.Sorted() {
		if i > 0 {
			s += ", "
		}
		name := "<default>"
		if p.Name != nil {
			name = *p.Name
		}
		s += fmt.Sprintf("%s=%s", p.Type, name)
	}
	return s + ")"
}
