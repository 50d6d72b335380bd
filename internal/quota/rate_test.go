package quota

import (
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock      { return &fakeClock{t: time.UnixMilli(1_700_000_000_000)} }
func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) sleep(n int64)  { c.t = c.t.Add(ms(n)) }
func (c *fakeClock) tracker() *Tracker {
	return NewTracker(DefaultConfig(), c.now)
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// Kafka's ClientQuotaManagerTest.testQuotaViolation: a 500 B/s quota, 400
// bytes a second for ten seconds, then a spike.
func TestKafkaQuotaViolation(t *testing.T) {
	clock := newFakeClock()
	tr := clock.tracker()
	id := ID{ClientID: "unknown"}
	for i := range 10 {
		if d := tr.Record(id, 500, 400); d != 0 {
			t.Fatalf("second %d: throttled %v under the quota", i, d)
		}
		clock.sleep(1000)
	}
	// 400*10 + 2300 = 6300 bytes over 10.5 s (the last window is half
	// complete) = 600 B/s; (600-500)/500 * 10.5 s = 2100 ms.
	clock.sleep(500)
	if d := tr.Record(id, 500, 2300); d != ms(2100) {
		t.Fatalf("spike throttled %v, want 2.1s", d)
	}
	clock.sleep(2100)
	for range 10 {
		tr.Record(id, 500, 400)
		clock.sleep(1000)
	}
	if d := tr.Record(id, 500, 0); d != 0 {
		t.Fatalf("throttled %v after the spike rolled out of the window", d)
	}
}

func TestFreshRateAllowsOneWindowOfQuota(t *testing.T) {
	clock := newFakeClock()
	tr := clock.tracker()
	id := ID{User: "alice"}
	// A new client is measured as if idle for the 10 whole windows before
	// its first: 10 s of quota at once is within it, a byte more is not.
	if d := tr.Record(id, 1000, 10_000); d != 0 {
		t.Fatalf("first 10 s of quota throttled %v", d)
	}
	if max := DefaultConfig().MaxValueInWindow(1000); max != 10_000 {
		t.Fatalf("MaxValueInWindow = %v, want 10000", max)
	}
	// 11000 bytes over 10 s: 1100 B/s, 10% over, 10% of 10 s.
	if d := tr.Record(id, 1000, 1000); d != ms(1000) {
		t.Fatalf("over the quota: throttled %v, want 1s", d)
	}
}

func TestRateWindow(t *testing.T) {
	cases := []struct {
		name    string
		records []int64 // ms after start at which 100 is recorded
		at      int64   // ms after start to measure
		want    float64 // per second
	}{
		// Young: missing whole windows count as empty (10 of them), plus
		// the time elapsed in the current one.
		{"one record", []int64{0}, 0, 100.0 / 10},
		{"half a window later", []int64{0}, 500, 100.0 / 10.5},
		{"two windows", []int64{0, 1000}, 1500, 200.0 / 10.5},
		// Eleven whole windows: the real elapsed time.
		{"full window", []int64{0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000}, 10500,
			1100.0 / 10.5},
		// A sample without an event for 11 windows is emptied.
		{"expired", []int64{0}, 11_000, 0},
		{"kept until then", []int64{0}, 10_999, 100.0 / 10.999},
		// Twelve windows: the first has left the window and is emptied.
		{"oldest emptied", []int64{0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000}, 11000,
			1100.0 / 10},
		// Thirteen: the first sample's slot holds the newest.
		{"slot reused", []int64{0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000}, 12000,
			1100.0 / 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r Rate
			start := int64(1_700_000_000_000)
			for _, at := range tc.records {
				r.Record(DefaultConfig(), 100, start+at)
			}
			got := r.Measure(DefaultConfig(), start+tc.at)
			if diff := got - tc.want; diff > 1e-9 || diff < -1e-9 {
				t.Fatalf("rate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestThrottleTime(t *testing.T) {
	cases := []struct {
		observed, bound float64
		window          int64
		want            time.Duration
	}{
		{500, 500, 10_000, 0},        // at the bound: acceptable
		{499, 500, 10_000, 0},        // under
		{600, 500, 10_500, ms(2100)}, // Kafka's example
		{1000, 500, 10_000, ms(10_000)},
		{500.0001, 500, 10_000, 0}, // rounds to 0 ms
		{1e300, 1, 10_000, ms(1<<31 - 1)},
	}
	for _, tc := range cases {
		if got := ThrottleTime(tc.observed, tc.bound, tc.window); got != tc.want {
			t.Errorf("ThrottleTime(%v, %v, %v) = %v, want %v", tc.observed, tc.bound, tc.window, got, tc.want)
		}
	}
}
