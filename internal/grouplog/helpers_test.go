package grouplog

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/commitlog"
	"github.com/samsa-streaming/samsa/internal/group"
	"github.com/samsa-streaming/samsa/internal/partition"
)

var discard = slog.New(slog.DiscardHandler)

// testConfig is the partition configuration of the tests: Kafka's default
// max.message.bytes, no time retention (the real topic is compacted).
var testConfig = partition.Config{MaxMessageBytes: 1 << 20, Log: commitlog.Config{RetentionMs: -1}}

func openPartition(t testing.TB, dir string, cfg partition.Config) *partition.Partition {
	t.Helper()
	p, err := partition.Open(dir, "__consumer_offsets", 0, cfg, discard)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// store is a Log on a real partition in a directory that outlives reopens.
type store struct {
	t   testing.TB
	dir string
	cfg partition.Config
	lg  *slog.Logger
	p   *partition.Partition
	l   *Log
}

// newStore opens an empty store in a temporary directory and closes it at
// cleanup.
func newStore(t testing.TB) *store {
	t.Helper()
	return newStoreWith(t, testConfig, discard)
}

func newStoreWith(t testing.TB, cfg partition.Config, lg *slog.Logger) *store {
	t.Helper()
	s := &store{t: t, dir: t.TempDir(), cfg: cfg, lg: lg}
	s.open()
	t.Cleanup(func() { s.p.Close() })
	return s
}

// open opens the partition and replays it, returning what replay loaded.
func (s *store) open() group.Loaded {
	s.t.Helper()
	s.p = openPartition(s.t, s.dir, s.cfg)
	l, loaded, err := Open(s.p, s.lg)
	if err != nil {
		s.t.Fatal(err)
	}
	s.l = l
	return loaded
}

// reopen closes the partition cleanly and opens it again.
func (s *store) reopen() group.Loaded {
	s.t.Helper()
	if err := s.p.Close(); err != nil {
		s.t.Fatal(err)
	}
	return s.open()
}

// append appends raw records as one batch, as a foreign writer would.
func (s *store) append(h batch.Header, recs ...batch.Record) {
	s.t.Helper()
	if h.ProducerID == 0 {
		h.ProducerID, h.ProducerEpoch, h.BaseSequence = -1, -1, -1
	}
	b, err := batch.Build(h, recs...)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.p.Append(b, time.Now()); err != nil {
		s.t.Fatal(err)
	}
}

// rawRecord is one record of the log with its offset.
type rawRecord struct {
	offset     int64
	header     batch.Header
	key, value []byte
}

// rawRecords reads every record of p, as a tool consuming the topic would.
func rawRecords(t testing.TB, p Partition) []rawRecord {
	t.Helper()
	var out []rawRecord
	for off := p.LogStartOffset(); off < p.HighWatermark(); {
		c, err := p.Read(off, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.AppendTo(nil)
		c.Release()
		if err != nil {
			t.Fatal(err)
		}
		for len(b) > 0 {
			h, err := batch.Verify(b[:min(len(b), sizeOf(t, b))])
			if err != nil {
				t.Fatal(err)
			}
			payload, err := batch.Decompress(h.Codec(), b[batch.HeaderSize:h.Size()], batch.MaxUncompressed)
			if err != nil {
				t.Fatal(err)
			}
			err = batch.Records(h, payload, func(r batch.Record) error {
				out = append(out, rawRecord{h.BaseOffset + int64(r.OffsetDelta), h, bytes.Clone(r.Key), clone(r.Value)})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			off = h.LastOffset() + 1
			b = b[h.Size():]
		}
	}
	return out
}

func sizeOf(t testing.TB, b []byte) int {
	t.Helper()
	h, err := batch.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	return h.Size()
}

// clone copies b keeping nil apart from empty.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func str(s string) *string { return &s }

func off(topic string, p int32, offset int64, md string) group.Offset {
	return group.Offset{
		TopicPartition:  group.TopicPartition{Topic: topic, Partition: p},
		Offset:          offset,
		LeaderEpoch:     int32(offset % 7),
		Metadata:        &md,
		CommitTimestamp: 1_700_000_000_000 + offset,
	}
}

func tp(topic string, p int32) group.TopicPartition {
	return group.TopicPartition{Topic: topic, Partition: p}
}

func snapshot(g string, gen int32, members ...string) group.GroupSnapshot {
	s := group.GroupSnapshot{
		Group: g, ProtocolType: "consumer", Protocol: "range", Leader: members[0],
		Generation: gen, StateTimestamp: 1_700_000_000_000 + int64(gen),
	}
	for i, m := range members {
		ms := group.MemberSnapshot{
			MemberID: m, ClientID: "client-" + m, ClientHost: "/10.0.0." + m[len(m)-1:],
			RebalanceTimeout: time.Minute, SessionTimeout: 45 * time.Second,
			Subscription: []byte("sub-" + m), Assignment: []byte("assign-" + m),
		}
		if i%2 == 1 {
			ms.InstanceID = str("instance-" + m)
		}
		s.Members = append(s.Members, ms)
	}
	return s
}

func checkLoaded(t testing.TB, got, want group.Loaded) {
	t.Helper()
	if want.Offsets == nil {
		want.Offsets = map[string][]group.Offset{}
	}
	if want.Groups == nil {
		want.Groups = []group.GroupSnapshot{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded\n%s\nwant\n%s", dump(got), dump(want))
	}
}

func dump(l group.Loaded) string {
	var b strings.Builder
	for _, g := range l.Groups {
		fmt.Fprintf(&b, "group %s %q %q %q gen %d ts %d\n", g.Group, g.ProtocolType, g.Protocol, g.Leader, g.Generation, g.StateTimestamp)
		for _, m := range g.Members {
			fmt.Fprintf(&b, "  member %s instance %v %s %s %v %v %q %q\n", m.MemberID, deref(m.InstanceID),
				m.ClientID, m.ClientHost, m.RebalanceTimeout, m.SessionTimeout, m.Subscription, m.Assignment)
		}
	}
	for _, g := range l.ConsumerGroups {
		fmt.Fprintf(&b, "consumer group %s epoch %d assignment epoch %d topics %v\n", g.Group, g.Epoch, g.AssignmentEpoch, g.Topics)
		for _, m := range g.Members {
			fmt.Fprintf(&b, "  member %+v classic %+v\n", m, m.Classic)
		}
		for _, t := range g.Targets {
			fmt.Fprintf(&b, "  target %+v\n", t)
		}
		for _, a := range g.Assignments {
			fmt.Fprintf(&b, "  assignment %+v\n", a)
		}
	}
	groups := slices.Sorted(maps.Keys(l.Offsets))
	for _, g := range groups {
		for _, o := range l.Offsets[g] {
			md := "<nil>"
			if o.Metadata != nil {
				md = strconv.Quote(*o.Metadata)
			}
			fmt.Fprintf(&b, "offset %s %s/%d = %d epoch %d md %s ts %d\n", g, o.Topic, o.Partition, o.Offset, o.LeaderEpoch, md, o.CommitTimestamp)
		}
	}
	return b.String()
}

// logRecorder is a slog handler that keeps the records it is given.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

// warnings returns the Warn records as "message what=... version=..." lines.
func (h *logRecorder) warnings() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level != slog.LevelWarn {
			continue
		}
		line := r.Message
		r.Attrs(func(a slog.Attr) bool {
			line += " " + a.String()
			return true
		})
		out = append(out, line)
	}
	return out
}

// liveIndex copies l's index of live keys.
func liveIndex(l *Log) map[string]liveKeys {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]liveKeys, len(l.mu.live))
	for g, k := range l.mu.live {
		out[g] = liveKeys{meta: k.meta, offsets: maps.Clone(k.offsets), consumer: maps.Clone(k.consumer)}
	}
	return out
}
