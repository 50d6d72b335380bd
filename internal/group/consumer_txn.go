package group

import (
	"maps"
	"regexp"
)

// A change to a consumer group (a ConsumerGroupHeartbeat, a classic
// member's JoinGroup or LeaveGroup, a member's removal by a timer) is made
// in memory, then saved with one Store.SaveConsumerGroup call holding what
// differs from the group as it was when the change began: Kafka's records,
// one batch, one fsync. If the write fails the group is put back as it
// was, so that, as for every Store call, a failed write changes nothing.
//
//	beginConsumerChangeLocked   saves the group's state
//	  ... the change, in memory ...
//	commitConsumerChangeLocked  writes the difference; restores if that fails
//	abortConsumerChangeLocked   restores (the request was rejected)
//
// Timers are not state that can be put back (a stopped time.Timer cannot
// be restarted where it was), so while a change is in progress arming and
// stopping them waits (armLocked, stopLocked, afterWriteLocked): the
// waiting calls run once the change is written and are dropped if it is
// not. Diffing rather than recording each mutation keeps the coordinator's
// logic as it is, and costs one pass over the members per change.
//
// A downgrade to a classic group (migrate.go) writes its own records with
// Store.SaveGroup and ends the consumer group: a change that downgraded is
// committed without another write.

// consumerTxn is a change to g.cg in progress. Changes never nest.
type consumerTxn struct {
	cg    *consumerGroup // g.cg when the change began; nil for a classic group
	saved cgSaved        // cg's state then
	// protocolType and subscribed are the classic fields that making g a
	// consumer group changes.
	protocolType string
	subscribed   map[string]bool
	after        []func() // timer changes, made once the change is written
}

// cgSaved is a consumer group's state at the start of a change. Partition
// sets, topic lists, metadata maps and classicProtos are never modified,
// only replaced, so sharing them is as good as copying; owners is rebuilt
// from the members.
type cgSaved struct {
	epoch, assignEpoch int32
	assignor           string
	stateTime          int64
	meta               map[string]TopicMeta
	members            map[string]*cmember
	values             map[string]cmember // each member's fields, by id
	target             map[string]partSet
	static             map[string]string
	regexes            map[string]*regexp.Regexp
}

func (g *group) beginConsumerChangeLocked() {
	t := &consumerTxn{cg: g.cg, protocolType: g.protocolType, subscribed: g.subscribed}
	if g.cg != nil {
		t.saved = g.cg.saveLocked()
	}
	g.txn = t
}

// commitConsumerChangeLocked saves what changed since the change began and
// makes the timer changes it waited for; if the write fails, it puts the
// group back and returns the error.
func (g *group) commitConsumerChangeLocked() error {
	t := g.txn
	if g.cg != nil {
		if c, ok := g.consumerChangeLocked(t); ok {
			if err := g.c.opts.Store.SaveConsumerGroup(c); err != nil {
				g.rollbackLocked(t)
				return err
			}
		}
	}
	g.finishLocked(t)
	return nil
}

// abortConsumerChangeLocked puts the group back as the change found it,
// for a request rejected after it began.
func (g *group) abortConsumerChangeLocked() {
	t := g.txn
	if t.cg != nil && g.cg == nil {
		g.finishLocked(t) // it downgraded: written already
		return
	}
	g.rollbackLocked(t)
}

func (g *group) finishLocked(t *consumerTxn) {
	g.txn = nil
	for _, f := range t.after {
		f()
	}
}

func (g *group) rollbackLocked(t *consumerTxn) {
	g.txn = nil
	g.cg, g.protocolType, g.subscribed = t.cg, t.protocolType, t.subscribed
	if t.cg != nil {
		t.cg.restoreLocked(&t.saved)
	}
}

// afterWriteLocked runs f once the change in progress is written, or now
// if there is none; a change that is not written drops it.
func (g *group) afterWriteLocked(f func()) {
	if g.txn != nil {
		g.txn.after = append(g.txn.after, f)
		return
	}
	f()
}

func (cg *consumerGroup) saveLocked() cgSaved {
	s := cgSaved{
		epoch:       cg.epoch,
		assignEpoch: cg.assignEpoch,
		assignor:    cg.assignor,
		stateTime:   cg.stateTime,
		meta:        cg.meta,
		members:     maps.Clone(cg.members),
		values:      make(map[string]cmember, len(cg.members)),
		target:      maps.Clone(cg.target),
		static:      maps.Clone(cg.static),
		regexes:     maps.Clone(cg.regexes),
	}
	for id, m := range cg.members {
		s.values[id] = *m
	}
	return s
}

func (cg *consumerGroup) restoreLocked(s *cgSaved) {
	cg.epoch, cg.assignEpoch, cg.assignor, cg.stateTime = s.epoch, s.assignEpoch, s.assignor, s.stateTime
	cg.meta, cg.members, cg.target, cg.static, cg.regexes = s.meta, s.members, s.target, s.static, s.regexes
	cg.owners = make(map[tidp]string)
	for id, m := range cg.members {
		m.restoreState(s.values[id])
		cg.claim(m)
	}
}
