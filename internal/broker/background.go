package broker

import "time"

func (b *Broker) startBackground() {
	b.every(b.cfg.FlushInterval(), b.flushDirty)
	b.every(b.cfg.RetentionCheckInterval(), b.applyRetention)
	b.startCleaner()
}

func (b *Broker) every(d time.Duration, fn func()) {
	b.bg.Add(1)
	go func() {
		defer b.bg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

// flushDirty fsyncs partitions written with acks=0/1 since their last
// fsync, bounding how much such data a power loss can take.
func (b *Broker) flushDirty() {
	for _, p := range b.allPartitions() {
		if err := p.FlushIfDirty(); err != nil {
			b.lg.Error("background flush failed", "topic", p.Topic, "partition", p.Index, "err", err)
		}
	}
}

func (b *Broker) applyRetention() {
	now := b.now()
	for _, p := range b.allPartitions() {
		if err := p.ApplyRetention(now); err != nil {
			b.lg.Error("retention failed", "topic", p.Topic, "partition", p.Index, "err", err)
		}
	}
}
