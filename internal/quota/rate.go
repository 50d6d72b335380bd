// Package quota measures client byte rates and computes throttle times the
// way Kafka's client quotas do (ClientQuotaManager over a Sensor with a
// Rate of a WindowedSum). It holds no connections and reads no clock of
// its own: a Tracker is given one, so tests are deterministic.
//
// A rate is the sum of the values recorded in its samples, divided by the
// time those samples cover:
//
//	Samples (quota.window.num, 11) samples of Window (quota.window.size.seconds, 1 s)
//
//	  | s0 | s1 | s2 | ... | s10 |          sample i covers [start_i, start_i + Window)
//	  ^oldest start                ^now
//	  rate = (s0 + ... + s10) / (now - oldest start)
//
// A sample with no event for Samples*Window is emptied. A young rate (fewer
// than Samples-1 whole windows since its oldest sample) counts the missing
// windows as empty, so a new client may spend Samples-1 windows' worth of
// quota at once before it is throttled.
//
// A value that takes a rate over its bound is still recorded; the client is
// throttled for the time that brings the rate back to the bound if nothing
// more were recorded (Kafka's QuotaUtils.throttleTime): with rate O, bound
// T over a window W, O*W/(W+X) = T gives X = (O-T)/T * W.
package quota

import (
	"math"
	"time"
)

// Config is Kafka's quota window.
type Config struct {
	Samples int           // quota.window.num; default 11
	Window  time.Duration // quota.window.size.seconds; default 1s
}

// DefaultConfig is Kafka's default quota window: 11 samples of 1 s.
func DefaultConfig() Config { return Config{Samples: 11, Window: time.Second} }

func (c Config) windowMs() int64 { return c.Window.Milliseconds() }

// MaxValueInWindow is the most a client under bound may record at once on
// a fresh rate without being throttled: Kafka caps a fetch's size with it,
// since a larger response would be throttled however idle the client was.
func (c Config) MaxValueInWindow(bound float64) float64 {
	return bound * float64(c.Samples-1) * c.Window.Seconds()
}

// Rate is a sum over a sliding window of samples, per second. Times are
// Unix milliseconds, as in Kafka. The zero Rate is empty; it is not safe
// for concurrent use.
type Rate struct {
	samples []sample // at most Samples+1, reused in turn
	current int
}

type sample struct {
	start     int64 // ms
	lastEvent int64 // ms
	value     float64
}

// Record adds value at now.
func (r *Rate) Record(c Config, value float64, now int64) {
	s := r.currentSample(now)
	if now-s.start >= c.windowMs() {
		s = r.advance(c, now)
	}
	s.value += value
	s.lastEvent = now
}

func (r *Rate) currentSample(now int64) *sample {
	if len(r.samples) == 0 {
		r.samples = append(r.samples, sample{start: now, lastEvent: now})
	}
	return &r.samples[r.current]
}

// advance starts the next sample. One more sample than Samples is kept so
// that a sample is emptied only once it has left the whole window.
func (r *Rate) advance(c Config, now int64) *sample {
	r.current = (r.current + 1) % (c.Samples + 1)
	if r.current == len(r.samples) {
		r.samples = append(r.samples, sample{})
	}
	r.samples[r.current] = sample{start: now, lastEvent: now}
	return &r.samples[r.current]
}

// Measure is the rate per second at now.
func (r *Rate) Measure(c Config, now int64) float64 {
	r.purge(c, now)
	var sum float64
	for _, s := range r.samples {
		sum += s.value
	}
	return sum / (float64(r.windowMs(c, now)) / 1000)
}

// purge empties the samples without an event in the last Samples windows.
func (r *Rate) purge(c Config, now int64) {
	expire := int64(c.Samples) * c.windowMs()
	for i := range r.samples {
		if now-r.samples[i].lastEvent >= expire {
			r.samples[i] = sample{start: now, lastEvent: now}
		}
	}
}

// windowMs is the time the samples cover, counting the missing whole
// windows of a young rate as empty ones (Kafka's Rate.windowSize).
func (r *Rate) windowMs(c Config, now int64) int64 {
	oldest := now
	for _, s := range r.samples {
		oldest = min(oldest, s.start)
	}
	elapsed := now - oldest
	full := elapsed / c.windowMs()
	if minFull := int64(c.Samples - 1); full < minFull {
		elapsed += (minFull - full) * c.windowMs()
	}
	return max(elapsed, 1) // a one-sample window at its first instant
}

// Throttle is how long a client must wait for the rate at now to come back
// to bound; zero when it is within the bound.
func (r *Rate) Throttle(c Config, bound float64, now int64) time.Duration {
	return ThrottleTime(r.Measure(c, now), bound, r.windowMs(c, now))
}

// ThrottleTime is how long a client whose rate is observed must wait for
// the rate to come back to bound, measured over windowMs: zero when within
// the bound.
func ThrottleTime(observed, bound float64, windowMs int64) time.Duration {
	if observed <= bound {
		return 0
	}
	ms := math.Round((observed - bound) / bound * float64(windowMs))
	return time.Duration(min(ms, math.MaxInt32)) * time.Millisecond
}
