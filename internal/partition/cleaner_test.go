package partition

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// kv is one record for the cleaner tests; tomb makes it a tombstone.
type kv struct {
	key, value string
	tomb       bool
	ts         int64
}

// batchOpts are the producer fields and codec of a test batch; the zero
// value is a plain uncompressed batch.
type batchOpts struct {
	codec    batch.Codec
	producer int64 // 0: none (-1 on the wire)
	epoch    int16
	seq      int32
	txn      bool
}

func keyedBatch(t *testing.T, o batchOpts, recs ...kv) []byte {
	t.Helper()
	h := batch.Header{Attributes: int16(o.codec), ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: recs[0].ts}
	if o.producer != 0 {
		h.ProducerID, h.ProducerEpoch, h.BaseSequence = o.producer, o.epoch, o.seq
	}
	if o.txn {
		h.Attributes |= attrTransactional
	}
	out := make([]batch.Record, len(recs))
	for i, r := range recs {
		out[i] = batch.Record{Key: []byte(r.key), Value: []byte(r.value), TimestampDelta: r.ts - recs[0].ts}
		if r.tomb {
			out[i].Value = nil
		}
	}
	b, err := batch.Build(h, out...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// got is a record as a consumer sees it.
type got struct {
	offset int64
	kv
}

func (g got) String() string {
	if g.tomb {
		return fmt.Sprintf("%d:%s=null@%d", g.offset, g.key, g.ts)
	}
	return fmt.Sprintf("%d:%s=%s@%d", g.offset, g.key, g.value, g.ts)
}

// readLog returns every data record from the log start and every batch
// header, checking each batch's CRC and offsets.
func readLog(t *testing.T, p *Partition) ([]got, []batch.Header) {
	t.Helper()
	var recs []got
	var hdrs []batch.Header
	for off := p.LogStartOffset(); off < p.HighWatermark(); {
		c, err := p.Read(off, 1<<20)
		if err != nil {
			t.Fatalf("Read(%d): %v", off, err)
		}
		buf, err := c.AppendTo(nil)
		c.Release()
		if err != nil || len(buf) == 0 {
			t.Fatalf("Read(%d): %d bytes, %v", off, len(buf), err)
		}
		for len(buf) > 0 {
			h, err := batch.Verify(buf[:min(len(buf), mustHeader(t, buf).Size())])
			if err != nil {
				t.Fatalf("batch at %d: %v", off, err)
			}
			if h.LastOffset() >= off {
				if len(hdrs) > 0 && h.BaseOffset <= hdrs[len(hdrs)-1].LastOffset() {
					t.Fatalf("batch at %d follows one ending at %d", h.BaseOffset, hdrs[len(hdrs)-1].LastOffset())
				}
				hdrs = append(hdrs, h)
				recs = append(recs, decodeRecords(t, h, buf[:h.Size()])...)
				off = h.LastOffset() + 1
			}
			buf = buf[h.Size():]
		}
	}
	return recs, hdrs
}

func mustHeader(t *testing.T, b []byte) batch.Header {
	t.Helper()
	h, err := batch.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func decodeRecords(t *testing.T, h batch.Header, b []byte) []got {
	t.Helper()
	if h.IsControl() {
		return nil
	}
	payload, err := recordsOf(h, b)
	if err != nil {
		t.Fatal(err)
	}
	var out []got
	err = batch.Records(h, payload, func(r batch.Record) error {
		g := got{offset: h.BaseOffset + int64(r.OffsetDelta), kv: kv{key: string(r.Key), value: string(r.Value), tomb: r.Value == nil, ts: h.BaseTimestamp + r.TimestampDelta}}
		out = append(out, g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compactConfig() Config {
	return Config{
		MaxMessageBytes: 1 << 20,
		Compact:         true,
		Compaction:      Compaction{DeleteRetentionMs: 1000, MinDirtyRatio: 0.5},
		// Every append rolls: all but the last batch are in sealed segments.
		Log: commitlog.Config{SegmentBytes: 1, RetentionMs: -1, RetentionBytes: -1, IndexIntervalBytes: 1},
	}
}

func appendAt(t *testing.T, p *Partition, b []byte) int64 {
	t.Helper()
	res, err := p.Append(b, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res.BaseOffset
}

// clean runs a cleaning pass with segment.bytes raised for its duration:
// the tests append with segments of one batch each (segment.bytes 1), and
// the cleaner groups segments up to segment.bytes, keeping the last batch
// of each group; a large value makes all sealed segments one group.
func clean(t *testing.T, p *Partition, now int64) CleanStats {
	t.Helper()
	cfg := *p.cfg.Load()
	big := cfg
	big.Log.SegmentBytes = 1 << 30
	if err := p.SetConfig(big); err != nil {
		t.Fatal(err)
	}
	defer p.SetConfig(cfg)
	return cleanAsIs(t, p, now)
}

func cleanAsIs(t *testing.T, p *Partition, now int64) CleanStats {
	t.Helper()
	st, err := p.Clean(context.Background(), time.UnixMilli(now))
	if err != nil {
		t.Fatalf("Clean: %v", err)
	}
	return st
}

func cleanState(t *testing.T, p *Partition, now int64) CleanState {
	t.Helper()
	st, err := p.CleanState(time.UnixMilli(now))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func wantRecords(t *testing.T, p *Partition, want []got) {
	t.Helper()
	recs, _ := readLog(t, p)
	if !slices.Equal(recs, want) {
		t.Fatalf("log holds\n%v\nwant\n%v", recs, want)
	}
}

// sentinel appends a record of its own key, so that everything before it
// is in sealed segments the cleaner may rewrite.
func sentinel(t *testing.T, p *Partition, ts int64) got {
	t.Helper()
	r := kv{key: "sentinel", value: "s", ts: ts}
	return got{offset: appendAt(t, p, keyedBatch(t, batchOpts{}, r)), kv: r}
}

// latestPerKey writes many versions of random keys (tombstones among
// them) and returns what compaction must leave: each key's last record.
func latestPerKey(t *testing.T, p *Partition, o batchOpts, n int, ts int64) []got {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	latest := make(map[string]got)
	for i := range n {
		recs := make([]kv, 1+rng.IntN(3))
		for j := range recs {
			recs[j] = kv{key: fmt.Sprintf("k%d", rng.IntN(20)), value: fmt.Sprintf("v%d.%d", i, j), ts: ts + int64(i)}
			if rng.IntN(8) == 0 {
				recs[j].value, recs[j].tomb = "", true
			}
		}
		base := appendAt(t, p, keyedBatch(t, o, recs...))
		for j, r := range recs {
			latest[r.key] = got{offset: base + int64(j), kv: r}
		}
	}
	var out []got
	for _, g := range latest {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b got) int { return int(a.offset - b.offset) })
	return out
}

func TestCleanKeepsLatestPerKey(t *testing.T) {
	for _, groups := range []string{"one group", "one group per segment"} {
		t.Run(groups, func(t *testing.T) {
			testCleanKeepsLatestPerKey(t, groups == "one group")
		})
	}
}

func testCleanKeepsLatestPerKey(t *testing.T, oneGroup bool) {
	cfg := compactConfig()
	p := openTest(t, cfg)
	want := latestPerKey(t, p, batchOpts{}, 200, 1000)
	want = append(want, sentinel(t, p, 2000))
	if st := cleanState(t, p, 3000); !st.Due || st.DirtyRatio != 1 {
		t.Fatalf("before cleaning: %+v, want due with dirty ratio 1", st)
	}
	cleanPass := cleanAsIs
	if oneGroup {
		cleanPass = clean
	}
	st := cleanPass(t, p, 3000)
	if st.Swapped == 0 || st.RecordsKept != len(want)-1 {
		t.Fatalf("stats %+v", st)
	}
	wantRecords(t, p, want)
	if st := cleanState(t, p, 3000); st.Due || st.DirtyBytes != 0 {
		t.Fatalf("after cleaning: %+v, want nothing dirty", st)
	}
	p = reopen(t, p, false, cfg)
	wantRecords(t, p, want)
	if st := cleanState(t, p, 3000); st.Due {
		t.Fatalf("after reopening: %+v; the cleaner checkpoint was lost", st)
	}
}

// A map too small for the dirty keys cleans in several passes, each
// continuing where the last stopped, to the same result.
func TestCleanInSeveralPasses(t *testing.T) {
	defer func(n int) { maxOffsetMapBytes = n }(maxOffsetMapBytes)
	maxOffsetMapBytes = 5 * mapEntryOverhead
	cfg := compactConfig()
	cfg.Compaction.MinDirtyRatio = 0
	p := openTest(t, cfg)
	want := latestPerKey(t, p, batchOpts{}, 100, 1000)
	want = append(want, sentinel(t, p, 2000))
	passes := 0
	for ; cleanState(t, p, 3000).Due; passes++ {
		if passes > 100 {
			t.Fatal("cleaning does not converge")
		}
		clean(t, p, 3000)
	}
	if passes < 3 {
		t.Fatalf("%d passes; the map limit did not split the work", passes)
	}
	wantRecords(t, p, want)
}

func TestCleanCodecs(t *testing.T) {
	for _, codec := range []batch.Codec{batch.None, batch.Gzip, batch.Snappy, batch.LZ4, batch.Zstd} {
		t.Run(codec.String(), func(t *testing.T) {
			p := openTest(t, compactConfig())
			want := latestPerKey(t, p, batchOpts{codec: codec}, 60, 1000)
			want = append(want, sentinel(t, p, 2000))
			clean(t, p, 3000)
			recs, hdrs := readLog(t, p)
			if !slices.Equal(recs, want) {
				t.Fatalf("log holds\n%v\nwant\n%v", recs, want)
			}
			for _, h := range hdrs[:len(hdrs)-1] {
				if h.NumRecords > 0 && h.Codec() != codec {
					t.Fatalf("batch at %d has codec %v, want %v", h.BaseOffset, h.Codec(), codec)
				}
			}
		})
	}
}

func TestCleanTombstones(t *testing.T) {
	p := openTest(t, compactConfig())
	appendAt(t, p, keyedBatch(t, batchOpts{}, kv{key: "a", value: "1", ts: 100}, kv{key: "b", value: "2", ts: 100}))
	appendAt(t, p, keyedBatch(t, batchOpts{}, kv{key: "a", tomb: true, ts: 200}, kv{key: "c", value: "3", ts: 200}))
	s := sentinel(t, p, 300)
	b2, tomb, c3 := got{1, kv{key: "b", value: "2", ts: 100}}, got{2, kv{key: "a", tomb: true, ts: 200}}, got{3, kv{key: "c", value: "3", ts: 200}}

	clean(t, p, 10_000)
	wantRecords(t, p, []got{b2, tomb, c3, s})
	_, hdrs := readLog(t, p)
	if horizon, ok := deleteHorizon(hdrs[1]); !ok || horizon != 11_000 {
		t.Fatalf("tombstone batch: delete horizon %d (%v), want 11000", horizon, ok)
	}
	if st := cleanState(t, p, 10_999); st.Due {
		t.Fatalf("before the horizon: %+v, want not due", st)
	}
	clean(t, p, 10_999) // not due, but a pass before the horizon keeps it
	wantRecords(t, p, []got{b2, tomb, c3, s})
	if st := cleanState(t, p, 11_000); !st.Due {
		t.Fatalf("at the horizon: %+v, want due", st)
	}
	clean(t, p, 11_000)
	wantRecords(t, p, []got{b2, c3, s})
	if st := cleanState(t, p, 20_000); st.Due {
		t.Fatalf("after the tombstone went: %+v, want not due", st)
	}
}

func TestCleanCompactionLag(t *testing.T) {
	cfg := compactConfig()
	cfg.Compaction.MinLagMs = 2000
	p := openTest(t, cfg)
	appendAt(t, p, keyedBatch(t, batchOpts{}, kv{key: "a", value: "old", ts: 1000}))
	appendAt(t, p, keyedBatch(t, batchOpts{}, kv{key: "a", value: "new", ts: 5000}))
	s := sentinel(t, p, 5000)
	all := []got{{0, kv{key: "a", value: "old", ts: 1000}}, {1, kv{key: "a", value: "new", ts: 5000}}, s}

	// At 6000 the second segment is younger than the lag: only the first
	// is cleanable, and nothing in it is superseded yet.
	clean(t, p, 6000)
	wantRecords(t, p, all)
	clean(t, p, 7000)
	wantRecords(t, p, all[1:])

	// max.compaction.lag.ms makes a log due whatever its dirty ratio.
	cfg = compactConfig()
	cfg.Compaction.MinDirtyRatio, cfg.Compaction.MaxLagMs = 1, 5000
	q := openTest(t, cfg)
	appendAt(t, q, keyedBatch(t, batchOpts{}, kv{key: "a", value: "1", ts: 1000}))
	appendAt(t, q, keyedBatch(t, batchOpts{}, kv{key: "b", value: "1", ts: 1000}))
	clean(t, q, 1000)
	appendAt(t, q, keyedBatch(t, batchOpts{}, kv{key: "a", value: "2", ts: 2000}))
	sentinel(t, q, 2000)
	// The oldest dirty segment starts at 1000.
	if st := cleanState(t, q, 5999); st.Due || st.DirtyRatio >= 1 {
		t.Fatalf("within max.compaction.lag.ms: %+v, want not due", st)
	}
	if st := cleanState(t, q, 6001); !st.Due {
		t.Fatalf("past max.compaction.lag.ms: %+v, want due", st)
	}
}

func TestCleanDirtyRatio(t *testing.T) {
	cfg := compactConfig()
	p := openTest(t, cfg)
	latestPerKey(t, p, batchOpts{}, 30, 1000)
	sentinel(t, p, 2000)
	clean(t, p, 3000)
	latestPerKey(t, p, batchOpts{}, 10, 1000)
	sentinel(t, p, 2000)
	segs, err := p.log.Segments()
	if err != nil {
		t.Fatal(err)
	}
	var clean, dirty int64
	fd := p.cleaner.firstDirty.Load()
	for _, s := range segs[:len(segs)-1] {
		if s.Base < fd {
			clean += s.Size
		} else {
			dirty += s.Size
		}
	}
	st := cleanState(t, p, 3000)
	if want := float64(dirty) / float64(clean+dirty); st.DirtyRatio != want || st.DirtyBytes != dirty {
		t.Fatalf("state %+v, want ratio %v of %d dirty bytes", st, want, dirty)
	}
	for _, tc := range []struct {
		min float64
		due bool
	}{{st.DirtyRatio - 0.01, true}, {st.DirtyRatio, true}, {st.DirtyRatio + 0.01, false}} {
		cfg.Compaction.MinDirtyRatio = tc.min
		if err := p.SetConfig(cfg); err != nil {
			t.Fatal(err)
		}
		if got := cleanState(t, p, 3000).Due; got != tc.due {
			t.Errorf("min.cleanable.dirty.ratio %v: due %v, want %v", tc.min, got, tc.due)
		}
	}
	cfg.Compact = false
	if err := p.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if st := cleanState(t, p, 3000); st.Due {
		t.Fatalf("after switching to cleanup.policy=delete: %+v", st)
	}
}

func TestCompactedTopicRejectsNullKeys(t *testing.T) {
	p := openTest(t, compactConfig())
	b, err := batch.Build(batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, batch.Record{Value: []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Append(b, time.Now()); !errors.Is(err, kerr.InvalidRecord) {
		t.Fatalf("null key on a compacted topic: %v, want INVALID_RECORD", err)
	}
	q := openTest(t, Config{})
	if _, err := q.Append(b, time.Now()); err != nil {
		t.Fatalf("null key on a plain topic: %v", err)
	}
}
