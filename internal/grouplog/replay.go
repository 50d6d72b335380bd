package grouplog

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/group"
	"github.com/samsa-streaming/samsa/internal/logscan"
)

// replay rebuilds the state of the log, record by record.
type replay struct {
	lg        *slog.Logger
	groups    map[string]group.GroupSnapshot
	consumers map[string]*consumerState
	kinds     map[string]groupKind // whose records came last, per group id
	offsets   map[string]map[group.TopicPartition]group.Offset
	live      map[string]*liveKeys
	skipped   map[skip]*skipCount

	// pending holds the offsets of transactions without a marker yet, by
	// producer id, group and partition; seqs the producers' sequences.
	pending map[int64]map[string]map[group.TopicPartition]group.Offset
	seqs    map[int64]producerSeq
}

// skip is a kind of record replay passes over; version is -1 when the kind
// has none.
type skip struct {
	what    string
	version int16
}

type skipCount struct {
	records int
	first   int64 // offset of the first one
}

func newReplay(lg *slog.Logger) *replay {
	return &replay{
		lg:        lg,
		groups:    make(map[string]group.GroupSnapshot),
		consumers: make(map[string]*consumerState),
		kinds:     make(map[string]groupKind),
		offsets:   make(map[string]map[group.TopicPartition]group.Offset),
		live:      make(map[string]*liveKeys),
		skipped:   make(map[skip]*skipCount),
		pending:   make(map[int64]map[string]map[group.TopicPartition]group.Offset),
		seqs:      make(map[int64]producerSeq),
	}
}

// run applies every record from p's log start offset to its high watermark.
func (r *replay) run(p Partition) error {
	from := p.LogStartOffset()
	err := logscan.Batches(p, func(h batch.Header, b []byte) error {
		return r.batch(h, b[batch.HeaderSize:], from)
	})
	if err != nil {
		return fmt.Errorf("grouplog: %w", err)
	}
	return nil
}

// batch applies the records at offset from and later of one verified batch
// with header h and records raw.
func (r *replay) batch(h batch.Header, raw []byte, from int64) error {
	payload := raw
	if h.Codec() != batch.None {
		var err error
		if payload, err = batch.Decompress(h.Codec(), raw, batch.MaxUncompressed); err != nil {
			return err
		}
	}
	switch {
	case h.IsControl():
		r.marker(h, payload)
		return nil
	case h.IsTransactional():
		return r.txnBatch(h, payload)
	}
	return batch.Records(h, payload, func(rec batch.Record) error {
		if off := h.BaseOffset + int64(rec.OffsetDelta); off >= from {
			r.record(off, rec.Key, rec.Value)
		}
		return nil
	})
}

// txnBatch holds a transactional batch's offset commits until the
// producer's marker.
func (r *replay) txnBatch(h batch.Header, payload []byte) error {
	advanceSeq(r.seqs, h.ProducerID, h.ProducerEpoch, h.BaseSequence, h.LastOffsetDelta+1)
	return batch.Records(h, payload, func(rec batch.Record) error {
		off := h.BaseOffset + int64(rec.OffsetDelta)
		g, o, ok := r.decodeOffset(off, rec.Key, rec.Value)
		if !ok {
			return nil
		}
		byGroup := r.pending[h.ProducerID]
		if byGroup == nil {
			byGroup = make(map[string]map[group.TopicPartition]group.Offset)
			r.pending[h.ProducerID] = byGroup
		}
		if byGroup[g] == nil {
			byGroup[g] = make(map[group.TopicPartition]group.Offset)
		}
		byGroup[g][o.TopicPartition] = o
		return nil
	})
}

// marker resolves the producer's pending offsets: a commit applies them.
func (r *replay) marker(h batch.Header, payload []byte) {
	commit, ok := markerType(h, payload)
	if !ok {
		return
	}
	if commit {
		for g, offs := range r.pending[h.ProducerID] {
			m := r.offsets[g]
			if m == nil {
				m = make(map[group.TopicPartition]group.Offset)
				r.offsets[g] = m
			}
			for tp, o := range offs {
				m[tp] = o
				r.keys(g).offsets[tp] = struct{}{}
			}
		}
	}
	delete(r.pending, h.ProducerID)
}

// pendingKeys is the index of the open transactions' offsets.
func (r *replay) pendingKeys() map[int64]pendingKeys {
	out := make(map[int64]pendingKeys, len(r.pending))
	for pid, byGroup := range r.pending {
		keys := make(pendingKeys, len(byGroup))
		for g, offs := range byGroup {
			keys[g] = make(map[group.TopicPartition]struct{}, len(offs))
			for tp := range offs {
				keys[g][tp] = struct{}{}
			}
		}
		out[pid] = keys
	}
	return out
}

// record applies one record; a nil value is a tombstone.
func (r *replay) record(off int64, key, value []byte) {
	if len(key) < 2 {
		r.skip(skip{"records without a key version", -1}, off, 1)
		return
	}
	switch v := int16(binary.BigEndian.Uint16(key)); v {
	case legacyOffsetKeyVersion, offsetKeyVersion:
		r.offsetRecord(off, key, value)
	case groupKeyVersion:
		r.groupRecord(off, key, value)
	default:
		if t := consumerType(v); t.known() {
			r.consumerRecord(off, t, key, value)
			return
		}
		r.skip(skip{"records of unknown key version", v}, off, 1)
	}
}

func (r *replay) offsetRecord(off int64, key, value []byte) {
	var k kmsg.OffsetCommitKey
	if err := k.ReadFrom(key); err != nil {
		r.skip(skip{"undecodable offset commit keys", k.Version}, off, 1)
		return
	}
	tp := group.TopicPartition{Topic: k.Topic, Partition: k.Partition}
	if value == nil {
		if m := r.offsets[k.Group]; m != nil {
			delete(m, tp)
			if len(m) == 0 {
				delete(r.offsets, k.Group)
			}
		}
		if lk := r.live[k.Group]; lk != nil {
			delete(lk.offsets, tp)
			r.forgetIfEmpty(k.Group, lk)
		}
		return
	}
	// The key has a value from here on, even one replay cannot decode: the
	// index must know it to write its tombstone.
	r.keys(k.Group).offsets[tp] = struct{}{}
	v, ok := r.decodeOffsetValue(off, value)
	if !ok {
		return
	}
	m := r.offsets[k.Group]
	if m == nil {
		m = make(map[group.TopicPartition]group.Offset)
		r.offsets[k.Group] = m
	}
	m[tp] = offsetFrom(tp, &v)
}

// decodeOffsetValue decodes an OffsetCommitValue, counting what it skips.
func (r *replay) decodeOffsetValue(off int64, value []byte) (kmsg.OffsetCommitValue, bool) {
	var v kmsg.OffsetCommitValue
	if len(value) < 2 {
		r.skip(skip{"undecodable offset commit values", -1}, off, 1)
		return v, false
	}
	if v.Version = int16(binary.BigEndian.Uint16(value)); v.Version < 0 || v.Version > maxOffsetValueVersion {
		r.skip(skip{"offset commit values of unknown version", v.Version}, off, 1)
		return v, false
	}
	if err := v.ReadFrom(value); err != nil {
		r.skip(skip{"undecodable offset commit values", v.Version}, off, 1)
		return v, false
	}
	return v, true
}

// decodeOffset decodes an offset commit record of a transactional batch
// (never a tombstone).
func (r *replay) decodeOffset(off int64, key, value []byte) (string, group.Offset, bool) {
	var k kmsg.OffsetCommitKey
	if len(key) < 2 || k.ReadFrom(key) != nil || (k.Version != offsetKeyVersion && k.Version != legacyOffsetKeyVersion) || value == nil {
		r.skip(skip{"undecodable transactional offset commits", -1}, off, 1)
		return "", group.Offset{}, false
	}
	v, ok := r.decodeOffsetValue(off, value)
	if !ok {
		return "", group.Offset{}, false
	}
	tp := group.TopicPartition{Topic: k.Topic, Partition: k.Partition}
	return k.Group, offsetFrom(tp, &v), true
}

func (r *replay) groupRecord(off int64, key, value []byte) {
	var k kmsg.GroupMetadataKey
	if err := k.ReadFrom(key); err != nil {
		r.skip(skip{"undecodable group metadata keys", k.Version}, off, 1)
		return
	}
	if value == nil {
		delete(r.groups, k.Group)
		if lk := r.live[k.Group]; lk != nil {
			lk.meta = false
			r.forgetIfEmpty(k.Group, lk)
		}
		return
	}
	r.keys(k.Group).meta = true
	var v kmsg.GroupMetadataValue
	if len(value) < 2 {
		r.skip(skip{"undecodable group metadata values", -1}, off, 1)
		return
	}
	if v.Version = int16(binary.BigEndian.Uint16(value)); v.Version < 0 || v.Version > maxGroupValueVersion {
		r.skip(skip{"group metadata values of unknown version", v.Version}, off, 1)
		return
	}
	if err := v.ReadFrom(value); err != nil {
		r.skip(skip{"undecodable group metadata values", v.Version}, off, 1)
		return
	}
	r.groups[k.Group] = snapshotFrom(k.Group, &v)
	r.kinds[k.Group] = kindClassic
}

func (r *replay) keys(g string) *liveKeys {
	k := r.live[g]
	if k == nil {
		k = newLiveKeys()
		r.live[g] = k
	}
	return k
}

func (r *replay) forgetIfEmpty(g string, k *liveKeys) {
	if k.empty() {
		delete(r.live, g)
	}
}

func (r *replay) skip(s skip, off int64, records int) {
	c := r.skipped[s]
	if c == nil {
		c = &skipCount{first: off}
		r.skipped[s] = c
	}
	c.records += records
}

// logSkipped warns once per kind of skipped record rather than once per
// record: a log written by a Kafka 4 broker may hold millions of KIP-848
// records.
func (r *replay) logSkipped() {
	kinds := make([]skip, 0, len(r.skipped))
	for s := range r.skipped {
		kinds = append(kinds, s)
	}
	slices.SortFunc(kinds, func(a, b skip) int { return cmp.Compare(r.skipped[a].first, r.skipped[b].first) })
	for _, s := range kinds {
		c := r.skipped[s]
		attrs := []any{"what", s.what, "records", c.records, "first_offset", c.first}
		if s.version >= 0 {
			attrs = append(attrs, "version", s.version)
		}
		r.lg.Warn("skipped __consumer_offsets records", attrs...)
	}
}

// loaded returns the replayed state, groups sorted by name and each group's
// offsets by topic and partition.
func (r *replay) loaded() group.Loaded {
	l := group.Loaded{
		Groups:         make([]group.GroupSnapshot, 0, len(r.groups)),
		ConsumerGroups: r.loadedConsumers(),
		Offsets:        make(map[string][]group.Offset, len(r.offsets)),
	}
	for g, s := range r.groups {
		if c := r.consumers[g]; c != nil && c.exists() && r.kinds[g] == kindConsumer {
			continue // it became a consumer group (see groupKind)
		}
		l.Groups = append(l.Groups, s)
	}
	slices.SortFunc(l.Groups, func(a, b group.GroupSnapshot) int { return strings.Compare(a.Group, b.Group) })
	for g, m := range r.offsets {
		offs := make([]group.Offset, 0, len(m))
		for _, o := range m {
			offs = append(offs, o)
		}
		slices.SortFunc(offs, func(a, b group.Offset) int { return compareTP(a.TopicPartition, b.TopicPartition) })
		l.Offsets[g] = offs
	}
	for pid, byGroup := range r.pending {
		if l.PendingTxnOffsets == nil {
			l.PendingTxnOffsets = make(map[int64]map[string][]group.Offset, len(r.pending))
		}
		groups := make(map[string][]group.Offset, len(byGroup))
		for g, m := range byGroup {
			offs := slices.SortedFunc(maps.Values(m), func(a, b group.Offset) int { return compareTP(a.TopicPartition, b.TopicPartition) })
			groups[g] = offs
		}
		l.PendingTxnOffsets[pid] = groups
	}
	return l
}
