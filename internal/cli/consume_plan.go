package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// startSpec is where consuming starts, from --offset or --time.
type startSpec struct {
	kind string // start, end, at, fromEnd or time
	n    int64  // at: the offset; fromEnd: how many before the end
	at   time.Time
}

func parseStart(offset, at string, offsetGiven bool) (startSpec, error) {
	if at != "" {
		if offsetGiven {
			return startSpec{}, usagef("give --offset or --time, not both")
		}
		t, err := parseTime(at)
		if err != nil {
			return startSpec{}, usagef("--time: %v", err)
		}
		return startSpec{kind: "time", at: t}, nil
	}
	switch offset {
	case "start", "beginning", "earliest", "oldest":
		return startSpec{kind: "start"}, nil
	case "end", "latest", "newest":
		return startSpec{kind: "end"}, nil
	}
	n, err := strconv.ParseInt(offset, 10, 64)
	switch {
	case err != nil:
		return startSpec{}, usagef("--offset %q: want start, end, N or -N", offset)
	case strings.HasPrefix(offset, "-"):
		return startSpec{kind: "fromEnd", n: -n}, nil
	}
	return startSpec{kind: "at", n: n}, nil
}

// position is the first offset to read in a partition whose offsets run
// from start to end (exclusive); byTime is the --time lookup's answer.
// An offset outside the log is brought inside it, as a consumer reset
// would, rather than failing.
func (sp startSpec) position(start, end, byTime int64) int64 {
	var at int64
	switch sp.kind {
	case "start":
		at = start
	case "end":
		at = end
	case "at":
		at = sp.n
	case "fromEnd":
		at = end - sp.n
	case "time":
		at = byTime
	}
	return min(max(at, start), end)
}

// resetOffset is franz-go's form of the spec, for a group's partitions
// without a committed offset (only start, end and time are allowed there).
func (sp startSpec) resetOffset() kgo.Offset {
	switch sp.kind {
	case "end":
		return kgo.NewOffset().AtEnd()
	case "time":
		return kgo.NewOffset().AfterMilli(sp.at.UnixMilli())
	}
	return kgo.NewOffset().AtStart()
}

// partitionPlan is one partition to read: from where, and up to where
// (the end offset when the command started; the last stable offset under
// read_committed).
type partitionPlan struct {
	topic     string
	partition int32
	from      int64
	end       int64
}

func planConsume(ctx context.Context, s *session, topics []string, o consumeOptions) ([]partitionPlan, error) {
	adm, err := s.admin()
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	parts, err := consumedPartitions(ctx, adm, topics, o.partitions)
	if err != nil {
		return nil, err
	}
	starts, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	listEnd := adm.ListEndOffsets
	if o.isolation == "read_committed" {
		listEnd = adm.ListCommittedOffsets
	}
	ends, err := listEnd(ctx, topics...)
	if err != nil {
		return nil, err
	}
	byTime := ends
	if o.start.kind == "time" {
		if byTime, err = adm.ListOffsetsAfterMilli(ctx, o.start.at.UnixMilli(), topics...); err != nil {
			return nil, err
		}
	}
	committed := kadm.OffsetResponses{}
	if o.group != "" {
		if committed, err = adm.FetchOffsets(ctx, o.group); err != nil {
			return nil, fmt.Errorf("group %s: %w", o.group, err)
		}
	}
	var plan []partitionPlan
	for _, tp := range parts.Sorted() {
		for _, p := range tp.Partitions {
			pp, err := planPartition(tp.Topic, p, o.start, starts, ends, byTime, committed)
			if err != nil {
				return nil, err
			}
			plan = append(plan, pp)
		}
	}
	return plan, nil
}

// consumedPartitions checks the topics exist and picks the partitions.
func consumedPartitions(ctx context.Context, adm *kadm.Client, topics []string, only []int32) (kadm.TopicsSet, error) {
	details, err := adm.ListTopics(ctx, topics...)
	if err != nil {
		return nil, err
	}
	parts := kadm.TopicsSet{}
	for _, t := range topics {
		d := details[t]
		if d.Err != nil {
			return nil, fmt.Errorf("topic %s: %w", t, d.Err)
		}
		if len(only) == 0 {
			parts.Add(t, d.Partitions.Numbers()...)
			continue
		}
		for _, p := range only {
			if _, ok := d.Partitions[p]; !ok {
				return nil, fmt.Errorf("topic %s has no partition %d (it has %d)", t, p, len(d.Partitions))
			}
		}
		parts.Add(t, only...)
	}
	return parts, nil
}

func planPartition(t string, p int32, sp startSpec, starts, ends, byTime kadm.ListedOffsets, committed kadm.OffsetResponses) (partitionPlan, error) {
	var offs [3]int64
	for i, l := range []kadm.ListedOffsets{starts, ends, byTime} {
		o, ok := l.Lookup(t, p)
		if !ok {
			return partitionPlan{}, fmt.Errorf("no offsets listed for %s[%d]", t, p)
		}
		if o.Err != nil {
			return partitionPlan{}, fmt.Errorf("%s[%d]: %w", t, p, o.Err)
		}
		offs[i] = o.Offset
	}
	pp := partitionPlan{topic: t, partition: p, from: sp.position(offs[0], offs[1], offs[2]), end: offs[1]}
	if c, ok := committed.Lookup(t, p); ok && c.Err == nil && c.At >= 0 {
		pp.from = c.At
	}
	return pp, nil
}
