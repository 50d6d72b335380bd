package cli

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
)

// partitionOffsets is what planning needs to know about one partition.
type partitionOffsets struct {
	Topic     string
	Partition int32
	Current   *int64 // committed offset, nil if none
	Start     int64
	End       int64
	ByTime    int64 // first offset at or after --to-datetime (End if none)
}

func loadOffsets(ctx context.Context, adm *kadm.Client, st resetStrategy, parts kadm.TopicsSet, committed kadm.OffsetResponses) ([]partitionOffsets, error) {
	topics := parts.Topics()
	starts, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	byTime := ends
	if st.kind == "datetime" {
		if byTime, err = adm.ListOffsetsAfterMilli(ctx, st.at.UnixMilli(), topics...); err != nil {
			return nil, err
		}
	}
	var out []partitionOffsets
	for _, tp := range parts.Sorted() {
		for _, p := range tp.Partitions {
			po, err := partitionState(tp.Topic, p, committed, starts, ends, byTime)
			if err != nil {
				return nil, err
			}
			out = append(out, po)
		}
	}
	return out, nil
}

func partitionState(t string, p int32, committed kadm.OffsetResponses, starts, ends, byTime kadm.ListedOffsets) (partitionOffsets, error) {
	po := partitionOffsets{Topic: t, Partition: p}
	for _, l := range []struct {
		offsets kadm.ListedOffsets
		dst     *int64
	}{{starts, &po.Start}, {ends, &po.End}, {byTime, &po.ByTime}} {
		o, ok := l.offsets.Lookup(t, p)
		if !ok {
			return po, fmt.Errorf("no offsets listed for %s[%d]", t, p)
		}
		if o.Err != nil {
			return po, fmt.Errorf("%s[%d]: %w", t, p, o.Err)
		}
		*l.dst = o.Offset
	}
	if c, ok := committed.Lookup(t, p); ok && c.Err == nil && c.At >= 0 {
		po.Current = ptr(c.At)
	}
	return po, nil
}

// planReset computes each partition's new offset, kept within
// [start, end] as Kafka's tool does.
func planReset(st resetStrategy, parts []partitionOffsets) ([]resetRow, error) {
	rows := []resetRow{}
	for _, p := range parts {
		var target int64
		switch st.kind {
		case "earliest":
			target = p.Start
		case "latest":
			target = p.End
		case "offset":
			target = st.offset
		case "datetime":
			target = p.ByTime
		case "shift":
			if p.Current == nil {
				return nil, fmt.Errorf("%s[%d] has no committed offset to shift from", p.Topic, p.Partition)
			}
			target = *p.Current + st.shift
		}
		rows = append(rows, resetRow{p.Topic, p.Partition, p.Current, min(max(target, p.Start), p.End)})
	}
	return rows, nil
}
