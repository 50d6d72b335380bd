package partition

import "sync"

// Waiter is woken when any partition it watches gets new data: any append,
// transaction markers included, so that a read_committed fetch also wakes
// when the last stable offset moves. One waiter serves a whole Fetch
// request across all its partitions.
type Waiter struct {
	C chan struct{}
}

// NewWaiter returns a waiter whose C receives at most one pending wake-up.
func NewWaiter() *Waiter { return &Waiter{C: make(chan struct{}, 1)} }

func (w *Waiter) wake() {
	select {
	case w.C <- struct{}{}:
	default:
	}
}

// waiters is a partition's list of fetches waiting for data. Each is woken
// once and dropped: a fetch re-registers if it keeps waiting.
type waiters struct {
	mu   sync.Mutex
	list []*Waiter
}

func (ws *waiters) add(w *Waiter) {
	ws.mu.Lock()
	ws.list = append(ws.list, w)
	ws.mu.Unlock()
}

func (ws *waiters) remove(w *Waiter) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for i, x := range ws.list {
		if x == w {
			ws.list[i] = ws.list[len(ws.list)-1]
			ws.list = ws.list[:len(ws.list)-1]
			return
		}
	}
}

func (ws *waiters) wakeAll() {
	ws.mu.Lock()
	list := ws.list
	ws.list = nil
	ws.mu.Unlock()
	for _, w := range list {
		w.wake()
	}
}

// Watch wakes w on the next append to p.
func (p *Partition) Watch(w *Waiter) { p.waiters.add(w) }

// Unwatch stops watching; safe if w was already woken and dropped.
func (p *Partition) Unwatch(w *Waiter) { p.waiters.remove(w) }
