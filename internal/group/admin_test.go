package group

import (
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func deleteGroups(c *Coordinator, groups ...string) []int16 {
	req := kmsg.NewPtrDeleteGroupsRequest()
	req.Version = 2
	req.Groups = groups
	var codes []int16
	for _, g := range c.DeleteGroups(req).Groups {
		codes = append(codes, g.ErrorCode)
	}
	return codes
}

func TestDeleteGroups(t *testing.T) {
	c, st := newTestCoordinator(t, nil)
	m := newTM("live", "t")
	stableGroup(t, c, m)
	simpleCommit(c, "empty", "t", 0, 1)
	st.takeEvents()
	got := deleteGroups(c, "live", "missing", "empty", "empty")
	want := []int16{kerr.NonEmptyGroup.Code, kerr.GroupIDNotFound.Code, 0, kerr.GroupIDNotFound.Code}
	if !slices.Equal(got, want) {
		t.Fatalf("codes %v, want %v", got, want)
	}
	if ev := st.takeEvents(); !slices.Equal(ev, []string{"delete-group empty"}) {
		t.Fatalf("store events %q", ev)
	}
	wantFetched(t, "deleted group's offset", fetch(c, "empty", "t", 0)[0], -1, -1, "")
	wantCode(t, "live group still works", heartbeat(c, m), 0)

	simpleCommit(c, "keep", "t", 0, 1)
	st.setFail(errDisk)
	if got := deleteGroups(c, "keep"); got[0] != kerr.CoordinatorNotAvailable.Code {
		t.Fatalf("delete with a failing store: %v", got)
	}
	st.setFail(nil)
	wantFetched(t, "kept after failed delete", fetch(c, "keep", "t", 0)[0], 1, 3, "md")
}

func TestListGroups(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	stableGroup(t, c, newTM("stable", "t"))
	simpleCommit(c, "simple", "t", 0, 1)
	list := func(version int16, states, types []string) []string {
		req := kmsg.NewPtrListGroupsRequest()
		req.Version, req.StatesFilter, req.TypesFilter = version, states, types
		resp := c.ListGroups(req)
		var out []string
		for _, g := range resp.Groups {
			out = append(out, g.Group+":"+g.GroupState+":"+g.ProtocolType+":"+g.GroupType)
		}
		return out
	}
	for _, tc := range []struct {
		name          string
		states, types []string
		want          []string
	}{
		{"all", nil, nil, []string{"simple:Empty::classic", "stable:Stable:consumer:classic"}},
		{"state filter", []string{"stable"}, nil, []string{"stable:Stable:consumer:classic"}},
		{"two states", []string{"Empty", "PreparingRebalance"}, nil, []string{"simple:Empty::classic"}},
		{"no match", []string{"Dead"}, nil, nil},
		{"classic type", nil, []string{"Classic"}, []string{"simple:Empty::classic", "stable:Stable:consumer:classic"}},
		{"consumer type", nil, []string{"consumer"}, nil},
		{"both filters", []string{"Stable"}, []string{"classic"}, []string{"stable:Stable:consumer:classic"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := list(5, tc.states, tc.types); !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDescribeMissingGroup(t *testing.T) {
	c, _ := newTestCoordinator(t, nil)
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{"missing"}
	for _, tc := range []struct {
		version int16
		code    int16
	}{{5, 0}, {6, kerr.GroupIDNotFound.Code}} {
		req.Version = tc.version
		g := c.DescribeGroups(req).Groups[0]
		if g.State != "Dead" || g.ErrorCode != tc.code || len(g.Members) != 0 {
			t.Fatalf("v%d: %+v", tc.version, g)
		}
	}
}

func TestParseProtocol(t *testing.T) {
	for _, tc := range []struct {
		name string
		meta []byte
		want []string
		ok   bool
	}{
		{"v0", (&kmsg.ConsumerMemberMetadata{Version: 0, Topics: []string{"a", "b"}}).AppendTo(nil), []string{"a", "b"}, true},
		{"v3", (&kmsg.ConsumerMemberMetadata{Version: 3, Topics: []string{"a"}, Generation: 4, Rack: strp("r")}).AppendTo(nil), []string{"a"}, true},
		{"future version", append([]byte{0, 9}, (&kmsg.ConsumerMemberMetadata{Topics: []string{"x"}}).AppendTo(nil)[2:]...), []string{"x"}, true},
		{"negative version", []byte{0xff, 0xff, 0, 0, 0, 0}, nil, false},
		{"truncated", []byte{0, 0, 0, 0, 0, 5, 'a'}, nil, false},
		{"empty", nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseSubscription(tc.meta)
			if ok != tc.ok || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	tps, ok := ParseAssignment(assignment("a", "b"))
	if !ok || !slices.Equal(tps, []TopicPartition{{"a", 0}, {"b", 0}}) {
		t.Fatalf("ParseAssignment: %v %v", tps, ok)
	}
}
