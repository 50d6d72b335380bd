package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type loadConfig struct {
	bytes    int64         // per produce load
	record   int           // value size
	rate     float64       // latency load, bytes per second
	duration time.Duration // latency load
}

// result is one run's measurements; throughput in MiB/s, memory in KiB.
type result struct {
	produce1, produce4, consume4 float64
	p50, p99                     time.Duration
	rssKB, hwmKB                 int64         // the broker's, after the loads
	brokerCPU, clientCPU         time.Duration // during the loads
}

func (r result) String() string {
	return fmt.Sprintf("produce 1p %.0f MiB/s, produce 4p %.0f MiB/s, consume 4p %.0f MiB/s, latency p50 %v p99 %v, "+
		"broker RSS %d MiB (peak %d MiB), CPU broker %.1fs client %.1fs",
		r.produce1, r.produce4, r.consume4, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
		r.rssKB>>10, r.hwmKB>>10, r.brokerCPU.Seconds(), r.clientCPU.Seconds())
}

// runTimeout bounds one run, so that a stuck broker fails the benchmark.
const runTimeout = 5 * time.Minute

// runOnce measures every load on a fresh broker process.
func runOnce(ctx context.Context, t target, cfg loadConfig) (r result, err error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	b, err := start(ctx, t, map[string]int32{"p1": 1, "p4": 4, "latency": 1})
	if err != nil {
		return r, err
	}
	defer func() {
		if serr := b.stop(); err == nil {
			err = serr
		}
	}()
	value := make([]byte, cfg.record)
	rand.Read(value)
	brokerCPU, clientCPU := b.cpu(), selfCPU()

	// Latency first, on the fresh broker: after the throughput loads kfake
	// holds 512 MiB on its heap and its garbage collection would dominate.
	if r.p50, r.p99, err = latency(ctx, b.addr, "latency", cfg, value); err != nil {
		return r, fmt.Errorf("latency: %w", err)
	}
	if r.produce1, err = produce(ctx, b.addr, "p1", 1, cfg.bytes, value); err != nil {
		return r, fmt.Errorf("produce 1p: %w", err)
	}
	if r.produce4, err = produce(ctx, b.addr, "p4", 4, cfg.bytes, value); err != nil {
		return r, fmt.Errorf("produce 4p: %w", err)
	}
	if r.consume4, err = consume(ctx, b.addr, "p4", 4, cfg.bytes/int64(len(value)), len(value)); err != nil {
		return r, fmt.Errorf("consume 4p: %w", err)
	}
	r.brokerCPU, r.clientCPU = b.cpu()-brokerCPU, selfCPU()-clientCPU
	m := b.memory()
	r.rssKB, r.hwmKB = m.rss, m.hwm
	return r, nil
}

// producers is how many clients a produce load spreads its records over,
// each fed by its own goroutine. kgo builds all of a client's produce
// requests to one broker in one goroutine (the broker's sink) and writes
// them on one connection, so that work is serial per client. Measured on
// the 2-core machine, 1 GiB loads, medians of interleaved rounds:
//
//	                       samsa 1p  4p   kfake 1p  4p  (MiB/s)
//	1 client                    637  634       496  471
//	2 clients                   693  748       465  574  (kfake 1p ahead in 4 of 6 rounds)
//	1 client, 2 goroutines      473  481       358  394  (vs 401 395 425 422 for 1 client)
//
// so 2 clients; 4 or 8 gained nothing over 2 for either target and cost
// more client CPU.
const producers = 2

// producer is the client every produce load uses (see the package doc).
func producer(addr string, extra ...kgo.Opt) (*kgo.Client, error) {
	return kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(addr),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.ProducerBatchMaxBytes(1 << 20),
		kgo.MaxBufferedBytes(64 << 20),
		kgo.MaxBufferedRecords(1 << 20), // so that the 64 MiB bind first
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	}, extra...)...)
}

// firstErr keeps the first error a promise reports.
type firstErr struct {
	once sync.Once
	err  error
}

func (f *firstErr) set(err error) {
	if err != nil {
		f.once.Do(func() { f.err = err })
	}
}

// produce writes total bytes of value records round robin over partitions,
// from producers clients, and returns MiB/s from the first Produce to the
// last acknowledgement.
func produce(ctx context.Context, addr, topic string, partitions int32, total int64, value []byte) (float64, error) {
	cls := make([]*kgo.Client, producers)
	for i := range cls {
		cl, err := producer(addr)
		if err != nil {
			return 0, err
		}
		defer cl.Close()
		if err := cl.Ping(ctx); err != nil {
			return 0, err
		}
		cls[i] = cl
	}
	var fe firstErr
	promise := func(_ *kgo.Record, err error) { fe.set(err) }
	n := total / int64(len(value))
	start := time.Now()
	var wg sync.WaitGroup
	for w, cl := range cls {
		// Client w takes records w, w+producers, ...: with 4 partitions
		// and 2 clients each client writes to 2 partitions.
		wg.Go(func() {
			for i := int64(w); i < n; i += producers {
				cl.Produce(ctx, &kgo.Record{Topic: topic, Partition: int32(i % int64(partitions)), Value: value}, promise)
			}
		})
	}
	wg.Wait()
	for _, cl := range cls {
		if err := cl.Flush(ctx); err != nil {
			return 0, err
		}
	}
	if fe.err != nil {
		return 0, fe.err
	}
	return mibPerSec(n*int64(len(value)), time.Since(start)), nil
}

// consume reads n records from the start of every partition and returns
// MiB/s of record values.
func consume(ctx context.Context, addr, topic string, partitions int32, n int64, size int) (float64, error) {
	offsets := make(map[int32]kgo.Offset)
	for p := range partitions {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}))
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	if err := cl.Ping(ctx); err != nil {
		return 0, err
	}
	start := time.Now()
	var got, bytes int64
	for got < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("after %d of %d records: %w", got, n, err)
		}
		if err := fs.Err(); err != nil {
			return 0, err
		}
		fs.EachRecord(func(r *kgo.Record) {
			got++
			bytes += int64(len(r.Value))
		})
	}
	if bytes != n*int64(size) {
		return 0, fmt.Errorf("consumed %d bytes, want %d", bytes, n*int64(size))
	}
	return mibPerSec(bytes, time.Since(start)), nil
}

// latency produces at a fixed rate with no linger and returns the p50 and
// p99 of each record's time from Produce to its promise.
func latency(ctx context.Context, addr, topic string, cfg loadConfig, value []byte) (p50, p99 time.Duration, err error) {
	cl, err := producer(addr, kgo.ProducerLinger(0))
	if err != nil {
		return 0, 0, err
	}
	defer cl.Close()
	if err := cl.Ping(ctx); err != nil {
		return 0, 0, err
	}
	perSec := cfg.rate / float64(len(value))
	n := int(perSec * cfg.duration.Seconds())
	lats := make([]time.Duration, n) // each promise writes its own slot
	var fe firstErr
	start := time.Now()
	for i := range n {
		// Sleep only when more than a millisecond ahead: finer sleeps
		// cost more than they smooth.
		if d := time.Until(start.Add(time.Duration(float64(i) / perSec * float64(time.Second)))); d > time.Millisecond {
			time.Sleep(d)
		}
		sent := time.Now()
		cl.Produce(ctx, &kgo.Record{Topic: topic, Value: value}, func(_ *kgo.Record, err error) {
			lats[i] = time.Since(sent)
			fe.set(err)
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return 0, 0, err
	}
	if fe.err != nil {
		return 0, 0, fe.err
	}
	slices.Sort(lats)
	return lats[n/2], lats[n*99/100], nil
}

func mibPerSec(bytes int64, d time.Duration) float64 {
	return float64(bytes) / (1 << 20) / d.Seconds()
}
