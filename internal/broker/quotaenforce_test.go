package broker

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/config"
)

// quotaClock is a frozen clock tests move by hand.
type quotaClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *quotaClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *quotaClock) sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openWithClock(t testing.TB) (*Broker, *quotaClock) {
	t.Helper()
	cfg, err := config.NewBroker(nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := &quotaClock{t: time.UnixMilli(1_700_000_000_000)}
	b, err := Open(Options{DataDir: t.TempDir(), Config: cfg, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, clock
}

// quotaEntity parses "user=alice,client-id=<default>".
func quotaEntity(spec string) QuotaEntity {
	var e QuotaEntity
	for _, part := range strings.Split(spec, ",") {
		typ, name, _ := strings.Cut(part, "=")
		p := QuotaEntityPart{Type: typ}
		if name != "<default>" {
			p.Name = &name
		}
		e = append(e, p)
	}
	return e
}

// setQuota sets key on the entity, or removes it when value is 0.
func setQuota(t testing.TB, b *Broker, spec, key string, value float64) {
	t.Helper()
	op := QuotaOp{Key: key, Value: value, Remove: value == 0}
	errs := b.AlterClientQuotas(context.Background(), []QuotaAlteration{{Entity: quotaEntity(spec), Ops: []QuotaOp{op}}}, false)
	if errs[0] != nil {
		t.Fatalf("setting %s on %s: %v", key, spec, errs[0])
	}
}

// checkProduceQuota is Kafka's checkQuota: the bound that applies, then
// whether recording value*11 bytes at once is throttled.
func checkProduceQuota(t *testing.T, b *Broker, user, client string, bound float64, value int, throttled bool) {
	t.Helper()
	q := b.ProduceQuota(QuotaClient{User: user, ClientID: client})
	got := q.bound
	if q.rates == nil {
		got = math.Inf(1)
	}
	if got != bound {
		t.Fatalf("%s/%s: bound %v, want %v", user, client, got, bound)
	}
	if d := q.Record(value * quotaWindow.Samples); (d > 0) != throttled {
		t.Fatalf("%s/%s recording %d*11: throttled %v, want throttled=%v", user, client, value, d, throttled)
	}
}

// Kafka's ClientQuotaManagerTest.testQuotaConfigPrecedence, step by step:
// which quota applies, and which clients share a rate.
func TestQuotaPrecedence(t *testing.T) {
	b, _ := openWithClock(t)
	inf := math.Inf(1)
	for spec, v := range map[string]float64{
		"user=<default>":                     1000,
		"client-id=<default>":                2000,
		"user=<default>,client-id=<default>": 3000,
		"user=userA":                         4000,
		"user=userA,client-id=client1":       5000,
		"user=userB":                         6000,
		"user=userB,client-id=client1":       7000,
		"user=userB,client-id=<default>":     8000,
		"user=userC":                         10000,
		"client-id=client1":                  9000,
	} {
		setQuota(t, b, spec, producerByteRate, v)
	}
	check := func(user, client string, bound float64, value int, throttled bool) {
		t.Helper()
		checkProduceQuota(t, b, user, client, bound, value, throttled)
	}
	check("userA", "client1", 5000, 4500, false) // <user, client> over <user>
	check("userA", "client2", 4000, 4500, true)  // <user> over <client> and defaults
	check("userA", "client3", 4000, 0, true)     // <user> is shared by the user's clients
	check("userA", "client1", 5000, 0, false)    // <user, client> is its own

	check("userB", "client1", 7000, 8000, true)
	check("userB", "client2", 8000, 7000, false) // <user, default client>: each client alone
	check("userB", "client3", 8000, 7000, false)

	check("userD", "client1", 3000, 3500, true) // <default user, default client>
	check("userD", "client2", 3000, 2500, false)
	check("userE", "client1", 3000, 2500, false)

	setQuota(t, b, "user=<default>,client-id=<default>", producerByteRate, 0)
	check("userD", "client1", 1000, 0, false) // now measured per user: a new rate
	check("userE", "client4", 1000, 1500, true)
	check("userF", "client4", 1000, 800, false) // <default user> is shared by the user's clients
	check("userF", "client5", 1000, 800, true)

	setQuota(t, b, "user=<default>", producerByteRate, 0)
	check("userF", "client4", 2000, 0, false) // <default client>: each client id across users
	check("userF", "client5", 2000, 0, false)
	check("userF", "client5", 2000, 2500, true)
	check("userG", "client5", 2000, 0, true)

	setQuota(t, b, "user=userA", producerByteRate, 8000)
	setQuota(t, b, "user=userA,client-id=client1", producerByteRate, 10000)
	check("userA", "client2", 8000, 0, false)
	check("userA", "client2", 8000, 4500, true) // the new bytes add to the earlier ones
	check("userA", "client1", 10000, 0, false)
	check("userA", "client1", 10000, 6000, true)
	setQuota(t, b, "user=userA,client-id=client1", producerByteRate, 0)
	check("userA", "client6", 8000, 0, true) // the shared user rate
	setQuota(t, b, "user=userA,client-id=client6", producerByteRate, 11000)
	check("userA", "client6", 11000, 8500, false)
	setQuota(t, b, "user=userA,client-id=<default>", producerByteRate, 12000)
	setQuota(t, b, "user=userA,client-id=client6", producerByteRate, 0)
	check("userA", "client6", 12000, 4000, true) // same rate as under <userA, client6>

	check("ANONYMOUS", "", inf, 100000, false) // no client id and no user quota: no quota, as in Kafka
}

func TestQuotaKindsAreSeparate(t *testing.T) {
	b, _ := openWithClock(t)
	c := QuotaClient{User: "ANONYMOUS", ClientID: "app"}
	if d := b.ProduceQuota(c).Record(1 << 30); d != 0 {
		t.Fatalf("throttled %v without any quota", d)
	}
	if got := b.FetchQuota(c).MaxBytes(); got != math.MaxInt32 {
		t.Fatalf("fetch cap without a quota = %d", got)
	}
	setQuota(t, b, "client-id=app", consumerByteRate, 1000)
	if d := b.ProduceQuota(c).Record(1 << 30); d != 0 {
		t.Fatalf("produce throttled %v by a consumer quota", d)
	}
	if got := b.FetchQuota(c).MaxBytes(); got != 10_000 {
		t.Fatalf("fetch cap = %d, want 10 s of quota", got)
	}
	if d := b.FetchQuota(c).Record(10_000); d != 0 {
		t.Fatalf("a fetch of 10 s of quota throttled %v", d)
	}
	if d := b.FetchQuota(c).Record(5000); d != 5*time.Second {
		t.Fatalf("fetch over the quota throttled %v, want 5s", d)
	}
	// The throttled fetch's bytes were not counted: the rate is still at
	// the bound, so an empty fetch is not throttled.
	if d := b.FetchQuota(c).Record(0); d != 0 {
		t.Fatalf("empty fetch throttled %v", d)
	}
	setQuota(t, b, "client-id=app", consumerByteRate, 0)
	if d := b.FetchQuota(c).Record(1 << 30); d != 0 {
		t.Fatalf("throttled %v after the quota was removed", d)
	}
}

func TestQuotaThrottleFollowsTheClock(t *testing.T) {
	b, clock := openWithClock(t)
	setQuota(t, b, "user=<default>", producerByteRate, 1000)
	c := QuotaClient{User: "ANONYMOUS", ClientID: "app"}
	if d := b.ProduceQuota(c).Record(20_000); d != 10*time.Second {
		t.Fatalf("20 s of quota at once: throttled %v, want 10s", d)
	}
	clock.sleep(12 * time.Second) // the burst has left the window
	if d := b.ProduceQuota(c).Record(1000); d != 0 {
		t.Fatalf("throttled %v after the window passed", d)
	}
}

// The lookup runs once per produce and fetch request: with no quota set
// it must cost next to nothing, with a few it stays small.
func BenchmarkQuotaLookup(b *testing.B) {
	for _, entities := range []int{0, 20} {
		b.Run(fmt.Sprintf("entities=%d", entities), func(b *testing.B) {
			br, _ := openWithClock(b)
			for i := range entities {
				setQuota(b, br, fmt.Sprintf("user=u%d,client-id=c%d", i, i), producerByteRate, 1e9)
			}
			c := QuotaClient{User: "ANONYMOUS", ClientID: "app"}
			b.ReportAllocs()
			for b.Loop() {
				br.ProduceQuota(c).Record(1000)
			}
		})
	}
}

func TestQuotaMetrics(t *testing.T) {
	b, _ := openWithClock(t)
	setQuota(t, b, "client-id=app", producerByteRate, 1000)
	b.ProduceQuota(QuotaClient{User: "ANONYMOUS", ClientID: "app"}).Record(20_000) // 2000 B/s: throttled 10 s
	families, err := b.metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"samsa_quota_byte_rate": 2000, "samsa_quota_throttle_seconds_total": 10}
	for _, f := range families {
		v, ok := want[f.GetName()]
		if !ok {
			continue
		}
		delete(want, f.GetName())
		m := f.GetMetric()[0]
		got := m.GetGauge().GetValue() + m.GetCounter().GetValue()
		labels := fmt.Sprint(m.GetLabel())
		if len(f.GetMetric()) != 1 || got != v || !strings.Contains(labels, `value:"produce"`) || !strings.Contains(labels, `value:"app"`) {
			t.Errorf("%s: %v %s, want one produce series for client app at %v", f.GetName(), got, labels, v)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing metrics: %v", want)
	}
}
