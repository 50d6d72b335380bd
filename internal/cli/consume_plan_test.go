package cli

import (
	"testing"
	"time"
)

func TestParseStart(t *testing.T) {
	for _, tc := range []struct {
		offset, time string
		given        bool
		want         startSpec
		bad          bool
	}{
		{offset: "start", want: startSpec{kind: "start"}},
		{offset: "beginning", want: startSpec{kind: "start"}},
		{offset: "end", want: startSpec{kind: "end"}},
		{offset: "42", want: startSpec{kind: "at", n: 42}},
		{offset: "+42", want: startSpec{kind: "at", n: 42}},
		{offset: "-10", want: startSpec{kind: "fromEnd", n: 10}},
		{offset: "start", time: "1714564800000", want: startSpec{kind: "time", at: time.UnixMilli(1714564800000)}},
		{offset: "5", time: "1714564800000", given: true, bad: true},
		{offset: "soon", bad: true},
		{offset: "start", time: "later", bad: true},
	} {
		got, err := parseStart(tc.offset, tc.time, tc.given)
		if tc.bad {
			if _, ok := err.(usageError); !ok {
				t.Errorf("parseStart(%q, %q) = %v, want a usage error", tc.offset, tc.time, err)
			}
			continue
		}
		if err != nil || got.kind != tc.want.kind || got.n != tc.want.n || !got.at.Equal(tc.want.at) {
			t.Errorf("parseStart(%q, %q) = %+v, %v; want %+v", tc.offset, tc.time, got, err, tc.want)
		}
	}
}

// Positions stay inside [start, end], as a consumer's offset reset would.
func TestStartPosition(t *testing.T) {
	const start, end, byTime = 10, 100, 60
	for _, tc := range []struct {
		spec startSpec
		want int64
	}{
		{startSpec{kind: "start"}, 10},
		{startSpec{kind: "end"}, 100},
		{startSpec{kind: "at", n: 50}, 50},
		{startSpec{kind: "at", n: 5}, 10},
		{startSpec{kind: "at", n: 500}, 100},
		{startSpec{kind: "fromEnd", n: 5}, 95},
		{startSpec{kind: "fromEnd", n: 500}, 10},
		{startSpec{kind: "time"}, 60},
	} {
		if got := tc.spec.position(start, end, byTime); got != tc.want {
			t.Errorf("%+v: position %d, want %d", tc.spec, got, tc.want)
		}
	}
}
