package broker

import (
	"math"
	"time"

	"github.com/samsa-streaming/samsa/internal/quota"
)

// Byte-rate quotas are enforced as Kafka's ClientQuotaManager does: each
// request looks up the quota that applies to its (user, client id) in the
// stored quotas, so an AlterClientQuotas applies from the next request,
// and its bytes are measured with internal/quota. The front end answers
// with the throttle time returned here and mutes the connection for it.
// request_percentage and controller_mutation_rate are stored only.

// The quota keys enforced.
const (
	producerByteRate = "producer_byte_rate"
	consumerByteRate = "consumer_byte_rate"
)

// QuotaClient is who a request is accounted to: the name of its
// connection's principal (ANONYMOUS when unauthenticated; only the name
// counts, as in Kafka) and the client id of its header ("" if null).
type QuotaClient struct {
	User     string
	ClientID string
}

// ClientQuota is the byte-rate quota one request is accounted to, looked
// up when the request arrives. The zero ClientQuota is no quota.
type ClientQuota struct {
	rates *quota.Tracker // nil: no quota applies
	id    quota.ID
	bound float64 // bytes per second
	// unlessThrottled: the bytes are not served when throttled (fetch).
	unlessThrottled bool
}

// ProduceQuota is the producer_byte_rate quota c's produce requests count
// against: their size, as Kafka counts it, whatever was appended.
func (b *Broker) ProduceQuota(c QuotaClient) ClientQuota {
	return b.clientQuota(producerByteRate, c)
}

// FetchQuota is the consumer_byte_rate quota c's fetch responses count
// against. A throttled fetch must be answered empty: its bytes are not
// counted.
func (b *Broker) FetchQuota(c QuotaClient) ClientQuota {
	q := b.clientQuota(consumerByteRate, c)
	q.unlessThrottled = true
	return q
}

func (b *Broker) clientQuota(key string, c QuotaClient) ClientQuota {
	idx := b.quotaIndex(key)
	if len(idx) == 0 {
		return ClientQuota{} // the common case: nothing to measure
	}
	id, bound, ok := idx.resolve(c)
	if !ok {
		return ClientQuota{}
	}
	rates := b.quotaRates().produce
	if key == consumerByteRate {
		rates = b.quotaRates().fetch
	}
	return ClientQuota{rates: rates, id: id, bound: bound}
}

// Record accounts n bytes and returns how long the client must be
// throttled: zero within the quota or without one.
func (q ClientQuota) Record(n int) time.Duration {
	switch {
	case q.rates == nil:
		return 0
	case q.unlessThrottled:
		return q.rates.RecordUnlessThrottled(q.id, q.bound, float64(n))
	}
	return q.rates.Record(q.id, q.bound, float64(n))
}

// MaxBytes is the largest response the quota lets through without a
// certain throttle (10 s of quota with Kafka's default window);
// math.MaxInt32 without a quota. Kafka caps a fetch's max bytes with it,
// so that a consumer is not handed a response it will be throttled for
// however long it waited.
func (q ClientQuota) MaxBytes() int32 {
	if q.rates == nil {
		return math.MaxInt32
	}
	return int32(min(q.rates.Config().MaxValueInWindow(q.bound), math.MaxInt32))
}
