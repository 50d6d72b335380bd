package group

import "time"

// retentionLoop expires offsets every RetentionCheckInterval until Close.
func (c *Coordinator) retentionLoop() {
	defer close(c.done)
	t := time.NewTicker(c.opts.RetentionCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.expireOffsets()
		}
	}
}

// expireOffsets deletes offsets past offsets.retention.minutes, and groups
// left Empty with no offsets, as Kafka's periodic cleanup does.
func (c *Coordinator) expireOffsets() {
	now := c.now().UnixMilli()
	for _, g := range c.groupList() {
		g.mu.Lock()
		if g.state != stateDead {
			g.expireLocked(now)
		}
		g.mu.Unlock()
	}
}

// expireLocked applies Kafka's offset expiration condition:
//   - a simple group (no protocol type): an offset expires retention after
//     its commit;
//   - an Empty group: retention after the group became Empty (the commit
//     time if that is unknown);
//   - a Stable consumer group with known subscriptions: offsets of topics
//     no member subscribes to expire retention after their commit;
//   - a KIP-848 consumer group: offsets of topics no member subscribes to
//     expire retention after their commit;
//   - otherwise nothing expires.
//
// An Empty group with no offsets left is deleted.
func (g *group) expireLocked(now int64) {
	retention := g.c.opts.OffsetsRetention.Milliseconds()
	var base func(o Offset) int64
	switch {
	case g.cg != nil:
		// Kafka's ConsumerGroup: offsets of topics no member subscribes to
		// expire retention after their commit.
		base = func(o Offset) int64 { return o.CommitTimestamp }
	case g.protocolType == "":
		base = func(o Offset) int64 { return o.CommitTimestamp }
	case g.state == stateEmpty:
		base = func(o Offset) int64 {
			if g.stateTime > 0 {
				return g.stateTime
			}
			return o.CommitTimestamp
		}
	case g.state == stateStable && g.protocolType == consumerProtocolType && g.subscribed != nil:
		base = func(o Offset) int64 { return o.CommitTimestamp }
	default:
		return
	}
	var expired []TopicPartition
	for _, tp := range sortedPartitions(g.offsets) {
		if !g.subscribedToLocked(tp.Topic) && now-base(g.offsets[tp]) >= retention {
			expired = append(expired, tp)
		}
	}
	if len(expired) > 0 {
		if err := g.c.opts.Store.DeleteOffsets(g.id, expired); err != nil {
			g.c.lg.Warn("failed to persist expired offsets", "group", g.id, "err", err)
			return
		}
		for _, tp := range expired {
			delete(g.offsets, tp)
		}
		g.c.lg.Info("expired offsets", "group", g.id, "partitions", len(expired))
	}
	if !g.isUnusedLocked() {
		return
	}
	if err := g.c.opts.Store.DeleteGroup(g.id); err != nil {
		g.c.lg.Warn("failed to persist deletion of empty group", "group", g.id, "err", err)
		return
	}
	g.c.lg.Info("deleted empty group without offsets", "group", g.id)
	g.killLocked()
}
