package grouplog

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/group"
)

func offsetKeyBytes(v int16, g, topic string, p int32) []byte {
	k := kmsg.OffsetCommitKey{Version: v, Group: g, Topic: topic, Partition: p}
	return k.AppendTo(nil)
}

func offsetValueBytes(v kmsg.OffsetCommitValue) []byte { return v.AppendTo(nil) }

func groupKeyBytes(g string) []byte {
	k := kmsg.GroupMetadataKey{Version: 2, Group: g}
	return k.AppendTo(nil)
}

// TestSkipsForeignRecords appends what other writers could leave in the
// partition: records of newer group types, keys and values replay cannot
// decode, older and newer value versions, compressed batches. Replay skips
// what it does not know, with one warning per kind, and applies the rest.
func TestSkipsForeignRecords(t *testing.T) {
	rec := &logRecorder{}
	s := newStoreWith(t, testConfig, slog.New(rec))
	must(t, s.l.CommitOffsets("g", []group.Offset{off("t", 0, 1, "old")}))
	must(t, s.l.SaveGroup(snapshot("g", 1, "m1")))

	// A KIP-848 ConsumerGroupMetadata record (type 3), which replay
	// decodes, and a ConsumerGroupRegularExpression (type 16), which it
	// does not.
	kip848Key := new(schema).i16(3).str("g848").b
	kip848Value := new(schema).i16(0).i32(4).uvarint(0).b
	regexKey := new(schema).i16(16).str("g848").str("t.*").b
	s.append(batch.Header{BaseTimestamp: 1},
		batch.Record{Key: kip848Key, Value: kip848Value},
		batch.Record{Key: regexKey, Value: []byte{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		batch.Record{Key: []byte{0x7f, 0x7f, 1, 2}, Value: []byte("future")},
		batch.Record{Key: nil, Value: []byte("null key")},
		batch.Record{Key: []byte{0}, Value: []byte("short key")},
		batch.Record{Key: []byte{0, 1, 0, 9, 'g'}, Value: []byte("truncated key")},
		// Known keys, values replay cannot use: the earlier state stays.
		batch.Record{Key: offsetKeyBytes(1, "g", "t", 0), Value: []byte{0, 9, 1, 2, 3}},
		batch.Record{Key: offsetKeyBytes(1, "g", "t", 1), Value: []byte{0, 3, 1}},
		batch.Record{Key: groupKeyBytes("g"), Value: []byte{0, 3, 0, 8, 'c'}},
		// Versions other brokers write.
		batch.Record{Key: offsetKeyBytes(0, "g2", "t", 0), Value: offsetValueBytes(kmsg.OffsetCommitValue{
			Version: 1, Offset: 10, Metadata: "v1", CommitTimestamp: 5, ExpireTimestamp: 99})},
		batch.Record{Key: offsetKeyBytes(1, "g2", "t", 1), Value: offsetValueBytes(kmsg.OffsetCommitValue{
			Version: 4, Offset: 11, LeaderEpoch: 2, Metadata: "v4", CommitTimestamp: 6, TopicID: [16]byte{1, 2}})},
		batch.Record{Key: groupKeyBytes("g3"), Value: func() []byte {
			v := kmsg.GroupMetadataValue{Version: 0, ProtocolType: "consumer", Generation: 2, Protocol: str("range"),
				Leader: str("m"), Members: []kmsg.GroupMetadataValueMember{{
					MemberID: "m", ClientID: "c", ClientHost: "h", SessionTimeoutMillis: 30000,
					Subscription: []byte("s"), Assignment: []byte("a")}}}
			return v.AppendTo(nil)
		}()},
	)
	s.append(batch.Header{Attributes: int16(batch.Gzip), BaseTimestamp: 2},
		batch.Record{Key: offsetKeyBytes(1, "g2", "t", 2), Value: offsetValueBytes(kmsg.OffsetCommitValue{
			Version: 3, Offset: 12, LeaderEpoch: 3, Metadata: "gz", CommitTimestamp: 7})})
	rec.records = nil

	g3 := group.GroupSnapshot{Group: "g3", ProtocolType: "consumer", Protocol: "range", Leader: "m", Generation: 2,
		StateTimestamp: -1, Members: []group.MemberSnapshot{{MemberID: "m", ClientID: "c", ClientHost: "h",
			RebalanceTimeout: 30 * time.Second, SessionTimeout: 30 * time.Second,
			Subscription: []byte("s"), Assignment: []byte("a")}}}
	want := group.Loaded{
		Groups:         []group.GroupSnapshot{snapshot("g", 1, "m1"), g3},
		ConsumerGroups: []group.ConsumerGroupSnapshot{{Group: "g848", Epoch: 4}},
		Offsets: map[string][]group.Offset{
			"g": {off("t", 0, 1, "old")},
			"g2": {
				{TopicPartition: tp("t", 0), Offset: 10, LeaderEpoch: -1, Metadata: str("v1"), CommitTimestamp: 5},
				{TopicPartition: tp("t", 1), Offset: 11, LeaderEpoch: 2, Metadata: str("v4"), CommitTimestamp: 6},
				{TopicPartition: tp("t", 2), Offset: 12, LeaderEpoch: 3, Metadata: str("gz"), CommitTimestamp: 7},
			},
		},
	}
	checkLoaded(t, s.reopen(), want)
	wantWarnings := []string{
		"skipped __consumer_offsets records what=records of unknown key version records=1 first_offset=3 version=16",
		"skipped __consumer_offsets records what=records of unknown key version records=1 first_offset=4 version=32639",
		"skipped __consumer_offsets records what=records without a key version records=2 first_offset=5",
		"skipped __consumer_offsets records what=undecodable offset commit keys records=1 first_offset=7 version=1",
		"skipped __consumer_offsets records what=offset commit values of unknown version records=1 first_offset=8 version=9",
		"skipped __consumer_offsets records what=undecodable offset commit values records=1 first_offset=9 version=3",
		"skipped __consumer_offsets records what=undecodable group metadata values records=1 first_offset=10 version=3",
	}
	if got := rec.warnings(); !reflect.DeepEqual(got, wantWarnings) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantWarnings, "\n"))
	}

	// The keys whose values replay could not decode are live all the same,
	// so deleting the group deletes them too.
	must(t, s.l.DeleteGroup("g"))
	all := rawRecords(t, s.p)
	var tombstones []string
	for _, r := range all[len(all)-3:] {
		if r.value == nil {
			tombstones = append(tombstones, describeKey(t, r.key))
		}
	}
	if want := []string{"group g", "offset g t/0", "offset g t/1"}; !reflect.DeepEqual(tombstones, want) {
		t.Fatalf("DeleteGroup wrote tombstones %q, want %q", tombstones, want)
	}
	delete(want.Offsets, "g")
	want.Groups = want.Groups[1:]
	checkLoaded(t, s.reopen(), want)
}

// TestReplayAcrossSegments replays a log of many small segments, so that
// replay reads many chunks, with offsets overwritten in later segments.
func TestReplayAcrossSegments(t *testing.T) {
	cfg := testConfig
	cfg.Log.SegmentBytes = 4096
	s := newStoreWith(t, cfg, discard)
	want := map[string]map[group.TopicPartition]group.Offset{}
	for i := range 500 {
		g := fmt.Sprintf("g%d", i%7)
		o := off("topic", int32(i%13), int64(i), strings.Repeat("m", i%50))
		must(t, s.l.CommitOffsets(g, []group.Offset{o}))
		if want[g] == nil {
			want[g] = map[group.TopicPartition]group.Offset{}
		}
		want[g][o.TopicPartition] = o
		if i%101 == 100 {
			must(t, s.l.DeleteGroup("g3"))
			delete(want, "g3")
		}
	}
	if n := countSegments(t, s.dir); n < 10 {
		t.Fatalf("%d segments, want many", n)
	}
	checkLoaded(t, s.reopen(), loadedOffsets(want))
}

func countSegments(t *testing.T, dir string) int {
	t.Helper()
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	return len(logs)
}

// loadedOffsets is the Loaded that holds just offsets.
func loadedOffsets(m map[string]map[group.TopicPartition]group.Offset) group.Loaded {
	l := group.Loaded{Offsets: map[string][]group.Offset{}}
	for g, tps := range m {
		if len(tps) == 0 {
			continue
		}
		var offs []group.Offset
		for _, o := range tps {
			offs = append(offs, o)
		}
		slices.SortFunc(offs, func(a, b group.Offset) int { return compareTP(a.TopicPartition, b.TopicPartition) })
		l.Offsets[g] = offs
	}
	return l
}

// TestCrash copies the partition's files while it is open, as a crash would
// leave them (no clean-shutdown mark, a torn write at the end), and opens
// the copy: everything acknowledged is there.
func TestCrash(t *testing.T) {
	cfg := testConfig
	cfg.Log.SegmentBytes = 8192
	s := newStoreWith(t, cfg, discard)
	want := map[string]map[group.TopicPartition]group.Offset{}
	for i := range 300 {
		g := fmt.Sprintf("g%d", i%5)
		offs := []group.Offset{off("t", int32(i%11), int64(i), ""), off("u", int32(i%3), int64(i), "x")}
		must(t, s.l.CommitOffsets(g, offs))
		if want[g] == nil {
			want[g] = map[group.TopicPartition]group.Offset{}
		}
		for _, o := range offs {
			want[g][o.TopicPartition] = o
		}
		if i == 200 {
			must(t, s.l.DeleteOffsets("g1", []group.TopicPartition{tp("t", 1), tp("u", 1)}))
			delete(want["g1"], tp("t", 1))
			delete(want["g1"], tp("u", 1))
		}
	}
	must(t, s.l.SaveGroup(snapshot("g0", 3, "m1", "m2")))
	crashed := copyDir(t, s.dir)

	// A write torn by the crash: half of a batch after the last one.
	logs, _ := filepath.Glob(filepath.Join(crashed, "*.log"))
	slices.Sort(logs)
	active := logs[len(logs)-1]
	w := newBatchWriter(1, 64, 64)
	w.add(offsetKeyBytes(1, "g0", "t", 0), offsetValueBytes(kmsg.OffsetCommitValue{Version: 3, Offset: 1e9}))
	torn, err := w.seal(1, func(*batch.Header) {})
	must(t, err)
	f, err := os.OpenFile(active, os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	_, err = f.Write(torn[:len(torn)/2])
	must(t, err)
	must(t, f.Close())

	loaded := loadedOffsets(want)
	loaded.Groups = []group.GroupSnapshot{snapshot("g0", 3, "m1", "m2")}
	c := &store{t: t, dir: crashed, cfg: cfg, lg: discard}
	checkLoaded(t, c.open(), loaded)
	t.Cleanup(func() { c.p.Close() })
	if !reflect.DeepEqual(liveIndex(c.l), liveIndex(s.l)) {
		t.Fatal("index after the crash differs from the one before")
	}
	// The recovered log takes writes again.
	must(t, c.l.DeleteGroup("g0"))
	delete(want, "g0")
	checkLoaded(t, c.reopen(), loadedOffsets(want))
}

// copyDir copies the regular files of dir into a new temporary directory.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(dir)
	must(t, err)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		src, err := os.Open(filepath.Join(dir, e.Name()))
		must(t, err)
		dst, err := os.Create(filepath.Join(to, e.Name()))
		must(t, err)
		_, err = io.Copy(dst, src)
		must(t, err)
		must(t, src.Close())
		must(t, dst.Close())
	}
	return to
}

// FuzzRecord feeds replay arbitrary keys and values: it must not panic, and
// whatever it loads must be in its index of live keys.
func FuzzRecord(f *testing.F) {
	f.Add(offsetKeyBytes(1, "g", "t", 0), offsetValueBytes(kmsg.OffsetCommitValue{Version: 3, Offset: 1, Metadata: "m"}), false)
	f.Add(offsetKeyBytes(0, "g", "t", 0), offsetValueBytes(kmsg.OffsetCommitValue{Version: 4, Offset: 1, TopicID: [16]byte{1}}), false)
	f.Add(groupKeyBytes("g"), []byte(nil), true)
	gv := kmsg.GroupMetadataValue{Version: 3, Protocol: str("p"), Members: []kmsg.GroupMetadataValueMember{{MemberID: "m"}}}
	f.Add(groupKeyBytes("g"), gv.AppendTo(nil), false)
	f.Fuzz(func(t *testing.T, key, value []byte, tombstone bool) {
		if tombstone {
			value = nil
		} else if value == nil {
			value = []byte{}
		}
		r := newReplay(discard)
		r.record(0, key, value)
		r.record(1, key, value)
		l := r.loaded()
		for _, g := range l.Groups {
			if k := r.live[g.Group]; k == nil || !k.meta {
				t.Fatalf("group %q loaded but not live", g.Group)
			}
		}
		for g, offs := range l.Offsets {
			for _, o := range offs {
				if _, ok := r.live[g].offsets[o.TopicPartition]; !ok {
					t.Fatalf("offset %q %v loaded but not live", g, o.TopicPartition)
				}
			}
		}
		if tombstone && (len(l.Groups) > 0 || len(l.Offsets) > 0 || len(r.live) > 0) {
			t.Fatalf("a tombstone left state: %v %v", l, r.live)
		}
	})
}
