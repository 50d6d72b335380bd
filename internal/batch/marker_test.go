package batch

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestEndTxnMarkerDecodesWithKmsg: franz-go, an independent reader, sees a
// valid control batch holding one end-transaction control record.
func TestEndTxnMarkerDecodesWithKmsg(t *testing.T) {
	for _, tt := range []struct {
		commit bool
		typ    kmsg.ControlRecordKeyType
	}{{true, kmsg.ControlRecordKeyTypeCommit}, {false, kmsg.ControlRecordKeyTypeAbort}} {
		b := EndTxnMarker(42, 7, tt.commit, 3, 1_700_000_000_123)
		h, err := Verify(b)
		wantCode(t, err, nil)
		if !h.IsControl() || !h.IsTransactional() || h.BaseSequence != -1 || h.NumRecords != 1 {
			t.Fatalf("header %+v: want a transactional control batch of one record, base sequence -1", h)
		}
		var rb kmsg.RecordBatch
		if err := rb.ReadFrom(b); err != nil {
			t.Fatal(err)
		}
		if rb.Magic != 2 || rb.Attributes != 0x30 || rb.ProducerID != 42 || rb.ProducerEpoch != 7 ||
			rb.FirstTimestamp != 1_700_000_000_123 || rb.MaxTimestamp != 1_700_000_000_123 || rb.LastOffsetDelta != 0 {
			t.Fatalf("kmsg batch %+v", rb)
		}
		var rec kmsg.Record
		if err := rec.ReadFrom(rb.Records); err != nil {
			t.Fatal(err)
		}
		var key kmsg.ControlRecordKey
		var val kmsg.EndTxnMarker
		if err := key.ReadFrom(rec.Key); err != nil || key.Version != 0 || key.Type != tt.typ {
			t.Fatalf("control key %+v, %v; want version 0 type %v", key, err, tt.typ)
		}
		if err := val.ReadFrom(rec.Value); err != nil || val.Version != 0 || val.CoordinatorEpoch != 3 {
			t.Fatalf("marker value %+v, %v; want version 0 coordinator epoch 3", val, err)
		}
		if rec.OffsetDelta != 0 || rec.TimestampDelta64 != 0 {
			t.Fatalf("record deltas %d %d, want 0 0", rec.OffsetDelta, rec.TimestampDelta64)
		}
		commit, epoch, err := ParseEndTxnMarker(rec.Key, rec.Value)
		if err != nil || commit != tt.commit || epoch != 3 {
			t.Fatalf("ParseEndTxnMarker: %v %d %v", commit, epoch, err)
		}
	}
}

func TestParseEndTxnMarkerRejects(t *testing.T) {
	good := []byte{0, 0, 0, 0, 0, 9}
	for _, tt := range []struct {
		name       string
		key, value []byte
	}{
		{"short key", []byte{0, 0, 0}, good},
		{"negative key version", []byte{0xff, 0xff, 0, 1}, good},
		{"not a marker type", []byte{0, 0, 0, 2}, good},
		{"short value", []byte{0, 0, 0, 1}, []byte{0, 0, 0, 0, 0}},
		{"negative value version", []byte{0, 0, 0, 1}, []byte{0x80, 0, 0, 0, 0, 9}},
	} {
		if _, _, err := ParseEndTxnMarker(tt.key, tt.value); err == nil {
			t.Errorf("%s: accepted", tt.name)
		} else {
			wantCode(t, err, kerr.InvalidRecord)
		}
	}
	if commit, epoch, err := ParseEndTxnMarker([]byte{0, 1, 0, 1}, []byte{0, 1, 0, 0, 0, 9, 0xaa}); err != nil || !commit || epoch != 9 {
		t.Fatalf("later version: %v %d %v; want it read as version 0", commit, epoch, err)
	}
}
