package clients

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Byte-rate quotas with franz-go: a client over its quota is throttled
// (KIP-219: the response says for how long, kgo waits it out) so that its
// rate stays near the quota; other clients are not, and removing the quota
// lifts it.
//
// The bounds allow for how Kafka measures a rate: over 11 windows of 1 s,
// a client it has not measured before counting as idle for the 10 before
// its first request, so it may spend 10 s of quota at once. Over a test of
// a few seconds its bytes are bounded by the quota times (elapsed + 10 s),
// and after its first throttle by the quota times the time since.

const (
	quotaRate      = 64 << 10 // bytes per second
	quotaTestBytes = 4 << 20  // what an unthrottled client moves well within quotaTestTime
	quotaTestTime  = 4 * time.Second
)

// throttles is a kgo hook that notes when the broker throttled the client.
type throttles struct {
	mu    sync.Mutex
	first time.Time
	n     int
}

func (h *throttles) OnBrokerThrottle(_ kgo.BrokerMetadata, d time.Duration, _ bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d > 0 && h.n == 0 {
		h.first = time.Now()
	}
	h.n++
}

func (h *throttles) get() (int, time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n, h.first
}

// progress is bytes a client moved, with when each piece arrived.
type progress struct {
	mu    sync.Mutex
	start time.Time
	at    []time.Time
	bytes []int
}

func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.bytes = append(p.at, time.Now()), append(p.bytes, n)
}

func (p *progress) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := 0
	for _, n := range p.bytes {
		sum += n
	}
	return sum
}

// between sums the bytes that arrived in [from, to).
func (p *progress) between(from, to time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := 0
	for i, at := range p.at {
		if !at.Before(from) && at.Before(to) {
			sum += p.bytes[i]
		}
	}
	return sum
}

func setClientQuota(t *testing.T, adm *kadm.Client, clientID, key string, value float64) {
	t.Helper()
	entity := kadm.ClientQuotaEntity{{Type: "client-id", Name: &clientID}}
	op := kadm.AlterClientQuotaOp{Key: key, Value: value, Remove: value == 0}
	res, err := adm.AlterClientQuotas(testContext(t), []kadm.AlterClientQuotaEntry{{Entity: entity, Ops: []kadm.AlterClientQuotaOp{op}}})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		t.Fatalf("setting %s=%v for client %s: %v", key, value, clientID, err)
	}
}

// checkQuotaKept asserts a throttled client stayed near the quota over
// [p.start, end), and that it was throttled at all.
func checkQuotaKept(t *testing.T, p *progress, h *throttles, end time.Time) {
	t.Helper()
	n, first := h.get()
	if n == 0 {
		t.Fatal("the throttle hook never fired")
	}
	elapsed := end.Sub(p.start)
	total := p.between(p.start, end)
	if budget := 2 * quotaRate * (elapsed + 10*time.Second).Seconds(); float64(total) > budget {
		t.Errorf("moved %d bytes in %v: more than twice the quota over that time plus Kafka's 10 s allowance (%.0f)", total, elapsed, budget)
	}
	if since := end.Sub(first); since > time.Second {
		if rate := float64(p.between(first, end)) / since.Seconds(); rate > 2*quotaRate {
			t.Errorf("%.0f B/s in the %v after the first throttle, more than twice the quota %d", rate, since, quotaRate)
		}
	}
	t.Logf("%d bytes in %v, %d throttles, the first after %v", total, elapsed, n, first.Sub(p.start))
}

func quotaProducer(t *testing.T, addr, clientID string, h *throttles) *kgo.Client {
	return newClient(t, addr, kgo.ClientID(clientID), kgo.WithHooks(h), kgo.DefaultProduceTopic("quota"),
		kgo.RequiredAcks(kgo.LeaderAck()), kgo.ProducerBatchCompression(kgo.NoCompression()), // quotas count wire bytes
		kgo.ProducerBatchMaxBytes(16<<10), kgo.MaxBufferedBytes(256<<10))
}

// produceFor produces 1 KiB records until quotaTestBytes are acknowledged
// or quotaTestTime passes, and returns when it stopped.
func produceFor(t *testing.T, cl *kgo.Client, p *progress) time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(testContext(t), quotaTestTime)
	defer cancel()
	value := make([]byte, 1<<10)
	p.start = time.Now()
	for ctx.Err() == nil && p.total() < quotaTestBytes {
		cl.Produce(ctx, &kgo.Record{Value: value}, func(r *kgo.Record, err error) {
			if err == nil {
				p.add(len(r.Value))
			}
		})
	}
	end := time.Now()
	abortCtx, cancelAbort := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelAbort()
	cl.AbortBufferedRecords(abortCtx) // drop what the quota held back
	return end
}

func TestProduceQuota(t *testing.T) {
	b, adm := startBroker(t)
	createTopic(t, adm, "quota", 1, nil)
	setClientQuota(t, adm, "slow-producer", "producer_byte_rate", quotaRate)

	var slow throttles
	var slowProgress progress
	end := produceFor(t, quotaProducer(t, b.Addr(), "slow-producer", &slow), &slowProgress)
	checkQuotaKept(t, &slowProgress, &slow, end)

	unthrottled := func(name, clientID string) {
		t.Helper()
		var h throttles
		var p progress
		end := produceFor(t, quotaProducer(t, b.Addr(), clientID, &h), &p)
		if n, _ := h.get(); n != 0 {
			t.Errorf("%s: throttled %d times", name, n)
		}
		if got := p.between(p.start, end); got < quotaTestBytes {
			t.Errorf("%s: produced %d bytes in %v, want %d", name, got, end.Sub(p.start), quotaTestBytes)
		}
	}
	unthrottled("client without a quota", "other-producer")
	setClientQuota(t, adm, "slow-producer", "producer_byte_rate", 0)
	unthrottled("after removing the quota", "slow-producer")
}

func quotaConsumer(t *testing.T, addr, clientID string, h *throttles) *kgo.Client {
	return newClient(t, addr, kgo.ClientID(clientID), kgo.WithHooks(h),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"quota": {0: kgo.NewOffset().AtStart()}}),
		kgo.FetchMaxBytes(16<<10), kgo.FetchMaxPartitionBytes(16<<10))
}

// consumeFor consumes until quotaTestBytes of values arrived or
// quotaTestTime passes, and returns when it stopped.
func consumeFor(t *testing.T, cl *kgo.Client, p *progress) time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(testContext(t), quotaTestTime)
	defer cancel()
	p.start = time.Now()
	for got := 0; got < quotaTestBytes; {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		if err := fs.Err(); err != nil {
			t.Fatalf("fetch: %v", err)
		}
		n := 0
		fs.EachRecord(func(r *kgo.Record) { n += len(r.Value) })
		p.add(n)
		got += n
	}
	return time.Now()
}

func TestFetchQuota(t *testing.T) {
	b, adm := startBroker(t)
	createTopic(t, adm, "quota", 1, nil)
	var loaded progress
	if produceFor(t, quotaProducer(t, b.Addr(), "loader", &throttles{}), &loaded); loaded.total() < quotaTestBytes {
		t.Fatalf("loaded %d bytes, want %d", loaded.total(), quotaTestBytes)
	}
	setClientQuota(t, adm, "slow-consumer", "consumer_byte_rate", quotaRate)

	var slow throttles
	var slowProgress progress
	end := consumeFor(t, quotaConsumer(t, b.Addr(), "slow-consumer", &slow), &slowProgress)
	checkQuotaKept(t, &slowProgress, &slow, end)

	unthrottled := func(name, clientID string) {
		t.Helper()
		var h throttles
		var p progress
		end := consumeFor(t, quotaConsumer(t, b.Addr(), clientID, &h), &p)
		if n, _ := h.get(); n != 0 {
			t.Errorf("%s: throttled %d times", name, n)
		}
		if got := p.between(p.start, end); got < quotaTestBytes {
			t.Errorf("%s: consumed %d bytes in %v, want %d", name, got, end.Sub(p.start), quotaTestBytes)
		}
	}
	unthrottled("client without a quota", "other-consumer")
	setClientQuota(t, adm, "slow-consumer", "consumer_byte_rate", 0)
	unthrottled("after removing the quota", "slow-consumer")
}
