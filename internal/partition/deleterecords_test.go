package partition

import (
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestDeleteRecords(t *testing.T) {
	cfg := rollingConfig(300)
	p := openTest(t, cfg)
	for i := range 20 {
		appendWant(t, p, "plain", timedBatch(t, 1, 0), int64(i), false, nil)
	}
	segments := func() int {
		segs, err := p.log.Segments()
		if err != nil {
			t.Fatal(err)
		}
		return len(segs)
	}
	before := segments()
	for _, tc := range []struct {
		offset, want int64
		err          error
	}{
		{offset: 21, err: kerr.OffsetOutOfRange},
		{offset: -2, err: kerr.OffsetOutOfRange},
		{offset: 12, want: 12},
		{offset: 5, want: 12}, // never moves back
		{offset: -1, want: 20},
	} {
		got, err := p.DeleteRecords(tc.offset, time.Now())
		if !errors.Is(err, tc.err) || tc.err == nil && got != tc.want {
			t.Fatalf("DeleteRecords(%d) = %d, %v; want %d, %v", tc.offset, got, err, tc.want, tc.err)
		}
		if tc.err == nil && tc.offset == 12 {
			if _, err := p.Read(11, 1<<20); !errors.Is(err, kerr.OffsetOutOfRange) {
				t.Fatalf("read below the new start: %v, want OFFSET_OUT_OF_RANGE", err)
			}
			if off, _, _ := p.ListOffset(Earliest, ReadUncommitted); off != 12 {
				t.Fatalf("earliest offset %d, want 12", off)
			}
		}
	}
	if after := segments(); after >= before {
		t.Fatalf("%d segments before, %d after: none deleted", before, after)
	}
	p = reopen(t, p, true, cfg)
	if p.LogStartOffset() != 20 {
		t.Fatalf("log start offset %d after a crash, want 20 (persisted)", p.LogStartOffset())
	}
}

// DeleteRecords drops the aborted transactions and producers below the new
// start, as retention does.
func TestDeleteRecordsPrunesTxnState(t *testing.T) {
	p := openTest(t, rollingConfig(300))
	openTxnLog(t, p)
	if _, err := p.DeleteRecords(7, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantAborted(t, p, 0, 100, AbortedTxn{ProducerID: 1, FirstOffset: 9})
	for _, s := range p.Producers() {
		if s.ProducerID == 2 {
			t.Fatal("producer 2, whose batches are all below the start, is still known")
		}
	}
}
