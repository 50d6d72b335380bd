package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// AlterClientQuotas v0-1
//
// Behavior (as a Kafka 4 controller answers it):
//   - Entities are user, client-id (alone or together) or ip; a null name
//     is the type's default entity. Their keys: producer_byte_rate,
//     consumer_byte_rate (whole numbers), request_percentage,
//     controller_mutation_rate for user/client-id; connection_creation_rate
//     (a whole number up to 2^31-1) for ip. Values must be above 0.
//   - Each entity gets its own answer; an invalid one is INVALID_REQUEST
//     with Kafka's message: empty entity, unknown or repeated type, empty
//     name, ip with user or client-id, an ip that is neither an address nor
//     a name that resolves, an unknown key, a bad value, a key twice. An
//     entity given twice is applied once; its repeats are INVALID_REQUEST.
//   - Remove deletes a value (unknown or unset keys are ignored, as in
//     Kafka); an entity left with no values is gone.
//   - The valid entities' changes are written to the data directory
//     together (fsynced) before the answer, and survive restarts.
//     ValidateOnly checks and changes nothing.
//   - Deviation: NaN and infinite values are refused (Kafka stores some).
//   - producer_byte_rate and consumer_byte_rate are enforced from the next
//     request (throttle.go); the other keys are stored only.
//
// Version notes: v1 flexible.
func (c *conn) handleAlterClientQuotas(r *request) outcome {
	req := r.kreq.(*kmsg.AlterClientQuotasRequest)
	resp := req.ResponseKind().(*kmsg.AlterClientQuotasResponse)
	alts := make([]broker.QuotaAlteration, len(req.Entries))
	for i, e := range req.Entries {
		alts[i] = quotaAlteration(e)
	}
	errs := c.s.b.AlterClientQuotas(c.ctx, alts, req.ValidateOnly)
	altered := 0
	for i, e := range req.Entries {
		if errs[i] == nil {
			altered++
		}
		entry := kmsg.NewAlterClientQuotasResponseEntry()
		entry.ErrorCode, entry.ErrorMessage = r.code(errs[i]), message(errs[i])
		for _, p := range e.Entity {
			ent := kmsg.NewAlterClientQuotasResponseEntryEntity()
			ent.Type, ent.Name = p.Type, p.Name
			entry.Entity = append(entry.Entity, ent)
		}
		resp.Entries = append(resp.Entries, entry)
	}
	if altered > 0 && !req.ValidateOnly {
		c.lg.Info("client quotas altered", "entities", altered)
	}
	return respond(resp)
}

func quotaAlteration(e kmsg.AlterClientQuotasRequestEntry) broker.QuotaAlteration {
	var a broker.QuotaAlteration
	for _, p := range e.Entity {
		a.Entity = append(a.Entity, broker.QuotaEntityPart{Type: p.Type, Name: p.Name})
	}
	for _, op := range e.Ops {
		a.Ops = append(a.Ops, broker.QuotaOp{Key: op.Key, Value: op.Value, Remove: op.Remove})
	}
	return a
}
