package clients

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa"
	"github.com/samsa-streaming/samsa/samsatest"
)

// TestRestart closes the broker gracefully and opens the same data
// directory again: topics keep their ids, records and offsets are the same,
// the time index still answers, and new records continue the offsets.
func TestRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := samsatest.Start(t, samsatest.DataDir(dir))
	adm := newAdmin(t, b.Addr())
	createTopic(t, adm, "r-plain", 3, nil)
	createTopic(t, adm, "r-zstd", 2, nil)
	createTopic(t, adm, "r-deleted", 1, nil)
	base := time.UnixMilli(1_700_000_000_000)
	plain := genRecords(11, 300, 3, base)
	zstd := genRecords(12, 300, 2, base)
	produceKgo(t, newClient(t, b.Addr()), "r-plain", plain)
	produceKgo(t, newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.ZstdCompression())), "r-zstd", zstd)
	if _, err := adm.DeleteTopic(testContext(t), "r-deleted"); err != nil {
		t.Fatalf("DeleteTopic: %v", err)
	}
	before, err := adm.Metadata(testContext(t))
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	reopen := func(t *testing.T) (*samsa.Broker, *kadm.Client) {
		t.Helper()
		b := samsatest.Start(t, samsatest.DataDir(dir))
		adm := newAdmin(t, b.Addr())
		after, err := adm.Metadata(testContext(t))
		if err != nil {
			t.Fatalf("Metadata: %v", err)
		}
		if after.Cluster != before.Cluster {
			t.Errorf("cluster id %q after restart, was %q", after.Cluster, before.Cluster)
		}
		if got, want := after.Topics.Names(), before.Topics.Names(); len(got) != len(want) || len(got) != 2 {
			t.Errorf("topics %v after restart, were %v; want r-plain r-zstd", got, want)
		}
		for _, td := range before.Topics {
			if a := after.Topics[td.Topic]; a.ID != td.ID || len(a.Partitions) != len(td.Partitions) {
				t.Errorf("%s: id %v, %d partitions after restart; were %v, %d", td.Topic, a.ID, len(a.Partitions), td.ID, len(td.Partitions))
			}
		}
		return b, adm
	}

	b, adm = reopen(t)
	addr := b.Addr()
	compareRecords(t, plain, consumeKgo(t, addr, "r-plain", 3, len(plain)))
	compareRecords(t, zstd, consumeKgo(t, addr, "r-zstd", 2, len(zstd)))
	checkEndOffsets(t, adm, "r-plain", plain)
	// genRecords gives record i the timestamp base+i ms.
	l, err := adm.ListOffsetsAfterMilli(testContext(t), base.Add(150*time.Millisecond).UnixMilli(), "r-zstd")
	if o, _ := l.Lookup("r-zstd", zstd[150].Partition); err != nil || o.Offset != zstd[150].Offset {
		t.Errorf("offset by time after restart: %+v %v, want %d", o, err, zstd[150].Offset)
	}

	// Append after the restart, then restart again and read everything.
	more := genRecords(13, 100, 3, base.Add(time.Hour))
	counts := map[int32]int64{}
	for _, r := range plain {
		counts[r.Partition]++
	}
	for i := range more {
		more[i].Offset += counts[more[i].Partition]
	}
	produceKgo(t, newClient(t, addr), "r-plain", more)
	all := append(append([]rec(nil), plain...), more...)
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	b, adm = reopen(t)
	compareRecords(t, all, consumeKgo(t, b.Addr(), "r-plain", 3, len(all)))
	checkEndOffsets(t, adm, "r-plain", all)
}
