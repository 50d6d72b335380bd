package quota

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"
)

// ID names one measured rate, as Kafka's quota metric tags do: the user
// and client id whose requests add to it, "" where the quota that applies
// is shared by all users (or all client ids). Clients with the same ID
// share one rate, whatever their connections.
type ID struct {
	User     string
	ClientID string
}

// expireAfter is how long a rate nothing is recorded to is kept, as Kafka
// drops a client's quota sensors after an hour without use.
const expireAfter = time.Hour

// Tracker keeps the rates of one kind of quota (produce bytes, fetch
// bytes), one per ID. It is safe for concurrent use.
type Tracker struct {
	cfg Config
	now func() time.Time

	mu        sync.Mutex
	rates     map[ID]*tracked
	lastSweep int64 // ms
}

type tracked struct {
	rate      Rate
	lastUsed  int64         // ms
	throttled time.Duration // throttle time imposed so far
}

// NewTracker returns an empty tracker measuring with cfg; now is its
// clock (time.Now outside tests).
func NewTracker(cfg Config, now func() time.Time) *Tracker {
	return &Tracker{cfg: cfg, now: now, rates: make(map[ID]*tracked)}
}

// Config is the tracker's quota window.
func (t *Tracker) Config() Config { return t.cfg }

// Record adds value to id's rate and returns how long the client must be
// throttled for the rate to come back to bound: zero within the bound.
func (t *Tracker) Record(id ID, bound, value float64) time.Duration {
	return t.record(id, bound, value, false)
}

// RecordUnlessThrottled is Record for a value the client does not get
// when it is throttled: a throttled fetch is answered empty, so Kafka
// takes its bytes back out of the rate ("unrecords" them).
func (t *Tracker) RecordUnlessThrottled(id ID, bound, value float64) time.Duration {
	return t.record(id, bound, value, true)
}

func (t *Tracker) record(id ID, bound, value float64, undoIfThrottled bool) time.Duration {
	now := t.now().UnixMilli()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked(now)
	e := t.rates[id]
	if e == nil {
		e = &tracked{}
		t.rates[id] = e
	}
	e.lastUsed = now
	e.rate.Record(t.cfg, value, now)
	d := e.rate.Throttle(t.cfg, bound, now)
	if d > 0 {
		e.throttled += d
		if undoIfThrottled {
			e.rate.Record(t.cfg, -value, now)
		}
	}
	return d
}

// sweepLocked drops expired rates, at most once a minute.
func (t *Tracker) sweepLocked(now int64) {
	if now-t.lastSweep < time.Minute.Milliseconds() {
		return
	}
	t.lastSweep = now
	for id, e := range t.rates {
		if now-e.lastUsed >= expireAfter.Milliseconds() {
			delete(t.rates, id)
		}
	}
}

// Stat is one rate as metrics report it.
type Stat struct {
	ID
	Rate      float64       // per second, now
	Throttled time.Duration // throttle time imposed so far
}

// Stats measures every rate kept, ordered by ID.
func (t *Tracker) Stats() []Stat {
	now := t.now().UnixMilli()
	t.mu.Lock()
	defer t.mu.Unlock()
	ids := slices.SortedFunc(maps.Keys(t.rates), func(a, b ID) int {
		return cmp.Or(cmp.Compare(a.User, b.User), cmp.Compare(a.ClientID, b.ClientID))
	})
	out := make([]Stat, 0, len(ids))
	for _, id := range ids {
		e := t.rates[id]
		out = append(out, Stat{ID: id, Rate: e.rate.Measure(t.cfg, now), Throttled: e.throttled})
	}
	return out
}
