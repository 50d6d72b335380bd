package group

import "time"

// timer is a rearmable time.AfterFunc whose callback runs under the
// group's lock and only if no later arm or stop happened: a callback that
// fires while its replacement is being armed sees a newer seq and returns.
type timer struct {
	t   *time.Timer
	seq uint64
}

func (t *timer) stop() {
	t.seq++
	if t.t != nil {
		t.t.Stop()
		t.t = nil
	}
}

// armLocked (re)arms t to run fn after d with g's lock held; g must be
// locked by the caller. During a consumer-group change the arming waits
// until the change is written (see consumerTxn).
func (g *group) armLocked(t *timer, d time.Duration, fn func()) {
	if g.txn != nil {
		g.txn.after = append(g.txn.after, func() { g.armLocked(t, d, fn) })
		return
	}
	t.stop()
	seq := t.seq
	t.t = time.AfterFunc(d, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if t.seq != seq || g.state == stateDead {
			return
		}
		t.t = nil
		fn()
	})
}

// stopLocked stops t, once the consumer-group change in progress, if
// any, is written.
func (g *group) stopLocked(t *timer) {
	g.afterWriteLocked(t.stop)
}
