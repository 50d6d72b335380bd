package clients

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
)

// TestGroupBrokerRestart restarts the broker on the same data directory
// and address while a group member consumes: the offsets committed before
// the restart come back from OffsetFetch, and the member (the same client,
// reconnecting) carries on without skipping a record.
func TestGroupBrokerRestart(t *testing.T) {
	t.Parallel()
	const topic, group, parts, n = "restart-group", "restart-group", 3, 300
	dir := t.TempDir()
	b, adm := startGroupBroker(t, samsatest.DataDir(dir))
	addr := b.Addr()
	createTopic(t, adm, topic, parts, nil)
	base := time.UnixMilli(1_700_000_000_000)
	produceKgo(t, newClient(t, addr), topic, genRecords(41, n, parts, base))

	var mu sync.Mutex
	seen := make(map[int32]map[int64]bool)
	opts := append(groupOpts(group, topic), kgo.DisableAutoCommit(), kgo.Balancers(kgo.RangeBalancer()),
		kgo.RetryTimeout(30*time.Second))
	cl := newClient(t, addr, opts...)
	// consume polls until cond holds, committing each poll synchronously.
	consume := func(what string, cond func(count int) bool) {
		t.Helper()
		waitFor(t, what, func() error {
			ctx, cancel := context.WithTimeout(testContext(t), 200*time.Millisecond)
			defer cancel()
			fs := cl.PollFetches(ctx)
			mu.Lock()
			fs.EachRecord(func(r *kgo.Record) {
				if seen[r.Partition] == nil {
					seen[r.Partition] = make(map[int64]bool)
				}
				seen[r.Partition][r.Offset] = true
			})
			count := 0
			for _, m := range seen {
				count += len(m)
			}
			mu.Unlock()
			if err := cl.CommitUncommittedOffsets(testContext(t)); err != nil {
				return fmt.Errorf("commit: %w", err)
			}
			if !cond(count) {
				return fmt.Errorf("consumed %d distinct records", count)
			}
			return nil
		})
	}
	consume("half the records", func(c int) bool { return c >= n/2 })
	before, err := committedOffsets(testContext(t), adm, group, topic)
	if err != nil || len(before) == 0 {
		t.Fatalf("OffsetFetch before the restart: %v %v", before, err)
	}

	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	b, adm = startGroupBroker(t, samsatest.DataDir(dir), samsatest.Listen(addr))
	after, err := committedOffsets(testContext(t), adm, group, topic)
	if err != nil {
		t.Fatalf("OffsetFetch after the restart: %v", err)
	}
	if !maps.Equal(before, after) {
		t.Errorf("committed offsets %v after the restart, were %v", after, before)
	}

	more := genRecords(42, n, parts, base.Add(time.Hour))
	counts := endOffsets(t, adm, topic)
	for i := range more {
		more[i].Offset += counts[more[i].Partition]
	}
	produceKgo(t, newClient(t, addr), topic, more)
	ends := endOffsets(t, adm, topic)
	consume("everything after the restart", func(c int) bool { return c >= 2*n })
	waitCommitted(t, adm, group, topic, ends)
	mu.Lock()
	defer mu.Unlock()
	coverage(t, seen, ends)
}
