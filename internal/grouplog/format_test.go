package grouplog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/group"
)

// describeKey decodes a __consumer_offsets key with kmsg, as a tool would.
func describeKey(t testing.TB, key []byte) string {
	t.Helper()
	switch v := int16(binary.BigEndian.Uint16(key)); v {
	case 0, 1:
		var k kmsg.OffsetCommitKey
		if err := k.ReadFrom(key); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("offset %s %s/%d", k.Group, k.Topic, k.Partition)
	case 2:
		var k kmsg.GroupMetadataKey
		if err := k.ReadFrom(key); err != nil {
			t.Fatal(err)
		}
		return "group " + k.Group
	default:
		return fmt.Sprintf("key version %d", v)
	}
}

// schema builds bytes field by field from Kafka's JSON schemas
// (OffsetCommitKey.json and friends), independently of kmsg.
type schema struct{ b []byte }

func (s *schema) i16(v int16) *schema  { s.b = binary.BigEndian.AppendUint16(s.b, uint16(v)); return s }
func (s *schema) i32(v int32) *schema  { s.b = binary.BigEndian.AppendUint32(s.b, uint32(v)); return s }
func (s *schema) i64(v int64) *schema  { s.b = binary.BigEndian.AppendUint64(s.b, uint64(v)); return s }
func (s *schema) str(v string) *schema { s.i16(int16(len(v))); s.b = append(s.b, v...); return s }
func (s *schema) null() *schema        { return s.i16(-1) }

// The flexible types (KIP-482), for the consumer-group values.
func (s *schema) i8(v int8) *schema        { s.b = append(s.b, byte(v)); return s }
func (s *schema) uvarint(v uint64) *schema { s.b = binary.AppendUvarint(s.b, v); return s }
func (s *schema) uuid(v [16]byte) *schema  { s.b = append(s.b, v[:]...); return s }
func (s *schema) cstr(v string) *schema {
	s.uvarint(uint64(len(v)) + 1)
	s.b = append(s.b, v...)
	return s
}
func (s *schema) cnull() *schema          { return s.uvarint(0) }
func (s *schema) carray(n int) *schema    { return s.uvarint(uint64(n) + 1) }
func (s *schema) cbytes(v string) *schema { return s.cstr(v) }
func (s *schema) raw(v []byte) *schema    { s.b = append(s.b, v...); return s }
func (s *schema) bytes(v string) *schema {
	s.i32(int32(len(v)))
	s.b = append(s.b, v...)
	return s
}

// TestKafkaFormat reads the log back as a Kafka tool would: batch by batch,
// every record's key and value compared with bytes laid out from Kafka's
// schemas and decoded with kmsg.
func TestKafkaFormat(t *testing.T) {
	s := newStore(t)
	before := time.Now().UnixMilli()
	must(t, s.l.CommitOffsets("g", []group.Offset{{
		TopicPartition: tp("t", 3), Offset: 42, LeaderEpoch: 5, Metadata: str("md"), CommitTimestamp: 1000,
	}, {
		TopicPartition: tp("t", 4), Offset: 43, LeaderEpoch: -1, CommitTimestamp: 1001,
	}}))
	must(t, s.l.SaveGroup(group.GroupSnapshot{
		Group: "g", ProtocolType: "consumer", Protocol: "range", Leader: "m1", Generation: 7, StateTimestamp: 2000,
		Members: []group.MemberSnapshot{{
			MemberID: "m1", ClientID: "c", ClientHost: "/h", RebalanceTimeout: time.Minute,
			SessionTimeout: 45 * time.Second, Subscription: []byte("s"), Assignment: []byte("a"),
		}, {
			MemberID: "m2", InstanceID: str("i2"), ClientID: "c", ClientHost: "/h", RebalanceTimeout: time.Second,
			SessionTimeout: 10 * time.Second,
		}},
	}))
	must(t, s.l.SaveGroup(group.GroupSnapshot{Group: "g", StateTimestamp: -1}))
	must(t, s.l.DeleteOffsets("g", []group.TopicPartition{tp("t", 4)}))
	must(t, s.l.DeleteGroup("g"))
	after := time.Now().UnixMilli()

	offsetKey := func(p int32) []byte { return new(schema).i16(1).str("g").str("t").i32(p).b }
	groupKey := new(schema).i16(2).str("g").b
	want := []struct {
		key, value []byte
		batch      int // records with the same number share a batch
	}{
		{offsetKey(3), new(schema).i16(3).i64(42).i32(5).str("md").i64(1000).b, 0},
		{offsetKey(4), new(schema).i16(3).i64(43).i32(-1).str("").i64(1001).b, 0},
		{groupKey, new(schema).i16(3).str("consumer").i32(7).str("range").str("m1").i64(2000).i32(2).
			str("m1").null().str("c").str("/h").i32(60000).i32(45000).bytes("s").bytes("a").
			str("m2").str("i2").str("c").str("/h").i32(1000).i32(10000).bytes("").bytes("").b, 1},
		{groupKey, new(schema).i16(3).str("").i32(0).null().null().i64(-1).i32(0).b, 2},
		{offsetKey(4), nil, 3},
		{groupKey, nil, 4},
		{offsetKey(3), nil, 4},
	}
	got := rawRecords(t, s.p)
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i, r := range got {
		w := want[i]
		if r.offset != int64(i) || !bytes.Equal(r.key, w.key) || !bytes.Equal(r.value, w.value) || (r.value == nil) != (w.value == nil) {
			t.Errorf("record %d at %d:\nkey   %x\nvalue %x\nwant\nkey   %x\nvalue %x", i, r.offset, r.key, r.value, w.key, w.value)
		}
		h := r.header
		if h.Magic != 2 || h.ProducerID != -1 || h.ProducerEpoch != -1 || h.BaseSequence != -1 ||
			h.Attributes != 0 || h.BaseTimestamp < before || h.BaseTimestamp > after {
			t.Errorf("record %d: batch header %+v", i, h)
		}
		if first := i == 0 || want[i-1].batch != w.batch; first != (r.offset == h.BaseOffset) {
			t.Errorf("record %d: in batch at %d, want batch %d", i, h.BaseOffset, w.batch)
		}
	}

	// The same records through kmsg's decoders.
	var ok kmsg.OffsetCommitKey
	must(t, ok.ReadFrom(got[0].key))
	var ov kmsg.OffsetCommitValue
	must(t, ov.ReadFrom(got[0].value))
	if ok != (kmsg.OffsetCommitKey{Version: 1, Group: "g", Topic: "t", Partition: 3}) ||
		!reflect.DeepEqual(ov, kmsg.OffsetCommitValue{Version: 3, Offset: 42, LeaderEpoch: 5, Metadata: "md", CommitTimestamp: 1000}) {
		t.Errorf("offset commit decoded as %+v = %+v", ok, ov)
	}
	var gk kmsg.GroupMetadataKey
	must(t, gk.ReadFrom(got[2].key))
	var gv kmsg.GroupMetadataValue
	must(t, gv.ReadFrom(got[2].value))
	m0, m1 := gv.Members[0], gv.Members[1]
	if gk != (kmsg.GroupMetadataKey{Version: 2, Group: "g"}) || gv.Version != 3 || gv.ProtocolType != "consumer" ||
		gv.Generation != 7 || deref(gv.Protocol) != "range" || deref(gv.Leader) != "m1" || gv.CurrentStateTimestamp != 2000 ||
		m0.MemberID != "m1" || m0.InstanceID != nil || m0.RebalanceTimeoutMillis != 60000 || m0.SessionTimeoutMillis != 45000 ||
		string(m0.Subscription) != "s" || string(m0.Assignment) != "a" ||
		m1.MemberID != "m2" || deref(m1.InstanceID) != "i2" || m1.RebalanceTimeoutMillis != 1000 {
		t.Errorf("group metadata decoded as %+v = %+v", gk, gv)
	}
	must(t, gv.ReadFrom(got[3].value))
	if gv.Protocol != nil || gv.Leader != nil || len(gv.Members) != 0 {
		t.Errorf("empty group decoded as %+v", gv)
	}
}

// TestBatchMatchesBuild checks that batchWriter, which sizes its buffer up
// front, writes the very batch batch.Build makes of the same records.
func TestBatchMatchesBuild(t *testing.T) {
	recs := []batch.Record{
		{Key: offsetKeyBytes(1, "g", "t", 0), Value: offsetValueBytes(kmsg.OffsetCommitValue{Version: 3, Offset: 1})},
		{Key: groupKeyBytes("g")},
		{Key: offsetKeyBytes(1, "g", "t", 1), Value: []byte{}},
	}
	w := newBatchWriter(len(recs), 0, 0)
	for _, r := range recs {
		w.add(r.Key, r.Value)
	}
	got, err := w.seal(1234, func(*batch.Header) {})
	must(t, err)
	want, err := batch.Build(batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: 1234}, recs...)
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("batch\n%x\nwant\n%x", got, want)
	}
}
