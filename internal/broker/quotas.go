package broker

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/meta"
)

// Client quotas (KIP-546) are stored, validated and described as a Kafka
// 4 controller does, and survive restarts; the byte-rate quotas are
// enforced by quotaenforce*.go.

// Quota entity types.
const (
	QuotaUser     = "user"
	QuotaClientID = "client-id"
	QuotaIP       = "ip"
)

// Quota entities and values as the store keeps them.
type (
	QuotaEntity     = meta.QuotaEntity
	QuotaEntityPart = meta.QuotaEntityPart
	EntityQuotas    = meta.EntityQuotas
)

// QuotaOp sets (or with Remove, removes) one quota value.
type QuotaOp struct {
	Key    string
	Value  float64
	Remove bool
}

// QuotaAlteration is one entity's changes.
type QuotaAlteration struct {
	Entity QuotaEntity
	Ops    []QuotaOp
}

// AlterClientQuotas validates every alteration and applies the valid ones
// together (unless validateOnly), returning one error per alteration.
// An entity repeated in the request is applied once; its repeats fail.
func (b *Broker) AlterClientQuotas(ctx context.Context, alts []QuotaAlteration, validateOnly bool) []error {
	errs := make([]error, len(alts))
	seen := make(map[string]bool, len(alts))
	var changes []meta.QuotaChange
	var applied []int
	for i, a := range alts {
		c, err := quotaChange(ctx, a, seen)
		if errs[i] = err; err == nil {
			changes, applied = append(changes, c), append(applied, i)
		}
	}
	if validateOnly || len(changes) == 0 {
		return errs
	}
	err := b.applyQuotas(changes)
	for _, i := range applied {
		errs[i] = err
	}
	return errs
}

func (b *Broker) applyQuotas(changes []meta.QuotaChange) error {
	// The lookup index is rebuilt under the same lock, so a request never
	// keeps using quotas older than the last change.
	b.rates.indexMu.Lock()
	defer b.rates.indexMu.Unlock()
	defer b.buildQuotaIndexesLocked()
	if err := b.quotas.Apply(changes); err != nil {
		return errorf(kerr.KafkaStorageError, "%v", err)
	}
	return nil
}
