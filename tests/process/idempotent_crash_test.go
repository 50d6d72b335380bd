//go:build unix

package process

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestIdempotentCrashRecovery kills the broker with SIGKILL several times
// under idempotent franz-go producers (idempotence and retries on, as Kafka
// clients default to) whose clients live across the restarts. A batch
// whose acknowledgement died with the broker is resent to the restarted
// broker, which must recognise the ones it already holds from the producer
// state it rebuilt (snapshots written at segment rolls, then the log after
// them). At the end every acknowledged record is in the log exactly once,
// in each producer's order, and no record at all is there twice.
func TestIdempotentCrashRecovery(t *testing.T) {
	const cycles = 4
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1<<33))
	b := startBroker(t, withOverride(smallSegments))
	createTopic(t, newClient(t, b.Addr()), crashTopic, crashPartitions)
	ws := newWriters(seed)
	acks := newAckLog()

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { w.runIdempotent(ctx, t, b.Addr(), acks) })
	}
	for cycle := range cycles {
		first := acks.arm()
		select {
		case <-first:
		case <-time.After(30 * time.Second):
			cancel()
			wg.Wait()
			t.Fatalf("cycle %d: no record acknowledged within 30s", cycle)
		}
		delay := time.Duration(100+rng.IntN(701)) * time.Millisecond
		time.Sleep(delay) // the random moment is the point of the test
		b.Kill()
		acked, failed := acks.counts()
		t.Logf("cycle %d: killed %v after the first ack; %d acked, %d failed", cycle, delay, acked, failed)
		b.Start()
	}
	cancel()
	wg.Wait()
	acked, failed := acks.counts()
	t.Logf("%d records acknowledged, %d cancelled at the end", acked, failed)
	verifyLog(t, b, acks)
}

// runIdempotent produces with one idempotent client until ctx ends, then
// waits for the outcome of everything it produced.
func (w *writer) runIdempotent(ctx context.Context, t *testing.T, addr string, acks *ackLog) {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.DefaultProduceTopic(crashTopic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchCompression(crashCodecs[int(w.id)%len(crashCodecs)]),
		kgo.MaxBufferedRecords(200),
		kgo.ProducerLinger(time.Millisecond),
		kgo.RecordDeliveryTimeout(60*time.Second),
		kgo.DialTimeout(2*time.Second),
	)
	if err != nil {
		t.Errorf("writer %d: %v", w.id, err)
		return
	}
	defer cl.Close()
	for ctx.Err() == nil {
		p := int32(w.rng.IntN(crashPartitions))
		id := recID{w.id, p, w.next[p]}
		w.next[p]++
		rec := &kgo.Record{Partition: p, Value: id.value(0, w.rng.IntN(300))}
		cl.Produce(ctx, rec, func(r *kgo.Record, err error) {
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("writer %d: record %+v failed: %v", w.id, id, err)
			}
			acks.done(id, r, err)
		})
	}
	fctx, fcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer fcancel()
	if err := cl.Flush(fctx); err != nil {
		t.Errorf("writer %d: records still unresolved after 60s: %v", w.id, err)
	}
}
