package meta

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Client quotas (KIP-546) live in client_quotas.json, rewritten whole on
// each change like topics.json (quotas change rarely):
//
//	{"entities": [
//	  {"entity": [{"type": "client-id"}, {"type": "user", "name": "alice"}],
//	   "values": {"producer_byte_rate": 1048576}}
//	]}
//
// A part without a name is the default entity of its type. This package
// only stores entities and values; which types, keys and values are valid
// is the broker's business.

const quotasFile = "client_quotas.json"

// QuotaEntityPart is one component of a quota entity.
type QuotaEntityPart struct {
	Type string  `json:"type"`
	Name *string `json:"name,omitempty"` // nil: the default entity of Type
}

// QuotaEntity is what a quota applies to: at most one part per type.
type QuotaEntity []QuotaEntityPart

// Sorted returns a copy of e ordered by type, the form the store keeps.
func (e QuotaEntity) Sorted() QuotaEntity {
	out := slices.Clone(e)
	slices.SortFunc(out, func(a, b QuotaEntityPart) int { return strings.Compare(a.Type, b.Type) })
	return out
}

// Key identifies e whatever the order of its parts.
func (e QuotaEntity) Key() string {
	var sb strings.Builder
	for _, p := range e.Sorted() {
		sb.WriteString(p.Type)
		if p.Name == nil {
			sb.WriteString("\x00d") // default: cannot collide with a name
		} else {
			sb.WriteString("\x00n")
			sb.WriteString(*p.Name)
		}
		sb.WriteByte('\x00')
	}
	return sb.String()
}

// EntityQuotas is one entity and its quota values.
type EntityQuotas struct {
	Entity QuotaEntity        `json:"entity"`
	Values map[string]float64 `json:"values"`
}

// QuotaChange sets and removes values of one entity. Removing a value that
// is not set does nothing.
type QuotaChange struct {
	Entity QuotaEntity
	Set    map[string]float64
	Remove []string
}

// Quotas is the persisted client quotas of one data directory.
type Quotas struct {
	path string

	mu       sync.Mutex
	entities map[string]EntityQuotas // by QuotaEntity.Key; replaced, never mutated
}

type quotasFileFormat struct {
	Entities []EntityQuotas `json:"entities"`
}

// OpenQuotas loads the client quotas kept in dir (none if never written).
func OpenQuotas(dir string) (*Quotas, error) {
	q := &Quotas{path: filepath.Join(dir, quotasFile), entities: make(map[string]EntityQuotas)}
	var f quotasFileFormat
	if err := readJSON(q.path, &f); err != nil {
		return nil, err
	}
	for _, e := range f.Entities {
		e.Entity = e.Entity.Sorted()
		q.entities[e.Entity.Key()] = e
	}
	return q, nil
}

// All returns every entity with quotas, ordered by key. The caller owns
// the result.
func (q *Quotas) All() []EntityQuotas {
	q.mu.Lock()
	entities := q.entities
	q.mu.Unlock()
	out := make([]EntityQuotas, 0, len(entities))
	for _, k := range slices.Sorted(maps.Keys(entities)) {
		e := entities[k]
		out = append(out, EntityQuotas{Entity: slices.Clone(e.Entity), Values: maps.Clone(e.Values)})
	}
	return out
}

// Apply makes every change and persists the result before returning; on
// error nothing changes. An entity left without values is dropped.
func (q *Quotas) Apply(changes []QuotaChange) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	next := maps.Clone(q.entities)
	for _, c := range changes {
		applyQuotaChange(next, c)
	}
	if err := q.persist(next); err != nil {
		return err
	}
	q.entities = next
	return nil
}

func applyQuotaChange(entities map[string]EntityQuotas, c QuotaChange) {
	key := c.Entity.Key()
	e, ok := entities[key]
	if !ok {
		e = EntityQuotas{Entity: c.Entity.Sorted()}
	}
	values := maps.Clone(e.Values)
	if values == nil {
		values = make(map[string]float64)
	}
	for _, k := range c.Remove {
		delete(values, k)
	}
	maps.Copy(values, c.Set)
	if len(values) == 0 {
		delete(entities, key)
		return
	}
	e.Values = values
	entities[key] = e
}

func (q *Quotas) persist(entities map[string]EntityQuotas) error {
	f := quotasFileFormat{Entities: make([]EntityQuotas, 0, len(entities))}
	for _, k := range slices.Sorted(maps.Keys(entities)) {
		f.Entities = append(f.Entities, entities[k])
	}
	return writeJSON(q.path, f)
}
