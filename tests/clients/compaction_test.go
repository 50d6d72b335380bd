package clients

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa/samsatest"
)

// compactionRetention is the test topic's delete.retention.ms: how long
// tombstones outlive the cleaning that first kept them.
const compactionRetention = 5 * time.Second

// TestCompactionFranz writes many versions of random keys, tombstones
// among them, with the cleaner idle; restarts the broker with the cleaner
// on; and checks with a kgo consumer that the log comes to hold exactly
// the latest record of each key at its original offset, tombstones
// included, and then, delete.retention.ms later, without the tombstones.
// A consumer group whose committed offset points into a removed range
// continues at the next record that is left.
func TestCompactionFranz(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := samsatest.Start(t, samsatest.DataDir(dir), samsatest.Config("log.cleaner.backoff.ms", "3600000"))
	adm := newAdmin(t, b.Addr())
	const topic = "compacted"
	str := kadm.StringPtr
	createTopic(t, adm, topic, 2, map[string]*string{
		"cleanup.policy": str("compact"), "segment.bytes": str("4096"), "min.cleanable.dirty.ratio": str("0.01"),
		"delete.retention.ms": str(fmt.Sprint(compactionRetention.Milliseconds())),
	})
	history := keyVersions(time.Now())
	cl := newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.Lz4Compression()))
	for chunk := range slices.Chunk(history, 20) { // small batches, many segments
		produceKgo(t, cl, topic, chunk)
	}
	withTombstones, live := latestPerKey(history)
	committed := removedBeforeLive(history, withTombstones)
	commitOffset(t, adm, "compaction-group", topic, committed)
	ends := map[int32]int64{0: countIn(history, 0), 1: countIn(history, 1)}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	restart := time.Now()
	b = samsatest.Start(t, samsatest.DataDir(dir), samsatest.Config("log.cleaner.backoff.ms", "50"),
		samsatest.Config("group.initial.rebalance.delay.ms", "0"))
	waitFor(t, "the cleaner to keep only the latest record of each key", func() error {
		return sameRecords(readTopic(t, b.Addr(), topic, ends), withTombstones)
	})
	checkGroupResumes(t, b.Addr(), topic, committed, withTombstones)
	waitFor(t, "the tombstones to go after delete.retention.ms", func() error {
		return sameRecords(readTopic(t, b.Addr(), topic, ends), live)
	})
	if took := time.Since(restart); took < compactionRetention {
		t.Errorf("tombstones gone %v after the restart, before delete.retention.ms (%v)", took, compactionRetention)
	}
	starts, err := newAdmin(t, b.Addr()).ListStartOffsets(testContext(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	starts.Each(func(o kadm.ListedOffset) {
		if o.Err != nil || o.Offset != 0 {
			t.Errorf("partition %d log start offset %d (%v); compaction must not move it", o.Partition, o.Offset, o.Err)
		}
	})
}

// keyVersions is the history the test writes: per partition 600 versions
// of 40 keys (one in ten a tombstone), then 60 records of unique keys,
// several segments' worth, so that every version is in a sealed segment
// the cleaner may rewrite.
func keyVersions(base time.Time) []rec {
	rng := rand.New(rand.NewPCG(11, 12))
	var out []rec
	next := make(map[int32]int64)
	add := func(p int32, key string, value []byte) {
		ts := base.Add(time.Duration(len(out)) * time.Millisecond).Truncate(time.Millisecond)
		out = append(out, rec{Partition: p, Offset: next[p], Key: []byte(key), Value: value, Timestamp: ts})
		next[p]++
	}
	for i := range 1200 {
		key := fmt.Sprintf("key-%02d", rng.IntN(40))
		var value []byte
		if rng.IntN(10) > 0 {
			value = fmt.Appendf(nil, "version %d of %s", i, key)
		}
		add(int32(i%2), key, value)
	}
	for i := range 120 { // incompressible, so that they take segments of their own
		filler := make([]byte, 300)
		for j := range filler {
			filler[j] = byte(rng.Uint32())
		}
		add(int32(i%2), fmt.Sprintf("filler-%d", i), filler)
	}
	return out
}

// latestPerKey returns the last record of each key in each partition, in
// offset order: all of them, and those that are not tombstones.
func latestPerKey(history []rec) (all, live []rec) {
	type pk struct {
		p   int32
		key string
	}
	last := make(map[pk]rec)
	for _, r := range history {
		last[pk{r.Partition, string(r.Key)}] = r
	}
	for _, r := range history {
		if l := last[pk{r.Partition, string(r.Key)}]; l.Offset == r.Offset {
			all = append(all, r)
			if r.Value != nil {
				live = append(live, r)
			}
		}
	}
	byPartition := func(a, b rec) int { return int(a.Partition - b.Partition) }
	slices.SortStableFunc(all, byPartition)
	slices.SortStableFunc(live, byPartition)
	return all, live
}

// removedBeforeLive returns the offset of a record of partition 0 that
// compaction removes and whose next surviving record is not a tombstone
// (which would go later too).
func removedBeforeLive(history, left []rec) int64 {
	for _, r := range history {
		if r.Partition != 0 || slices.ContainsFunc(left, func(l rec) bool { return l.Partition == 0 && l.Offset == r.Offset }) {
			continue
		}
		i := slices.IndexFunc(left, func(l rec) bool { return l.Partition == 0 && l.Offset > r.Offset })
		if left[i].Value != nil {
			return r.Offset
		}
	}
	panic("no removed record before a live one")
}

func countIn(rs []rec, p int32) int64 {
	n := int64(0)
	for _, r := range rs {
		if r.Partition == p {
			n++
		}
	}
	return n
}

func commitOffset(t *testing.T, adm *kadm.Client, group, topic string, offset int64) {
	t.Helper()
	os := make(kadm.Offsets)
	os.Add(kadm.Offset{Topic: topic, Partition: 0, At: offset, LeaderEpoch: -1})
	resp, err := adm.CommitOffsets(testContext(t), group, os)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatalf("committing offset %d: %v", offset, err)
	}
}

// readTopic consumes every partition from its start up to its end offset.
func readTopic(t *testing.T, addr, topic string, ends map[int32]int64) []rec {
	t.Helper()
	offsets := make(map[int32]kgo.Offset)
	for p := range ends {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	cl := newClient(t, addr, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}))
	defer cl.Close()
	ctx, cancel := context.WithTimeout(testContext(t), 15*time.Second)
	defer cancel()
	var out []rec
	reached := func() bool {
		for p, end := range ends {
			if !slices.ContainsFunc(out, func(r rec) bool { return r.Partition == p && r.Offset == end-1 }) {
				return false
			}
		}
		return true
	}
	for !reached() {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("reading %s: %d records, %v", topic, len(out), err)
		}
		if err := fs.Err(); err != nil {
			t.Fatalf("reading %s: %v", topic, err)
		}
		for _, kr := range fs.Records() {
			out = append(out, fromKgo(kr))
		}
	}
	slices.SortStableFunc(out, func(a, b rec) int { return int(a.Partition - b.Partition) })
	return out
}

// sameRecords says how got differs from want, nil if it does not.
func sameRecords(got, want []rec) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d records, want %d", len(got), len(want))
	}
	for i := range got {
		if d := diffRec(want[i], got[i]); d != "" {
			return fmt.Errorf("record %d: %s", i, d)
		}
	}
	return nil
}

// checkGroupResumes consumes with the group whose committed offset in
// partition 0 pointed at a record the cleaner removed: the group must go
// on at the next record left, not reset.
func checkGroupResumes(t *testing.T, addr, topic string, committed int64, left []rec) {
	t.Helper()
	i := slices.IndexFunc(left, func(r rec) bool { return r.Partition == 0 && r.Offset >= committed })
	want := left[i]
	if want.Offset == committed {
		t.Fatalf("the record at the committed offset %d was not removed", committed)
	}
	cl := newClient(t, addr, kgo.ConsumerGroup("compaction-group"), kgo.ConsumeTopics(topic), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	ctx := testContext(t)
	for {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("group consumer: %v", err)
		}
		for _, kr := range fs.Records() {
			if kr.Partition != 0 {
				continue
			}
			if d := diffRec(want, fromKgo(kr)); d != "" {
				t.Fatalf("group resumed at %d: %s", kr.Offset, d)
			}
			return
		}
	}
}
