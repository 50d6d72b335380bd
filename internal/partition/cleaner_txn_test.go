package partition

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/batch"
)

func headerAt(t *testing.T, p *Partition, offset int64) (batch.Header, bool) {
	t.Helper()
	_, hdrs := readLog(t, p)
	i := slices.IndexFunc(hdrs, func(h batch.Header) bool { return h.BaseOffset == offset })
	if i < 0 {
		return batch.Header{}, false
	}
	return hdrs[i], true
}

func txnOpts(id int64, seq int32) batchOpts {
	return batchOpts{producer: id, seq: seq, txn: true}
}

// TestCleanTransactions follows Kafka's rules for transactional data: an
// aborted transaction's batches go (the last one of a live producer stays
// empty, holding its sequence), its marker stays while any of its batches
// is in the log, then gets a delete horizon and goes with its aborted
// transaction index entry; a committed transaction's marker stays while
// its data does.
func TestCleanTransactions(t *testing.T) {
	cfg := compactConfig()
	p := openTest(t, cfg)
	const T = 10_000
	appendWant(t, p, "p1 txn", keyedBatch(t, txnOpts(1, 0), kv{key: "a", value: "v1", ts: 1}, kv{key: "b", value: "v1", ts: 1}), 0, false, nil)
	appendWant(t, p, "p2 txn", keyedBatch(t, txnOpts(2, 0), kv{key: "a", value: "v2", ts: 1}, kv{key: "c", value: "v2", ts: 1}), 2, false, nil)
	markerWant(t, p, commit(1, 0), 4, nil)
	markerWant(t, p, abort(2, 0), 5, nil)
	b3 := got{6, kv{key: "b", value: "v3", ts: 1}}
	appendAt(t, p, keyedBatch(t, batchOpts{}, b3.kv))
	s7 := sentinel(t, p, 1)

	clean(t, p, T)
	a1 := got{0, kv{key: "a", value: "v1", ts: 1}}
	wantRecords(t, p, []got{a1, b3, s7})
	if h, ok := headerAt(t, p, 2); !ok || h.NumRecords != 0 || h.ProducerID != 2 || h.BaseSequence != 0 || h.LastOffset() != 3 || !h.IsTransactional() {
		t.Fatalf("producer 2's aborted batch: %+v (present %v), want kept empty with its producer fields", h, ok)
	}
	for _, off := range []int64{4, 5} {
		if _, ok := headerAt(t, p, off); !ok {
			t.Fatalf("marker at %d removed while its transaction's batches were in the log", off)
		}
	}
	wantAborted(t, p, 0, 100, AbortedTxn{ProducerID: 2, FirstOffset: 2})

	// Producer 2 moves on, so its aborted batch is no longer its last.
	appendWant(t, p, "p2 txn 2", keyedBatch(t, txnOpts(2, 2), kv{key: "d", value: "x", ts: 1}), 8, false, nil)
	markerWant(t, p, commit(2, 0), 9, nil)
	s10 := sentinel(t, p, 1)
	d8 := got{8, kv{key: "d", value: "x", ts: 1}}

	clean(t, p, T+1) // the empty batch goes; the abort marker saw it go
	if _, ok := headerAt(t, p, 2); ok {
		t.Fatal("aborted empty batch kept after its producer moved on")
	}
	if h, _ := headerAt(t, p, 5); h.Attributes&attrDeleteHorizon != 0 {
		t.Fatal("abort marker got a delete horizon in the pass that removed its data")
	}
	clean(t, p, T+2) // nothing left of the transaction: the countdown starts
	if h, _ := headerAt(t, p, 5); h.Attributes&attrDeleteHorizon == 0 || h.BaseTimestamp != T+2+1000 {
		t.Fatalf("abort marker header %+v, want delete horizon %d", h, T+2+1000)
	}
	wantAborted(t, p, 0, 100, AbortedTxn{ProducerID: 2, FirstOffset: 2})
	if st := cleanState(t, p, T+1002); !st.Due {
		t.Fatalf("at the marker's horizon: %+v, want due", st)
	}
	clean(t, p, T+1002)
	if _, ok := headerAt(t, p, 5); ok {
		t.Fatal("abort marker kept after its delete horizon")
	}
	wantAborted(t, p, 0, 100)
	checkSnapshotsRelyOnIndex(t, p)
	for _, off := range []int64{4, 9} {
		if _, ok := headerAt(t, p, off); !ok {
			t.Fatalf("commit marker at %d removed while its data is in the log", off)
		}
	}
	wantRecords(t, p, []got{a1, b3, s7, d8, s10})

	// Replayed from the cleaned log alone, the producers' sequences and
	// the aborted transaction index come out the same.
	p = reopenWithoutSnapshots(t, p, cfg)
	wantAborted(t, p, 0, 100)
	appendWant(t, p, "p1 retry", keyedBatch(t, txnOpts(1, 0), kv{key: "a", value: "v1", ts: 1}, kv{key: "b", value: "v1", ts: 1}), 0, true, nil)
	appendWant(t, p, "p2 retry", keyedBatch(t, txnOpts(2, 2), kv{key: "d", value: "x", ts: 1}), 8, true, nil)
	appendWant(t, p, "p2 next", keyedBatch(t, txnOpts(2, 3), kv{key: "e", value: "y", ts: 1}), 11, false, nil)
}

// checkSnapshotsRelyOnIndex: every snapshot's abortedUpTo is an entry the
// index still has (or none), so that Open does not skip it.
func checkSnapshotsRelyOnIndex(t *testing.T, p *Partition) {
	t.Helper()
	offsets, err := snapshotOffsets(p.dir)
	if err != nil || len(offsets) == 0 {
		t.Fatalf("snapshots %v, %v", offsets, err)
	}
	for _, off := range offsets {
		b, err := os.ReadFile(filepath.Join(p.dir, snapshotName(off)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := unmarshalSnapshot(b)
		if err != nil {
			t.Fatal(err)
		}
		if s.abortedUpTo >= 0 && p.index.newestUpTo(s.abortedUpTo) != s.abortedUpTo {
			t.Fatalf("snapshot %d relies on aborted transaction index entry %d, which the cleaner removed", off, s.abortedUpTo)
		}
	}
}

func reopenWithoutSnapshots(t *testing.T, p *Partition, cfg Config) *Partition {
	t.Helper()
	dir := p.dir
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range names {
		if strings.HasSuffix(e.Name(), snapshotExt) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return openDir(t, dir, cfg)
}

// The cleaner never cleans past the last stable offset: an open
// transaction holds back what follows it.
func TestCleanStopsAtLastStableOffset(t *testing.T) {
	p := openTest(t, compactConfig())
	a1 := got{0, kv{key: "a", value: "1", ts: 1}}
	appendAt(t, p, keyedBatch(t, batchOpts{}, a1.kv))
	x := got{1, kv{key: "x", value: "1", ts: 1}}
	appendWant(t, p, "open txn", keyedBatch(t, txnOpts(3, 0), x.kv), 1, false, nil)
	a2 := got{2, kv{key: "a", value: "2", ts: 1}}
	appendAt(t, p, keyedBatch(t, batchOpts{}, a2.kv))
	s3 := sentinel(t, p, 1)
	clean(t, p, 10_000)
	wantRecords(t, p, []got{a1, x, a2, s3})
	markerWant(t, p, commit(3, 0), 4, nil)
	s5 := sentinel(t, p, 1)
	clean(t, p, 10_000)
	wantRecords(t, p, []got{x, a2, s3, s5})
}

// TestCleanConcurrentFetch cleans over and over while readers fetch and a
// producer appends: every fetched batch must be whole, valid, and in
// offset order. Run with -race.
func TestCleanConcurrentFetch(t *testing.T) {
	p := openTest(t, compactConfig())
	latestPerKey(t, p, batchOpts{codec: batch.LZ4}, 100, 1000)
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := range 3 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if err := fetchAll(p, int64((i*13+r)%int(p.HighWatermark()))); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < 200 && !stop.Load(); i++ {
			b := keyedBatch(t, batchOpts{codec: batch.LZ4}, kv{key: "k" + string(rune('a'+i%7)), value: "x", ts: int64(2000 + i)})
			if _, err := p.Append(b, time.Now()); err != nil {
				errs <- err
				return
			}
		}
	})
	for range 10 {
		clean(t, p, 10_000)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// fetchAll reads from offset to the high watermark as a consumer would.
func fetchAll(p *Partition, offset int64) error {
	for offset < p.HighWatermark() {
		f, err := p.ReadIsolated(offset, 4096, ReadCommitted)
		if err != nil {
			return err
		}
		buf, err := f.Records.AppendTo(nil)
		f.Records.Release()
		if err != nil {
			return err
		}
		if len(buf) == 0 {
			return nil // at the last stable offset
		}
		prev := int64(-1)
		for len(buf) > 0 {
			h, err := batch.ParseHeader(buf)
			if err != nil || h.Size() > len(buf) || h.Size() < batch.HeaderSize {
				return errors.New("torn batch in a fetch")
			}
			if _, err := batch.Verify(buf[:h.Size()]); err != nil {
				return err
			}
			if h.BaseOffset <= prev {
				return errors.New("batches out of order in a fetch")
			}
			prev = h.LastOffset()
			buf = buf[h.Size():]
		}
		offset = prev + 1
	}
	return nil
}
