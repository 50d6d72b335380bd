package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// Match types of a DescribeClientQuotas filter component.
const (
	QuotaMatchExact   int8 = 0 // the entity of the type named Match
	QuotaMatchDefault int8 = 1 // the default entity of the type
	QuotaMatchAny     int8 = 2 // any entity of the type (Kafka's MATCH_TYPE_SPECIFIED)
)

// QuotaFilterComponent restricts one entity type.
type QuotaFilterComponent struct {
	EntityType string
	MatchType  int8
	Match      *string
}

// quotaFilter is a validated filter: types matched exactly (a nil name is
// the default entity) and types that need only be present.
type quotaFilter struct {
	exact   map[string]*string
	present map[string]bool
	strict  bool
}

// DescribeClientQuotas returns the entities with quotas that match every
// component; strict also excludes entities with types the filter does not
// name. An invalid filter fails the whole request, as in Kafka.
func (b *Broker) DescribeClientQuotas(components []QuotaFilterComponent, strict bool) ([]EntityQuotas, error) {
	f, err := newQuotaFilter(components, strict)
	if err != nil {
		return nil, err
	}
	var out []EntityQuotas
	for _, e := range b.quotas.All() {
		if f.matches(e.Entity) {
			out = append(out, e)
		}
	}
	return out, nil
}

func newQuotaFilter(components []QuotaFilterComponent, strict bool) (quotaFilter, error) {
	f := quotaFilter{exact: make(map[string]*string), present: make(map[string]bool), strict: strict}
	for _, c := range components {
		if err := f.add(c); err != nil {
			return quotaFilter{}, err
		}
	}
	_, ip := f.exact[QuotaIP]
	if ip || f.present[QuotaIP] {
		if len(f.exact)+len(f.present) > 1 {
			return quotaFilter{}, errorf(kerr.InvalidRequest, "Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.")
		}
	}
	return f, nil
}

func (f *quotaFilter) add(c QuotaFilterComponent) error {
	t := c.EntityType
	_, exact := f.exact[t]
	switch {
	case t == "":
		return errorf(kerr.InvalidRequest, "Invalid empty entity type.")
	case exact || f.present[t]:
		return errorf(kerr.InvalidRequest, "Entity type %s cannot appear more than once in the filter.", t)
	case t != QuotaUser && t != QuotaClientID && t != QuotaIP:
		return errorf(kerr.UnsupportedVersion, "Unsupported entity type %s", t)
	}
	switch c.MatchType {
	case QuotaMatchExact:
		if c.Match == nil {
			return errorf(kerr.InvalidRequest, "Request specified MATCH_TYPE_EXACT, but set match string to null.")
		}
		f.exact[t] = c.Match
	case QuotaMatchDefault:
		if c.Match != nil {
			return errorf(kerr.InvalidRequest, "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.")
		}
		f.exact[t] = nil
	case QuotaMatchAny:
		if c.Match != nil {
			return errorf(kerr.InvalidRequest, "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.")
		}
		f.present[t] = true
	default:
		return errorf(kerr.InvalidRequest, "Unknown match type %d", c.MatchType)
	}
	return nil
}

func (f quotaFilter) matches(e QuotaEntity) bool {
	if f.strict && len(e) != len(f.exact)+len(f.present) {
		return false
	}
	names := make(map[string]*string, len(e))
	for _, p := range e {
		names[p.Type] = p.Name
	}
	for t, want := range f.exact {
		got, ok := names[t]
		if !ok || (got == nil) != (want == nil) || (got != nil && *got != *want) {
			return false
		}
	}
	for t := range f.present {
		if _, ok := names[t]; !ok {
			return false
		}
	}
	return true
}
