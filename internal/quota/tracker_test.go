package quota

import (
	"testing"
	"time"
)

func TestRecordUnlessThrottledTakesTheValueBack(t *testing.T) {
	clock := newFakeClock()
	tr := clock.tracker()
	id := ID{ClientID: "consumer"}
	tr.Record(id, 100, 1000) // 100 B/s: at the bound
	// A throttled fetch is answered empty: its bytes must not count, so
	// the same fetch asked again later is judged on the old rate alone.
	if d := tr.RecordUnlessThrottled(id, 100, 500); d != ms(5000) {
		t.Fatalf("throttled %v, want 5s", d)
	}
	if got := tr.Stats()[0].Rate; got != 100 {
		t.Fatalf("rate after the throttled fetch = %v, want 100 (its bytes taken back)", got)
	}
	if d := tr.Record(id, 100, 500); d != ms(5000) {
		t.Fatalf("recorded for real: throttled %v, want 5s", d)
	}
	if got := tr.Stats()[0].Rate; got != 150 {
		t.Fatalf("rate = %v, want 150", got)
	}
}

func TestRatesAreSharedByID(t *testing.T) {
	clock := newFakeClock()
	tr := clock.tracker()
	alice, bob := ID{User: "alice"}, ID{User: "bob"}
	tr.Record(alice, 100, 1000)
	if d := tr.Record(bob, 100, 1000); d != 0 {
		t.Fatalf("bob throttled %v for alice's bytes", d)
	}
	if d := tr.Record(alice, 100, 1); d == 0 {
		t.Fatal("alice's second request not throttled")
	}
	stats := tr.Stats()
	if len(stats) != 2 || stats[0].ID != alice || stats[1].ID != bob {
		t.Fatalf("stats = %+v, want alice then bob", stats)
	}
	if stats[0].Throttled == 0 || stats[1].Throttled != 0 {
		t.Fatalf("throttle totals = %v, %v; want alice's only", stats[0].Throttled, stats[1].Throttled)
	}
}

func TestIdleRatesExpire(t *testing.T) {
	clock := newFakeClock()
	tr := clock.tracker()
	tr.Record(ID{ClientID: "gone"}, 100, 1)
	clock.t = clock.t.Add(expireAfter)
	tr.Record(ID{ClientID: "active"}, 100, 1)
	stats := tr.Stats()
	if len(stats) != 1 || stats[0].ClientID != "active" {
		t.Fatalf("stats = %+v, want only the active client after %v", stats, expireAfter)
	}
}

func TestBoundChangesApplyAtOnce(t *testing.T) {
	clock := newFakeClock()
	tr := clock.tracker()
	id := ID{ClientID: "app"}
	tr.Record(id, 1e9, 20_000) // 2000 B/s, far under the first bound
	if d := tr.Record(id, 1000, 0); d != 10*time.Second {
		t.Fatalf("after lowering the bound: throttled %v, want 10s", d)
	}
	if d := tr.Record(id, 3000, 0); d != 0 {
		t.Fatalf("after raising it: throttled %v", d)
	}
}
