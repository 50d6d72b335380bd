package grouplog

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/samsa-streaming/samsa/internal/group"
)

// TestConcurrent runs every Store method from many goroutines, each on its
// own group and all on a shared one, and checks that replay finds what each
// goroutine last wrote and that the index matched the log throughout: the
// index before the restart equals the one replay rebuilds.
func TestConcurrent(t *testing.T) {
	s := newStore(t)
	const workers, rounds = 16, 58 // the last rounds leave state behind
	offsets := make([]map[group.TopicPartition]group.Offset, workers)
	groups := make([]*group.GroupSnapshot, workers)
	var wg sync.WaitGroup
	for w := range workers {
		offsets[w] = map[group.TopicPartition]group.Offset{}
		wg.Go(func() {
			g := fmt.Sprintf("g%02d", w)
			for i := range rounds {
				var err error
				switch i % 10 {
				case 9:
					err = s.l.DeleteGroup(g)
					clear(offsets[w])
					groups[w] = nil
				case 7:
					tp := tp("t", int32(i%4))
					err = s.l.DeleteOffsets(g, []group.TopicPartition{tp})
					delete(offsets[w], tp)
				case 5:
					snap := snapshot(g, int32(i), "m1", "m2")
					err = s.l.SaveGroup(snap)
					groups[w] = &snap
				default:
					offs := []group.Offset{off("t", int32(i%4), int64(i), ""), off("u", int32(w), int64(i), g)}
					err = s.l.CommitOffsets(g, offs)
					for _, o := range offs {
						offsets[w][o.TopicPartition] = o
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
				if err := s.l.CommitOffsets("shared", []group.Offset{off("t", int32(w), int64(i), "")}); err != nil {
					t.Error(err)
					return
				}
				if w == 0 && i%20 == 10 {
					if err := s.l.DeleteGroup("shared"); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	index := liveIndex(s.l)
	got := s.reopen()
	if after := liveIndex(s.l); !reflect.DeepEqual(after, index) {
		t.Fatalf("index rebuilt by replay differs from the live one:\n%v\n%v", after, index)
	}

	shared := got.Offsets["shared"]
	delete(got.Offsets, "shared")
	for _, o := range shared {
		if _, ok := index["shared"].offsets[o.TopicPartition]; !ok {
			t.Errorf("shared offset %v loaded but not in the index", o.TopicPartition)
		}
	}
	if len(shared) != len(index["shared"].offsets) {
		t.Errorf("%d shared offsets loaded, %d in the index", len(shared), len(index["shared"].offsets))
	}

	want := group.Loaded{Offsets: map[string][]group.Offset{}}
	for w := range workers {
		g := fmt.Sprintf("g%02d", w)
		if groups[w] != nil {
			want.Groups = append(want.Groups, *groups[w])
		}
		if offs := loadedOffsets(map[string]map[group.TopicPartition]group.Offset{g: offsets[w]}); len(offs.Offsets) > 0 {
			want.Offsets[g] = offs.Offsets[g]
		}
	}
	slices.SortFunc(want.Groups, func(a, b group.GroupSnapshot) int { return strings.Compare(a.Group, b.Group) })
	checkLoaded(t, got, want)
}
