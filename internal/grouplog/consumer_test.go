package grouplog

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/group"
)

func i32p(v int32) *int32 { return &v }

func topicID(n byte) [16]byte { return [16]byte{0: 0xab, 15: n} }

// tps is partitions ps of topic n.
func tps(n byte, ps ...int32) []group.TopicIDPartitions {
	return []group.TopicIDPartitions{{TopicID: topicID(n), Partitions: ps}}
}

func consumerMember(id string) group.ConsumerMember {
	return group.ConsumerMember{
		MemberID: id, InstanceID: str("instance-" + id), ClientID: "client-" + id, ClientHost: "/10.0.0.1",
		Topics: []string{"t", "u"}, RebalanceTimeout: time.Minute, Assignor: "uniform",
	}
}

func classicConsumerMember(id string) group.ConsumerMember {
	m := group.ConsumerMember{MemberID: id, ClientID: "classic-" + id, ClientHost: "/10.0.0.2",
		Topics: []string{"t"}, RebalanceTimeout: 10 * time.Second, RackID: str("rack")}
	m.Classic = &group.ClassicMember{SessionTimeout: 45 * time.Second, Protocols: []group.ClassicProtocol{
		{Name: "cooperative-sticky", Metadata: []byte("sub")}, {Name: "range", Metadata: []byte("sub2")},
	}}
	return m
}

func assignment(id string, epoch int32, state int8, assigned, revoking []group.TopicIDPartitions) group.ConsumerAssignment {
	return group.ConsumerAssignment{MemberID: id, Epoch: epoch, PreviousEpoch: epoch - 1, State: state, Assigned: assigned, Revoking: revoking}
}

// joined is a consumer group "g" of member a at epoch 1.
func joined() group.ConsumerGroupChange {
	return group.ConsumerGroupChange{
		Group: "g", Epoch: i32p(1), AssignmentEpoch: i32p(1),
		Topics: map[string]group.TopicMeta{"t": {ID: topicID(1), Partitions: 3}}, TopicsChanged: true,
		Members:     []group.ConsumerMember{consumerMember("a")},
		Targets:     []group.ConsumerTarget{{MemberID: "a", Partitions: tps(1, 0, 1, 2)}},
		Assignments: []group.ConsumerAssignment{assignment("a", 1, 0, tps(1, 0, 1, 2), nil)},
	}
}

// secondJoined is joined after b, a classic member, joined and a revokes.
func secondJoined() group.ConsumerGroupChange {
	return group.ConsumerGroupChange{
		Group: "g", Epoch: i32p(2), AssignmentEpoch: i32p(2),
		Members: []group.ConsumerMember{classicConsumerMember("b")},
		Targets: []group.ConsumerTarget{{MemberID: "a", Partitions: tps(1, 0, 1)}, {MemberID: "b", Partitions: tps(1, 2)}},
		Assignments: []group.ConsumerAssignment{
			assignment("a", 1, 1, tps(1, 0, 1), tps(1, 2)),
			assignment("b", 2, 2, nil, nil),
		},
	}
}

func TestConsumerStore(t *testing.T) {
	loadedJoined := group.ConsumerGroupSnapshot{
		Group: "g", Epoch: 1, AssignmentEpoch: 1, Topics: map[string]group.TopicMeta{"t": {ID: topicID(1), Partitions: 3}},
		Members:     []group.ConsumerMember{consumerMember("a")},
		Targets:     []group.ConsumerTarget{{MemberID: "a", Partitions: tps(1, 0, 1, 2)}},
		Assignments: []group.ConsumerAssignment{assignment("a", 1, 0, tps(1, 0, 1, 2), nil)},
	}
	loadedSecond := loadedJoined
	loadedSecond.Epoch, loadedSecond.AssignmentEpoch = 2, 2
	loadedSecond.Members = []group.ConsumerMember{consumerMember("a"), classicConsumerMember("b")}
	loadedSecond.Targets = []group.ConsumerTarget{{MemberID: "a", Partitions: tps(1, 0, 1)}, {MemberID: "b", Partitions: tps(1, 2)}}
	loadedSecond.Assignments = []group.ConsumerAssignment{assignment("a", 1, 1, tps(1, 0, 1), tps(1, 2)), assignment("b", 2, 2, nil, nil)}
	tests := []struct {
		name string
		ops  func(t *testing.T, l *Log)
		want group.Loaded
	}{{
		name: "join",
		ops:  func(t *testing.T, l *Log) { must(t, l.SaveConsumerGroup(joined())) },
		want: group.Loaded{ConsumerGroups: []group.ConsumerGroupSnapshot{loadedJoined}},
	}, {
		name: "changes replace records by key",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.SaveConsumerGroup(secondJoined()))
		},
		want: group.Loaded{ConsumerGroups: []group.ConsumerGroupSnapshot{loadedSecond}},
	}, {
		name: "a member leaves",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.SaveConsumerGroup(secondJoined()))
			must(t, l.SaveConsumerGroup(group.ConsumerGroupChange{Group: "g", Epoch: i32p(3), Removed: []string{"a"}}))
		},
		want: group.Loaded{ConsumerGroups: []group.ConsumerGroupSnapshot{{
			Group: "g", Epoch: 3, AssignmentEpoch: 2, Topics: loadedJoined.Topics,
			Members:     []group.ConsumerMember{classicConsumerMember("b")},
			Targets:     []group.ConsumerTarget{{MemberID: "b", Partitions: tps(1, 2)}},
			Assignments: []group.ConsumerAssignment{assignment("b", 2, 2, nil, nil)},
		}}},
	}, {
		name: "empty group, no topics",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.SaveConsumerGroup(group.ConsumerGroupChange{Group: "g", Epoch: i32p(2), AssignmentEpoch: i32p(2),
				Topics: map[string]group.TopicMeta{}, TopicsChanged: true, Removed: []string{"a"}}))
		},
		want: group.Loaded{ConsumerGroups: []group.ConsumerGroupSnapshot{{Group: "g", Epoch: 2, AssignmentEpoch: 2,
			Topics: map[string]group.TopicMeta{}}}},
	}, {
		name: "delete group",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.SaveConsumerGroup(secondJoined()))
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 5, "")}))
			must(t, l.DeleteGroup("g"))
		},
	}, {
		name: "downgrade: SaveGroup replaces the consumer group",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 5, "")}))
			must(t, l.SaveGroup(snapshot("g", 1, "a")))
		},
		want: group.Loaded{
			Groups:  []group.GroupSnapshot{snapshot("g", 1, "a")},
			Offsets: map[string][]group.Offset{"g": {off("t", 0, 5, "")}},
		},
	}, {
		name: "upgrade: SaveConsumerGroup replaces the classic group",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveGroup(snapshot("g", 1, "a")))
			must(t, l.SaveConsumerGroup(joined()))
		},
		want: group.Loaded{ConsumerGroups: []group.ConsumerGroupSnapshot{loadedJoined}},
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
			checkLoaded(t, s.reopen(), tt.want)
		})
	}
}

// TestConsumerTombstones checks the tombstones written when a consumer
// group is deleted, downgraded or upgraded, as Kafka orders them.
func TestConsumerTombstones(t *testing.T) {
	tests := []struct {
		name string
		ops  func(t *testing.T, l *Log)
		want []string // the last batch, tombstones prefixed with "-"
	}{{
		name: "delete",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.SaveConsumerGroup(secondJoined()))
			must(t, l.CommitOffsets("g", []group.Offset{off("t", 0, 5, "")}))
			must(t, l.DeleteGroup("g"))
		},
		want: []string{"-group g", "-8 g/a", "-7 g/a", "-5 g/a", "-8 g/b", "-7 g/b", "-5 g/b", "-6 g", "-4 g", "-3 g", "-offset g t/0"},
	}, {
		name: "member leaves",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.SaveConsumerGroup(group.ConsumerGroupChange{Group: "g", Epoch: i32p(2), Removed: []string{"a"}}))
		},
		want: []string{"-8 g/a", "-7 g/a", "-5 g/a", "3 g"},
	}, {
		name: "downgrade",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveConsumerGroup(joined()))
			must(t, l.SaveGroup(snapshot("g", 1, "a")))
		},
		want: []string{"-8 g/a", "-7 g/a", "-5 g/a", "-6 g", "-4 g", "-3 g", "group g"},
	}, {
		name: "upgrade",
		ops: func(t *testing.T, l *Log) {
			must(t, l.SaveGroup(snapshot("g", 1, "a")))
			must(t, l.SaveConsumerGroup(joined()))
		},
		want: []string{"-group g", "5 g/a", "4 g", "3 g", "7 g/a", "6 g", "8 g/a"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			tt.ops(t, s.l)
			recs := rawRecords(t, s.p)
			last := recs[len(recs)-1].header.BaseOffset
			var got []string
			for _, r := range recs {
				if r.header.BaseOffset == last {
					got = append(got, describeRecord(t, r))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("last batch %q, want %q", got, tt.want)
			}
		})
	}
}

// describeRecord is r's key, briefly, "-" first for a tombstone.
func describeRecord(t testing.TB, r rawRecord) string {
	t.Helper()
	d := describeKey(t, r.key)
	if typ := consumerType(int16(r.key[0])<<8 | int16(r.key[1])); typ.known() {
		g, k, ok := readConsumerKey(r.key)
		if !ok {
			t.Fatalf("undecodable key %x", r.key)
		}
		d = fmt.Sprintf("%d %s", typ, g)
		if k.member != "" {
			d += "/" + k.member
		}
	}
	if r.value == nil {
		return "-" + d
	}
	return d
}

// TestConsumerFormat compares the records SaveConsumerGroup writes with
// bytes laid out field by field from Kafka's JSON schemas
// (group-coordinator/src/main/resources/common/message/ConsumerGroup*.json),
// independently of the encoders.
func TestConsumerFormat(t *testing.T) {
	s := newStore(t)
	member := classicConsumerMember("m")
	member.InstanceID, member.RackID, member.Assignor = str("i"), nil, "uniform"
	member.Classic.Protocols = member.Classic.Protocols[1:]
	must(t, s.l.SaveConsumerGroup(group.ConsumerGroupChange{
		Group: "g", Removed: []string{"old"}, Members: []group.ConsumerMember{member},
		Topics: map[string]group.TopicMeta{"t": {ID: topicID(1), Partitions: 3}}, TopicsChanged: true,
		Epoch: i32p(5), Targets: []group.ConsumerTarget{{MemberID: "m", Partitions: tps(1, 0, 2)}}, AssignmentEpoch: i32p(5),
		Assignments: []group.ConsumerAssignment{assignment("m", 5, 1, tps(1, 0), tps(1, 2))},
	}))
	key := func(typ int16, member ...string) []byte {
		k := new(schema).i16(typ).str("g")
		for _, m := range member {
			k.str(m)
		}
		return k.b
	}
	classic := new(schema).uvarint(1).i32(45000).carray(1).cstr("range").cbytes("sub2").uvarint(0).uvarint(0).b
	want := []struct{ key, value []byte }{
		{key(8, "old"), nil},
		{key(7, "old"), nil},
		{key(5, "old"), nil},
		{key(5, "m"), new(schema).i16(0).cstr("i").cnull().cstr("classic-m").cstr("/10.0.0.2").carray(1).cstr("t").
			cnull().i32(10000).cstr("uniform").uvarint(1).uvarint(0).uvarint(uint64(len(classic))).raw(classic).b},
		{key(4), new(schema).i16(0).carray(1).uuid(topicID(1)).cstr("t").i32(3).carray(0).uvarint(0).uvarint(0).b},
		{key(3), new(schema).i16(0).i32(5).uvarint(0).b},
		{key(7, "m"), new(schema).i16(0).carray(1).uuid(topicID(1)).carray(2).i32(0).i32(2).uvarint(0).uvarint(0).b},
		{key(6), new(schema).i16(0).i32(5).uvarint(0).b},
		{key(8, "m"), new(schema).i16(0).i32(5).i32(4).i8(1).
			carray(1).uuid(topicID(1)).carray(1).i32(0).uvarint(0).
			carray(1).uuid(topicID(1)).carray(1).i32(2).uvarint(0).uvarint(0).b},
	}
	got := rawRecords(t, s.p)
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i, r := range got {
		if !bytes.Equal(r.key, want[i].key) || !bytes.Equal(r.value, want[i].value) || (r.value == nil) != (want[i].value == nil) {
			t.Errorf("record %d:\nkey   %x\nvalue %x\nwant\nkey   %x\nvalue %x", i, r.key, r.value, want[i].key, want[i].value)
		}
		if r.header.BaseOffset != 0 {
			t.Errorf("record %d in a batch at %d: one call, one batch", i, r.header.BaseOffset)
		}
	}
	// Checked by hand against ConsumerGroupMetadataKey.json and
	// ConsumerGroupMetadataValue.json: type 3, group "g"; version 0,
	// epoch 5, no tagged fields.
	if k, v := hex.EncodeToString(got[5].key), hex.EncodeToString(got[5].value); k != "0003000167" || v != "00000000000500" {
		t.Errorf("ConsumerGroupMetadata %s = %s", k, v)
	}
}

// TestConsumerReplayKafka41 replays values as Kafka 4.1 and later write
// them, with tagged fields replay does not use (4.1's MetadataHash, later
// ones) and rack metadata, and records replay must skip: a value of an
// unknown version and one it cannot decode.
func TestConsumerReplayKafka41(t *testing.T) {
	rec := &logRecorder{}
	s := newStoreWith(t, testConfig, slog.New(rec))
	key := func(typ int16, member ...string) []byte {
		k := new(schema).i16(typ).str("k41")
		for _, m := range member {
			k.str(m)
		}
		return k.b
	}
	tag := func(s *schema, tag uint64, data []byte) *schema {
		return s.uvarint(tag).uvarint(uint64(len(data))).raw(data)
	}
	hash := new(schema).i64(0x1234).b
	epochValue := tag(tag(new(schema).i16(0).i32(7).uvarint(2), 0, hash), 1, new(schema).i64(1_700_000_000_000).b).b
	topics := new(schema).i16(0).carray(1).uuid(topicID(1)).cstr("t").i32(2).
		carray(2).i32(0).carray(1).cstr("rack-a").uvarint(0).i32(1).carray(0).uvarint(0).uvarint(0).uvarint(0).b
	classic := new(schema).uvarint(1).i32(30000).carray(1).cstr("range").cbytes("md").uvarint(0).uvarint(0).b
	memberValue := new(schema).i16(0).cnull().cstr("r").cstr("c").cstr("h").carray(0).cstr("t.*").i32(5000).cnull().uvarint(2)
	memberValue = tag(tag(memberValue, 0, classic), 9, []byte("future"))
	targetEpoch := tag(new(schema).i16(0).i32(7).uvarint(1), 0, hash).b
	epochs := new(schema).carray(2).i32(6).i32(7).b // AssignmentEpochs (KIP-1251), per topic
	current := new(schema).i16(0).i32(7).i32(6).i8(0).carray(1).uuid(topicID(1)).carray(2).i32(0).i32(1).uvarint(1)
	current = tag(current, 0, epochs).carray(0).uvarint(0)
	s.append(batch.Header{BaseTimestamp: 1},
		batch.Record{Key: key(3), Value: epochValue},
		batch.Record{Key: key(4), Value: topics},
		batch.Record{Key: key(5, "m"), Value: memberValue.b},
		batch.Record{Key: key(6), Value: targetEpoch},
		batch.Record{Key: key(8, "m"), Value: current.b},
		batch.Record{Key: key(7, "m"), Value: new(schema).i16(1).b},           // unknown version
		batch.Record{Key: key(7, "x"), Value: new(schema).i16(0).carray(5).b}, // truncated
	)
	rec.records = nil
	want := group.Loaded{ConsumerGroups: []group.ConsumerGroupSnapshot{{
		Group: "k41", Epoch: 7, AssignmentEpoch: 7, Topics: map[string]group.TopicMeta{"t": {ID: topicID(1), Partitions: 2}},
		Members: []group.ConsumerMember{{MemberID: "m", RackID: str("r"), ClientID: "c", ClientHost: "h", Regex: str("t.*"),
			RebalanceTimeout: 5 * time.Second, Classic: &group.ClassicMember{SessionTimeout: 30 * time.Second,
				Protocols: []group.ClassicProtocol{{Name: "range", Metadata: []byte("md")}}}}},
		Assignments: []group.ConsumerAssignment{{MemberID: "m", Epoch: 7, PreviousEpoch: 6, Assigned: tps(1, 0, 1)}},
	}}}
	checkLoaded(t, s.reopen(), want)
	wantWarnings := []string{
		"skipped __consumer_offsets records what=ConsumerGroupTargetAssignmentMember values of unknown version records=1 first_offset=5 version=1",
		"skipped __consumer_offsets records what=undecodable ConsumerGroupTargetAssignmentMember values records=1 first_offset=6 version=0",
	}
	if got := rec.warnings(); !reflect.DeepEqual(got, wantWarnings) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantWarnings, "\n"))
	}
	// The skipped keys are live: deleting the group tombstones them too.
	must(t, s.l.DeleteGroup("k41"))
	recs := rawRecords(t, s.p)
	var tombstones []string
	for _, r := range recs[len(recs)-8:] {
		tombstones = append(tombstones, describeRecord(t, r))
	}
	wantTombstones := []string{"-group k41", "-8 k41/m", "-7 k41/m", "-5 k41/m", "-7 k41/x", "-6 k41", "-4 k41", "-3 k41"}
	if !reflect.DeepEqual(tombstones, wantTombstones) {
		t.Fatalf("tombstones %q, want %q", tombstones, wantTombstones)
	}
	checkLoaded(t, s.reopen(), group.Loaded{})
}

// TestConsumerReplayLaterTypeWins replays a log holding both a classic
// group's and a consumer group's records for one id, as a writer that did
// not tombstone the other type could leave it: the type written last wins.
func TestConsumerReplayLaterTypeWins(t *testing.T) {
	s := newStore(t)
	must(t, s.l.SaveConsumerGroup(joined()))
	gv := groupValueBytes(t, snapshot("g", 4, "m1"))
	s.append(batch.Header{BaseTimestamp: 1}, batch.Record{Key: groupKeyBytes("g"), Value: gv})
	checkLoaded(t, s.reopen(), group.Loaded{Groups: []group.GroupSnapshot{snapshot("g", 4, "m1")}})

	s.append(batch.Header{BaseTimestamp: 2}, batch.Record{Key: new(schema).i16(3).str("g").b, Value: new(schema).i16(0).i32(9).uvarint(0).b})
	loaded := s.reopen()
	if len(loaded.Groups) != 0 || len(loaded.ConsumerGroups) != 1 || loaded.ConsumerGroups[0].Epoch != 9 {
		t.Fatalf("after a later consumer record: %s", dump(loaded))
	}
	// Deleting the group deletes both.
	must(t, s.l.DeleteGroup("g"))
	checkLoaded(t, s.reopen(), group.Loaded{})
}

func groupValueBytes(t *testing.T, s group.GroupSnapshot) []byte {
	t.Helper()
	v, err := groupValue(&s)
	must(t, err)
	return v.AppendTo(nil)
}

// FuzzConsumerValue feeds the consumer-group decoders arbitrary values of
// every type: they must not panic, a value they accept must encode back to
// one that decodes the same, and replay must index whatever it loads.
func FuzzConsumerValue(f *testing.F) {
	var w batchWriter
	for _, c := range []group.ConsumerGroupChange{joined(), secondJoined()} {
		addConsumerChange(&w, &c)
	}
	for _, r := range batchRecords(f, &w) {
		f.Add(r.Key, r.Value)
	}
	f.Add(new(schema).i16(3).str("g").b, new(schema).i16(0).i32(1).uvarint(1).uvarint(0).uvarint(8).i64(7).b)
	f.Fuzz(func(t *testing.T, key, value []byte) {
		r := newReplay(discard)
		r.record(0, key, value)
		l := r.loaded()
		for _, cg := range l.ConsumerGroups {
			if k := r.live[cg.Group]; k == nil || len(k.consumer) == 0 {
				t.Fatalf("consumer group %q loaded but not live", cg.Group)
			}
			roundTrip(t, cg)
		}
	})
}

// roundTrip writes cg as one change and replays it: the same group comes
// back.
func roundTrip(t *testing.T, cg group.ConsumerGroupSnapshot) {
	t.Helper()
	// The epochs are written even if the group had no record of them:
	// a missing epoch and epoch 0 load alike.
	c := group.ConsumerGroupChange{Group: cg.Group, Epoch: &cg.Epoch, AssignmentEpoch: &cg.AssignmentEpoch,
		Topics: cg.Topics, TopicsChanged: cg.Topics != nil,
		Members: cg.Members, Targets: cg.Targets, Assignments: cg.Assignments}
	if checkConsumerChange(&c) != nil {
		return // a string Kafka could not have written
	}
	var w batchWriter
	addConsumerChange(&w, &c)
	r := newReplay(discard)
	for i, rec := range batchRecords(t, &w) {
		r.record(int64(i), rec.Key, rec.Value)
	}
	again := r.loaded().ConsumerGroups
	if len(again) != 1 || !reflect.DeepEqual(again[0], cg) {
		t.Fatalf("round trip of\n%s\ngave\n%s", dump(group.Loaded{ConsumerGroups: []group.ConsumerGroupSnapshot{cg}}),
			dump(group.Loaded{ConsumerGroups: again}))
	}
}

// batchRecords is the records w holds.
func batchRecords(t testing.TB, w *batchWriter) []batch.Record {
	t.Helper()
	b, err := w.seal(0, func(*batch.Header) {})
	if err != nil {
		t.Fatal(err)
	}
	h, err := batch.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []batch.Record
	err = batch.Records(h, b[batch.HeaderSize:], func(r batch.Record) error {
		out = append(out, batch.Record{Key: bytes.Clone(r.Key), Value: clone(r.Value)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConsumerWritesNothing: an empty change and one with a string Kafka's
// schemas cannot hold write nothing.
func TestConsumerWritesNothing(t *testing.T) {
	s := newStore(t)
	must(t, s.l.SaveConsumerGroup(group.ConsumerGroupChange{Group: "g"}))
	long := joined()
	long.Members[0].ClientID = strings.Repeat("x", 1<<15)
	if err := s.l.SaveConsumerGroup(long); !errors.Is(err, ErrTooLong) {
		t.Fatalf("client id of %d bytes: %v, want ErrTooLong", len(long.Members[0].ClientID), err)
	}
	if hwm := s.p.HighWatermark(); hwm != 0 {
		t.Fatalf("high watermark %d, want 0", hwm)
	}
	if got := liveIndex(s.l); len(got) != 0 {
		t.Fatalf("index %v, want empty", got)
	}
}
