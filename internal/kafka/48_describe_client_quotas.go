package kafka

import (
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// DescribeClientQuotas v0-1
//
// Behavior (as a Kafka 4 broker answers it from its metadata image):
//   - The entities with quotas (set by AlterClientQuotas, kept in the data
//     directory) matching every filter component: exact (0) the entity of
//     the type with that name, default (1) the type's default entity, any
//     (2) any entity with the type. Strict also drops entities with types
//     the filter does not name. No components and not strict: all.
//   - An invalid filter fails the request (top-level error and message, no
//     entries): INVALID_REQUEST for an empty or repeated type, a match
//     string given with default or any or missing with exact, an unknown
//     match type, or ip combined with user or client-id;
//     UNSUPPORTED_VERSION for a type other than user, client-id, ip.
//   - producer_byte_rate and consumer_byte_rate are enforced from the next
//     request (throttle.go); the other keys are stored only.
//
// Version notes: v1 flexible.
func (c *conn) handleDescribeClientQuotas(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeClientQuotasRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClientQuotasResponse)
	components := make([]broker.QuotaFilterComponent, len(req.Components))
	for i, comp := range req.Components {
		components[i] = broker.QuotaFilterComponent{EntityType: comp.EntityType, MatchType: int8(comp.MatchType), Match: comp.Match}
	}
	found, err := c.s.b.DescribeClientQuotas(components, req.Strict)
	if err != nil {
		resp.ErrorCode, resp.ErrorMessage = r.code(err), message(err)
		return respond(resp)
	}
	resp.Entries = []kmsg.DescribeClientQuotasResponseEntry{} // an empty answer is not an error's null
	for _, e := range found {
		resp.Entries = append(resp.Entries, describedQuotas(e))
	}
	return respond(resp)
}

func describedQuotas(e broker.EntityQuotas) kmsg.DescribeClientQuotasResponseEntry {
	entry := kmsg.NewDescribeClientQuotasResponseEntry()
	for _, p := range e.Entity {
		ent := kmsg.NewDescribeClientQuotasResponseEntryEntity()
		ent.Type, ent.Name = p.Type, p.Name
		entry.Entity = append(entry.Entity, ent)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Values)) {
		v := kmsg.NewDescribeClientQuotasResponseEntryValue()
		v.Key, v.Value = k, e.Values[k]
		entry.Values = append(entry.Values, v)
	}
	return entry
}
