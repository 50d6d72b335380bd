package partition

import (
	"sync"

	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// flusher group-commits fsyncs: callers that arrive while an fsync runs wait
// for the next one together, so N concurrent acks=all produces cost about
// two fsyncs instead of N. A goroutine runs only while there are waiters.
//
// A waiter registers after its append returned, so the fsync that starts
// after it registered covers its data. The aborted transaction index is
// fsynced after the log: an entry whose marker a crash lost is dropped at
// Open anyway.
type flusher struct {
	log   *commitlog.Log
	index *txnIndex

	mu      sync.Mutex
	running bool
	waiting []chan error
}

func (f *flusher) sync() error {
	done := make(chan error, 1)
	f.mu.Lock()
	f.waiting = append(f.waiting, done)
	if !f.running {
		f.running = true
		go f.run()
	}
	f.mu.Unlock()
	return <-done
}

func (f *flusher) run() {
	for {
		f.mu.Lock()
		batch := f.waiting
		f.waiting = nil
		if len(batch) == 0 {
			f.running = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()

		err := f.log.Sync()
		if err == nil {
			err = f.index.sync()
		}
		for _, done := range batch {
			done <- err
		}
	}
}
