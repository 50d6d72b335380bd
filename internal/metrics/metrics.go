// Package metrics declares the broker's Prometheus metrics and serves them,
// with a health check, on the admin HTTP listener. The broker core emits;
// this package only exports.
package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// maxKey bounds the API keys with pre-built series; higher keys share one.
const maxKey = 128

// Metrics is one broker's set of metrics, in its own registry so that
// several brokers in one process (tests) do not collide.
type Metrics struct {
	Registry *prometheus.Registry

	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	bytesIn  *prometheus.CounterVec
	bytesOut *prometheus.CounterVec

	// byKey caches each API key's series, created on first use so that
	// /metrics lists only the APIs clients actually called.
	byKey [maxKey]atomic.Pointer[apiSeries]
}

type apiSeries struct {
	requests prometheus.Counter
	errors   prometheus.Counter
	latency  prometheus.Observer
}

// New registers every metric in a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samsa_kafka_requests_total", Help: "Kafka requests handled, by API.",
		}, []string{"api"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samsa_kafka_request_errors_total", Help: "Kafka requests answered with at least one error code, by API.",
		}, []string{"api"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "samsa_kafka_request_duration_seconds",
			Help:    "Time from reading a Kafka request to writing its response, by API.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12),
		}, []string{"api"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samsa_topic_bytes_in_total", Help: "Record batch bytes appended, by topic.",
		}, []string{"topic"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samsa_topic_bytes_out_total", Help: "Record batch bytes served to fetches, by topic.",
		}, []string{"topic"}),
	}
	m.Registry.MustRegister(m.requests, m.errors, m.latency, m.bytesIn, m.bytesOut,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) series(key int16) *apiSeries {
	if key < 0 || key >= maxKey {
		key = maxKey - 1 // beyond every real key: shares "Unknown"
	}
	if s := m.byKey[key].Load(); s != nil {
		return s
	}
	name := kmsg.NameForKey(key)
	s := &apiSeries{
		requests: m.requests.WithLabelValues(name),
		errors:   m.errors.WithLabelValues(name),
		latency:  m.latency.WithLabelValues(name),
	}
	m.byKey[key].Store(s)
	return s
}

// ObserveRequest records one handled request.
func (m *Metrics) ObserveRequest(key int16, took time.Duration, failed bool) {
	s := m.series(key)
	s.requests.Inc()
	s.latency.Observe(took.Seconds())
	if failed {
		s.errors.Inc()
	}
}

// Topic returns the byte counters of one topic, to be kept by the caller
// so that the hot path does no label lookups.
func (m *Metrics) Topic(name string) TopicCounters {
	return TopicCounters{In: m.bytesIn.WithLabelValues(name), Out: m.bytesOut.WithLabelValues(name)}
}

// ForgetTopic drops a deleted topic's series.
func (m *Metrics) ForgetTopic(name string) {
	m.bytesIn.DeleteLabelValues(name)
	m.bytesOut.DeleteLabelValues(name)
}

// TopicCounters are one topic's byte counters.
type TopicCounters struct {
	In, Out prometheus.Counter
}
