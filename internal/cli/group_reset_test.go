package cli

import (
	"testing"
	"time"
)

func TestPlanReset(t *testing.T) {
	parts := []partitionOffsets{
		{Topic: "t", Partition: 0, Current: ptr[int64](5), Start: 2, End: 10, ByTime: 7},
		{Topic: "t", Partition: 1, Current: nil, Start: 0, End: 4, ByTime: 4},
	}
	for _, tc := range []struct {
		st   resetStrategy
		want []int64
	}{
		{resetStrategy{kind: "earliest"}, []int64{2, 0}},
		{resetStrategy{kind: "latest"}, []int64{10, 4}},
		{resetStrategy{kind: "offset", offset: 3}, []int64{3, 3}},
		{resetStrategy{kind: "offset", offset: 100}, []int64{10, 4}}, // clamped to the end
		{resetStrategy{kind: "offset", offset: 0}, []int64{2, 0}},    // clamped to the start
		{resetStrategy{kind: "datetime", at: time.Now()}, []int64{7, 4}},
	} {
		plan, err := planReset(tc.st, parts)
		if err != nil {
			t.Fatalf("%+v: %v", tc.st, err)
		}
		for i, row := range plan {
			if row.New != tc.want[i] {
				t.Errorf("%+v: partition %d new offset %d, want %d", tc.st, row.Partition, row.New, tc.want[i])
			}
		}
	}
}

func TestPlanResetShift(t *testing.T) {
	parts := []partitionOffsets{{Topic: "t", Partition: 0, Current: ptr[int64](5), Start: 2, End: 10}}
	for shift, want := range map[int64]int64{-2: 3, -10: 2, 3: 8, 50: 10} {
		plan, err := planReset(resetStrategy{kind: "shift", shift: shift}, parts)
		if err != nil || plan[0].New != want {
			t.Errorf("shift %d: %v, %v; want %d", shift, plan, err, want)
		}
	}
	parts[0].Current = nil
	if _, err := planReset(resetStrategy{kind: "shift", shift: 1}, parts); err == nil {
		t.Error("shifting a partition without a committed offset: no error")
	}
}
