package grouplog

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/group"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestStore(t *testing.T) {
	tests := []struct {
		name string
		ops  func(t *testing.T, l *Log)
		want group.Loaded
	}{{
		name: "commit",
		ops: func(t *testing.T, l *Log) {
			must(t, l.CommitOffsets("g1", []group.Offset{off("t", 0, 10, "a"), off("t", 1, 20, "")}))
			must(t, l.CommitOffsets("g2", []group.Offset{off("u", 0, 5, "b")}))
		},
		want: group.Loaded{Offsets: map[string][]group.Offset{
			"g1": {off("t", 0, 10, "a"), off("t", 1, 20, "")},
			"g2": {off("u", 0, 5, "b")},
		}},
	}, {
		name: "overwrite",
		ops: func(t *testing.T, l *Log) {
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 10, "a"), off("t", 1, 1, "x")}))
			// Later wins, also within one call.
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 11, "b"), off("t", 1, 3, "y"), off("t", 1, 2, "z")}))
		},
		want: group.Loaded{Offsets: map[string][]group.Offset{
			"g": {off("t", 0, 11, "b"), off("t", 1, 2, "z")},
		}},
	}, {
		name: "nil metadata is stored as empty",
		ops: func(t *testing.T, l *Log) {
			o := off("t", 0, 1, "")
			o.Metadata = nil
			must(t, l.CommitOffsets("g", []group.Offset{o}))
		},
		want: group.Loaded{Offsets: map[string][]group.Offset{"g": {off("t", 0, 1, "")}}},
	}, {
		name: "delete offsets",
		ops: func(t *testing.T, l *Log) {
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 1, ""), off("t", 1, 2, ""), off("t", 2, 3, "")}))
			must(t, l.CommitOffsets("h", []group.Offset{off("t", 0, 4, "")}))
			must(t, l.DeleteOffsets("g", []group.TopicPartition{tp("t", 0), tp("t", 2), tp("unknown", 9)}))
			must(t, l.DeleteOffsets("h", []group.TopicPartition{tp("t", 0)}))
			must(t, l.DeleteOffsets("nobody", []group.TopicPartition{tp("t", 0)}))
		},
		want: group.Loaded{Offsets: map[string][]group.Offset{"g": {off("t", 1, 2, "")}}},
	}, {
		name: "save group",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveGroup(snapshot("g", 1, "m1", "m2", "m3")))
			must(t, l.SaveGroup(snapshot("g", 2, "m2", "m3")))
			must(t, l.SaveGroup(snapshot("h", 7, "m1")))
		},
		want: group.Loaded{Groups: []group.GroupSnapshot{snapshot("g", 2, "m2", "m3"), snapshot("h", 7, "m1")}},
	}, {
		name: "empty group and empty member fields",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveGroup(group.GroupSnapshot{Group: "e", StateTimestamp: -1}))
			s := snapshot("f", 3, "m1")
			s.Members[0].Subscription = []byte{}
			s.Members[0].Assignment = nil
			must(t, l.SaveGroup(s))
		},
		want: group.Loaded{Groups: []group.GroupSnapshot{
			{Group: "e", StateTimestamp: -1},
			func() group.GroupSnapshot {
				s := snapshot("f", 3, "m1")
				s.Members[0].Subscription, s.Members[0].Assignment = nil, nil
				return s
			}(),
		}},
	}, {
		name: "delete group",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveGroup(snapshot("g", 1, "m1")))
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 1, ""), off("u", 3, 2, "")}))
			must(t, l.SaveGroup(snapshot("h", 1, "m1")))
			must(t, l.CommitOffsets("h", []group.Offset{off("t", 0, 9, "")}))
			must(t, l.DeleteGroup("g"))
			must(t, l.DeleteGroup("nobody"))
		},
		want: group.Loaded{
			Groups:  []group.GroupSnapshot{snapshot("h", 1, "m1")},
			Offsets: map[string][]group.Offset{"h": {off("t", 0, 9, "")}},
		},
	}, {
		name: "group reused after delete",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveGroup(snapshot("g", 5, "m1")))
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 1, ""), off("t", 1, 1, "")}))
			must(t, l.DeleteGroup("g"))
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 1, 7, "")}))
		},
		want: group.Loaded{Offsets: map[string][]group.Offset{"g": {off("t", 1, 7, "")}}},
	}, {
		name: "offsets only, group metadata only",
		ops: func(t *testing.T, l *Log) {
			must(t, l.CommitOffsets("simple", []group.Offset{off("t", 0, 1, "")})) // assign(), no group
			must(t, l.SaveGroup(snapshot("new", 1, "m1")))                         // nothing committed yet
		},
		want: group.Loaded{
			Groups:  []group.GroupSnapshot{snapshot("new", 1, "m1")},
			Offsets: map[string][]group.Offset{"simple": {off("t", 0, 1, "")}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			tt.ops(t, s.l)
			index := liveIndex(s.l)
			checkLoaded(t, s.reopen(), tt.want)
			if got := liveIndex(s.l); !reflect.DeepEqual(got, index) {
				t.Fatalf("index after replay %v, before %v", got, index)
			}
			checkLoaded(t, s.reopen(), tt.want) // replaying is repeatable
		})
	}
}

// TestDeleteGroupAfterReplay checks that DeleteGroup finds, in the index
// rebuilt by replay, offsets committed before the restart, and that the
// tombstones stay in force across later restarts.
func TestDeleteGroupAfterReplay(t *testing.T) {
	s := newStore(t)
	must(t, s.l.SaveGroup(snapshot("g", 1, "m1", "m2")))
	must(t, s.l.CommitOffsets("g", []group.Offset{off("t", 0, 1, ""), off("t", 1, 2, "")}))
	must(t, s.l.CommitOffsets("g", []group.Offset{off("u", 0, 3, "")}))
	must(t, s.l.CommitOffsets("h", []group.Offset{off("t", 0, 4, "")}))
	s.reopen()
	must(t, s.l.DeleteGroup("g"))
	want := group.Loaded{Offsets: map[string][]group.Offset{"h": {off("t", 0, 4, "")}}}
	checkLoaded(t, s.reopen(), want)
	must(t, s.l.CommitOffsets("h", []group.Offset{off("t", 1, 5, "")}))
	want.Offsets["h"] = append(want.Offsets["h"], off("t", 1, 5, ""))
	checkLoaded(t, s.reopen(), want)
	checkLoaded(t, s.reopen(), want)

	// The last call wrote one batch: the group tombstone, then one per offset.
	recs := rawRecords(t, s.p)
	var tombstones []string
	for _, r := range recs {
		if r.value == nil {
			tombstones = append(tombstones, describeKey(t, r.key))
		}
	}
	wantTombstones := []string{"group g", "offset g t/0", "offset g t/1", "offset g u/0"}
	if !reflect.DeepEqual(tombstones, wantTombstones) {
		t.Fatalf("tombstones %q, want %q", tombstones, wantTombstones)
	}
}

func TestDeleteOffsetsAfterReplay(t *testing.T) {
	s := newStore(t)
	must(t, s.l.CommitOffsets("g", []group.Offset{off("t", 0, 1, ""), off("t", 1, 2, "")}))
	s.reopen()
	must(t, s.l.DeleteOffsets("g", []group.TopicPartition{tp("t", 1)}))
	checkLoaded(t, s.reopen(), group.Loaded{Offsets: map[string][]group.Offset{"g": {off("t", 0, 1, "")}}})
	must(t, s.l.DeleteOffsets("g", []group.TopicPartition{tp("t", 0)}))
	checkLoaded(t, s.reopen(), group.Loaded{})
	if got := liveIndex(s.l); len(got) != 0 {
		t.Fatalf("index %v, want empty", got)
	}
}

// TestNothingToDelete checks that deletes of keys that are not live write
// nothing (a batch must hold a record) and still succeed.
func TestNothingToDelete(t *testing.T) {
	s := newStore(t)
	must(t, s.l.CommitOffsets("g", nil))
	must(t, s.l.DeleteOffsets("g", []group.TopicPartition{tp("t", 0)}))
	must(t, s.l.CommitOffsets("g", []group.Offset{off("t", 0, 1, "")}))
	hwm := s.p.HighWatermark()
	must(t, s.l.DeleteOffsets("g", []group.TopicPartition{tp("t", 1)}))
	must(t, s.l.DeleteOffsets("g", nil))
	if got := s.p.HighWatermark(); got != hwm {
		t.Fatalf("high watermark %d after deleting nothing, want %d", got, hwm)
	}
}

func TestTooLarge(t *testing.T) {
	s := newStore(t)
	big := snapshot("g", 1, "m1")
	big.Members[0].Assignment = make([]byte, 1<<20)
	if err := s.l.SaveGroup(big); !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("SaveGroup over max.message.bytes: %v, want MESSAGE_TOO_LARGE", err)
	}
	offsets := make([]group.Offset, 20000)
	for i := range offsets {
		offsets[i] = off("a-topic-with-a-long-name", int32(i), int64(i), "")
	}
	if err := s.l.CommitOffsets("g", offsets); !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("CommitOffsets over max.message.bytes: %v, want MESSAGE_TOO_LARGE", err)
	}
	long := strings.Repeat("x", 1<<15)
	for name, err := range map[string]error{
		"topic":     s.l.CommitOffsets("g", []group.Offset{off(long, 0, 1, "")}),
		"metadata":  s.l.CommitOffsets("g", []group.Offset{off("t", 0, 1, long)}),
		"group":     s.l.CommitOffsets(long, []group.Offset{off("t", 0, 1, "")}),
		"member id": s.l.SaveGroup(snapshot("g", 1, long)),
		"delete":    s.l.DeleteGroup(long),
	} {
		if !errors.Is(err, ErrTooLong) {
			t.Errorf("%s of %d bytes: %v, want ErrTooLong", name, len(long), err)
		}
	}
	if hwm := s.p.HighWatermark(); hwm != 0 {
		t.Fatalf("high watermark %d after failed calls, want 0", hwm)
	}
	if got := liveIndex(s.l); len(got) != 0 {
		t.Fatalf("index %v after failed calls, want empty", got)
	}
	// Just under the limits works.
	must(t, s.l.CommitOffsets("g", []group.Offset{off("t", 0, 1, long[1:])}))
	checkLoaded(t, s.reopen(), group.Loaded{Offsets: map[string][]group.Offset{"g": {off("t", 0, 1, long[1:])}}})
}
