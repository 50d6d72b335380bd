package clients

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
)

// Transactions with franz-go: visibility of committed and aborted
// transactions under both isolation levels, and fencing of a zombie.

// newTxnClient is a transactional franz-go producer (idempotence on, as
// transactions require).
func newTxnClient(t *testing.T, addr, id string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	base := []kgo.Opt{
		kgo.SeedBrokers(addr),
		kgo.TransactionalID(id),
		kgo.TransactionTimeout(10 * time.Second),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RetryTimeout(15 * time.Second),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// runTxn produces values to partitions 0 and 1 of topic in one
// transaction and ends it.
func runTxn(t *testing.T, cl *kgo.Client, topic string, commit kgo.TransactionEndTry, values ...string) {
	t.Helper()
	ctx := testContext(t)
	if err := cl.BeginTransaction(); err != nil {
		t.Fatalf("BeginTransaction: %v", err)
	}
	for i, v := range values {
		r := &kgo.Record{Topic: topic, Partition: int32(i % 2), Value: []byte(v)}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("produce %s: %v", v, err)
		}
	}
	if err := cl.EndTransaction(ctx, commit); err != nil {
		t.Fatalf("EndTransaction: %v", err)
	}
}

// readValues consumes topic from the start at isolation until it has seen
// last, and returns every value read.
func readValues(t *testing.T, addr, topic string, isolation kgo.IsolationLevel, last string) map[string]int {
	t.Helper()
	return readUntil(t, addr, topic, isolation, "reading up to "+last, func(seen map[string]int) bool { return seen[last] > 0 })
}

// readUntil consumes topic from the start at isolation until done holds
// and a poll then returns nothing more (so copies of records already seen
// would have been read too), and returns how often each value was read.
func readUntil(t *testing.T, addr, topic string, isolation kgo.IsolationLevel, what string, done func(map[string]int) bool) map[string]int {
	t.Helper()
	cl := newClient(t, addr, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(isolation))
	defer cl.Close()
	seen := make(map[string]int)
	waitFor(t, what, func() error {
		ctx, cancel := context.WithTimeout(testContext(t), 300*time.Millisecond)
		defer cancel()
		got := 0
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { seen[string(r.Value)]++; got++ })
		if !done(seen) || got > 0 {
			return fmt.Errorf("%d values so far", len(seen))
		}
		return nil
	})
	return seen
}

// forEachTxnVersion runs test against a broker finalizing each
// transaction.version: franz-go uses transaction protocol v2 (KIP-890:
// implicit partition adds, an epoch bump per EndTxn) at 2 and v1 at 1.
func forEachTxnVersion(t *testing.T, test func(t *testing.T, opts ...samsatest.Option)) {
	for _, v := range []string{"1", "2"} {
		t.Run("transaction.version="+v, func(t *testing.T) {
			t.Parallel()
			test(t, samsatest.Config("samsa.transaction.version", v))
		})
	}
}

func TestTxnFranzVisibility(t *testing.T) {
	t.Parallel()
	forEachTxnVersion(t, testTxnVisibility)
}

func testTxnVisibility(t *testing.T, opts ...samsatest.Option) {
	const topic = "txn-visibility"
	b, adm := startBroker(t, opts...)
	createTopic(t, adm, topic, 2, nil)
	cl := newTxnClient(t, b.Addr(), "visibility")
	runTxn(t, cl, topic, kgo.TryCommit, "c1-a", "c1-b", "c1-c")
	runTxn(t, cl, topic, kgo.TryAbort, "a1-a", "a1-b", "a1-c")
	runTxn(t, cl, topic, kgo.TryCommit, "c2-a", "c2-b", "c2-c", "c2-d")

	committed := readValues(t, b.Addr(), topic, kgo.ReadCommitted(), "c2-d")
	all := readValues(t, b.Addr(), topic, kgo.ReadUncommitted(), "c2-d")
	for v, n := range committed {
		if strings.HasPrefix(v, "a1") {
			t.Errorf("read_committed consumer saw aborted record %s", v)
		} else if n != 1 {
			t.Errorf("read_committed consumer saw %s %d times", v, n)
		}
	}
	if len(committed) != 7 {
		t.Errorf("read_committed consumer saw %d records, want 7: %v", len(committed), committed)
	}
	if len(all) != 10 || all["a1-b"] != 1 {
		t.Errorf("read_uncommitted consumer saw %v, want all 10 records including the aborted ones", all)
	}
}

// TestTxnFranzFencing: a second producer with the same transactional id
// fences the first; the first's open transaction is aborted and its
// commit fails.
func TestTxnFranzFencing(t *testing.T) {
	t.Parallel()
	forEachTxnVersion(t, testTxnFencing)
}

func testTxnFencing(t *testing.T, opts ...samsatest.Option) {
	const topic = "txn-fencing"
	b, adm := startBroker(t, opts...)
	createTopic(t, adm, topic, 2, nil)
	ctx := testContext(t)
	zombie := newTxnClient(t, b.Addr(), "fenced-id")
	if err := zombie.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := zombie.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("zombie")}).FirstErr(); err != nil {
		t.Fatalf("zombie produce: %v", err)
	}
	fresh := newTxnClient(t, b.Addr(), "fenced-id")
	runTxn(t, fresh, topic, kgo.TryCommit, "fresh-a", "fresh-b")

	err := zombie.EndTransaction(ctx, kgo.TryCommit)
	if !errors.Is(err, kerr.ProducerFenced) && !errors.Is(err, kerr.InvalidProducerEpoch) {
		t.Fatalf("zombie commit after fencing: %v, want PRODUCER_FENCED", err)
	}
	seen := readValues(t, b.Addr(), topic, kgo.ReadCommitted(), "fresh-b")
	if seen["zombie"] != 0 {
		t.Fatal("the fenced producer's record is visible to read_committed")
	}
	txns, err := newAdmin(t, b.Addr()).DescribeTransactions(ctx, "fenced-id")
	if err != nil {
		t.Fatal(err)
	}
	d, ok := txns["fenced-id"]
	if !ok || d.State != "CompleteCommit" {
		t.Fatalf("described %+v, want CompleteCommit", txns)
	}
}
