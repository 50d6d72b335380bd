package broker

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/samsa-streaming/samsa/internal/quota"
)

// quotaWindow is Kafka's default quota window (quota.window.num 11,
// quota.window.size.seconds 1); the two properties are not configurable.
var quotaWindow = quota.DefaultConfig()

// quotaRates is one broker's measured client rates, shared by all its
// listeners and connections.
type quotaRates struct {
	produce *quota.Tracker
	fetch   *quota.Tracker

	// index is the stored quotas indexed for lookups, rebuilt under
	// indexMu by every change (applyQuotas), so the produce and fetch
	// paths never scan the store.
	indexMu sync.Mutex
	index   atomic.Pointer[quotaIndexes]
}

type quotaIndexes struct{ produce, fetch quotaIndex }

// quotaIndex returns the index of key's quotas, building it on first use.
func (b *Broker) quotaIndex(key string) quotaIndex {
	ix := b.rates.index.Load()
	if ix == nil {
		b.rates.indexMu.Lock()
		if ix = b.rates.index.Load(); ix == nil {
			ix = b.buildQuotaIndexesLocked()
		}
		b.rates.indexMu.Unlock()
	}
	if key == consumerByteRate {
		return ix.fetch
	}
	return ix.produce
}

func (b *Broker) buildQuotaIndexesLocked() *quotaIndexes {
	all := b.quotas.All()
	ix := &quotaIndexes{produce: newQuotaIndex(all, producerByteRate), fetch: newQuotaIndex(all, consumerByteRate)}
	b.rates.index.Store(ix)
	return ix
}

// newQuotaRates makes a broker's rates and registers their metrics. A
// second broker on the same metrics (tests only) keeps its rates out of
// them rather than failing.
func (b *Broker) newQuotaRates() *quotaRates {
	r := &quotaRates{
		produce: quota.NewTracker(quotaWindow, b.now),
		fetch:   quota.NewTracker(quotaWindow, b.now),
	}
	_ = b.metrics.Registry.Register(quotaCollector{r})
	return r
}

func (b *Broker) quotaRates() *quotaRates { return b.rates }

// Kafka's per user/client-id quota metrics (byte-rate, throttle-time),
// for the clients a byte-rate quota applies to.
var (
	quotaByteRateDesc = prometheus.NewDesc("samsa_quota_byte_rate",
		"Bytes per second of clients under a byte-rate quota, as the quota measures them, by quota (produce, fetch), user and client id (empty where the quota is shared).",
		[]string{"quota", "user", "client_id"}, nil)
	quotaThrottleDesc = prometheus.NewDesc("samsa_quota_throttle_seconds_total",
		"Throttle time imposed on clients for exceeding a byte-rate quota, by quota, user and client id.",
		[]string{"quota", "user", "client_id"}, nil)
)

// quotaCollector exports the rates' state at each scrape; rates unused
// for an hour are dropped, and their series with them.
type quotaCollector struct{ rates *quotaRates }

func (c quotaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- quotaByteRateDesc
	ch <- quotaThrottleDesc
}

func (c quotaCollector) Collect(ch chan<- prometheus.Metric) {
	for kind, tr := range map[string]*quota.Tracker{"produce": c.rates.produce, "fetch": c.rates.fetch} {
		for _, s := range tr.Stats() {
			ch <- prometheus.MustNewConstMetric(quotaByteRateDesc, prometheus.GaugeValue, s.Rate, kind, s.User, s.ClientID)
			ch <- prometheus.MustNewConstMetric(quotaThrottleDesc, prometheus.CounterValue, s.Throttled.Seconds(), kind, s.User, s.ClientID)
		}
	}
}
