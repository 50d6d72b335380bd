package cli

import "testing"

func TestEndTrackerDirect(t *testing.T) {
	done := 0
	tr := newEndTracker([]partitionPlan{
		{topic: "t", partition: 0, from: 0, end: 2},
		{topic: "t", partition: 1, from: 5, end: 5}, // empty from there
	}, false, false, func() { done++ })
	if tr.finished() {
		t.Fatal("finished before reading partition 0")
	}
	tr.seen("t", 0, 0)
	if tr.finished() || done != 0 {
		t.Fatal("finished after offset 0 of 2")
	}
	if tr.pastEnd("t", 0, 1) || !tr.pastEnd("t", 0, 2) || !tr.pastEnd("t", 7, 0) {
		t.Error("pastEnd: offset 1 is before the end, 2 and unknown partitions after")
	}
	tr.seen("t", 0, 1) // e.g. a transaction marker
	if !tr.finished() || done != 1 {
		t.Fatalf("finished = %v, whenDone called %d times; want true, 1", tr.finished(), done)
	}
}

func TestEndTrackerGroup(t *testing.T) {
	tr := newEndTracker([]partitionPlan{
		{topic: "t", partition: 0, from: 0, end: 3},
		{topic: "t", partition: 1, from: 0, end: 3},
	}, false, true, func() {})
	if tr.finished() {
		t.Fatal("a group member is not finished before its assignment")
	}
	tr.assigned(map[string][]int32{"t": {1}})
	tr.seen("t", 1, 2)
	if !tr.finished() {
		t.Fatal("not finished with its only partition read; partition 0 belongs to another member")
	}
	tr.revoked(map[string][]int32{"t": {1}})
	if tr.finished() {
		t.Fatal("finished between revoke and assign of an eager rebalance")
	}
	tr.assigned(map[string][]int32{"t": {0, 1}})
	if tr.finished() {
		t.Fatal("finished with partition 0 unread")
	}
}

func TestEndTrackerFollowNeverFinishes(t *testing.T) {
	tr := newEndTracker([]partitionPlan{{topic: "t", partition: 0, from: 0, end: 0}}, true, false, func() {})
	if tr.finished() || tr.pastEnd("t", 0, 10) {
		t.Fatal("--follow finished, or skipped a new record")
	}
}
