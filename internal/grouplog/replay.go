package grouplog

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/group"
)

// readBytes is how much of the log replay reads at a time (at least a batch).
const readBytes = 1 << 20

// replay rebuilds the state of the log, record by record.
type replay struct {
	lg      *slog.Logger
	groups  map[string]group.GroupSnapshot
	offsets map[string]map[group.TopicPartition]group.Offset
	live    map[string]*liveKeys
	skipped map[skip]*skipCount
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
		lg:      lg,
		groups:  make(map[string]group.GroupSnapshot),
		offsets: make(map[string]map[group.TopicPartition]group.Offset),
		live:    make(map[string]*liveKeys),
		skipped: make(map[skip]*skipCount),
	}
}

// run applies every record from p's log start offset to its high watermark.
func (r *replay) run(p Partition) error {
	off, end := p.LogStartOffset(), p.HighWatermark()
	var buf []byte
	for off < end {
		c, err := p.Read(off, readBytes)
		if err != nil {
			return fmt.Errorf("grouplog: read offset %d: %w", off, err)
		}
		buf, err = c.AppendTo(buf[:0])
		c.Release()
		if err != nil {
			return fmt.Errorf("grouplog: read offset %d: %w", off, err)
		}
		if len(buf) == 0 {
			return fmt.Errorf("grouplog: nothing read at offset %d below high watermark %d", off, end)
		}
		if off, err = r.batches(buf, off); err != nil {
			return err
		}
	}
	return nil
}

// batches applies the records at offset from and later of the whole batches
// in b and returns the offset after them.
func (r *replay) batches(b []byte, from int64) (int64, error) {
	for len(b) > 0 {
		h, err := batch.ParseHeader(b)
		if err != nil {
			return from, fmt.Errorf("grouplog: batch at offset %d: %w", from, err)
		}
		size := h.Size()
		if size < batch.HeaderSize || size > len(b) {
			return from, fmt.Errorf("grouplog: batch at offset %d: size %d with %d bytes read", from, size, len(b))
		}
		if _, err := batch.Verify(b[:size]); err != nil {
			return from, fmt.Errorf("grouplog: batch at offset %d: %w", h.BaseOffset, err)
		}
		if h.LastOffset() >= from {
			if err := r.batch(h, b[batch.HeaderSize:size], from); err != nil {
				return from, fmt.Errorf("grouplog: batch at offset %d: %w", h.BaseOffset, err)
			}
			from = h.LastOffset() + 1
		}
		b = b[size:]
	}
	return from, nil
}

// batch applies the records at offset from and later of one verified batch
// with header h and records raw.
func (r *replay) batch(h batch.Header, raw []byte, from int64) error {
	switch {
	case h.IsControl():
		return nil
	case h.IsTransactional():
		r.skip(skip{"transactional batch records", -1}, h.BaseOffset, int(h.NumRecords))
		return nil
	}
	payload := raw
	if h.Codec() != batch.None {
		var err error
		if payload, err = batch.Decompress(h.Codec(), raw, batch.MaxUncompressed); err != nil {
			return err
		}
	}
	return batch.Records(h, payload, func(rec batch.Record) error {
		if off := h.BaseOffset + int64(rec.OffsetDelta); off >= from {
			r.record(off, rec.Key, rec.Value)
		}
		return nil
	})
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
	var v kmsg.OffsetCommitValue
	if len(value) < 2 {
		r.skip(skip{"undecodable offset commit values", -1}, off, 1)
		return
	}
	if v.Version = int16(binary.BigEndian.Uint16(value)); v.Version < 0 || v.Version > maxOffsetValueVersion {
		r.skip(skip{"offset commit values of unknown version", v.Version}, off, 1)
		return
	}
	if err := v.ReadFrom(value); err != nil {
		r.skip(skip{"undecodable offset commit values", v.Version}, off, 1)
		return
	}
	m := r.offsets[k.Group]
	if m == nil {
		m = make(map[group.TopicPartition]group.Offset)
		r.offsets[k.Group] = m
	}
	m[tp] = offsetFrom(tp, &v)
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
}

func (r *replay) keys(g string) *liveKeys {
	k := r.live[g]
	if k == nil {
		k = &liveKeys{offsets: make(map[group.TopicPartition]struct{})}
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
		Groups:  make([]group.GroupSnapshot, 0, len(r.groups)),
		Offsets: make(map[string][]group.Offset, len(r.offsets)),
	}
	for _, s := range r.groups {
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
	return l
}
