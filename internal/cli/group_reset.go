package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func groupResetOffsetsCommand() *command {
	return &command{
		path: "group reset-offsets", args: "GROUP", minArgs: 1, maxArgs: 1,
		summary: "move a group's committed offsets (dry run unless --execute)",
		details: `
As kafka-consumer-groups.sh --reset-offsets: the plan is printed and nothing
changes unless --execute is given, and the group must have no members (stop
its consumers first). New offsets are kept within each partition's start and
end offsets.

Pick the partitions with --topic (repeatable; TOPIC for all its partitions,
TOPIC:0,2,4-7 for some) or --all-topics (every partition the group has
committed to), and exactly one of the --to-*/--shift-by targets.

Examples:
  samsa group reset-offsets billing --topic orders --to-earliest
  samsa group reset-offsets billing --topic orders:0,1 --to-offset 42 --execute
  samsa group reset-offsets billing --all-topics --to-datetime 2024-05-01T00:00:00Z --execute
  samsa group reset-offsets billing --topic orders --shift-by -100 --execute`,
		setup: func(fs *flagSet) action {
			var o resetOptions
			fs.Var(&o.topics, "topic", "`TOPIC[:PARTITIONS]` to reset, repeatable")
			fs.BoolVar(&o.allTopics, "all-topics", false, "reset every partition the group has committed offsets for")
			fs.BoolVar(&o.earliest, "to-earliest", false, "to each partition's start offset")
			fs.BoolVar(&o.latest, "to-latest", false, "to each partition's end offset (skip everything)")
			fs.Int64Var(&o.strategy.offset, "to-offset", 0, "to offset `N`")
			to := fs.String("to-datetime", "", "to the first offset at or after `TIME` (RFC 3339 or Unix ms)")
			fs.Int64Var(&o.strategy.shift, "shift-by", 0, "move the committed offset by `N` (negative: back)")
			fs.BoolVar(&o.execute, "execute", false, "apply the plan (default: only print it)")
			return func(ctx context.Context, s *session, args []string) error {
				if err := o.resolve(fs, *to); err != nil {
					return err
				}
				return resetOffsets(ctx, s, args[0], o)
			}
		},
	}
}

type resetOptions struct {
	topics            stringList
	allTopics         bool
	earliest, latest  bool
	execute           bool
	strategy          resetStrategy
	partitionsByTopic map[string][]int32 // from --topic; nil list: all
}

// resetStrategy is where each partition's new offset comes from.
type resetStrategy struct {
	kind   string // earliest, latest, offset, datetime or shift
	offset int64  // --to-offset
	shift  int64  // --shift-by
	at     time.Time
}

// resolve checks the flag combination and fills the strategy.
func (o *resetOptions) resolve(fs *flagSet, to string) error {
	var kinds []string
	for _, k := range []struct {
		set  bool
		kind string
	}{
		{o.earliest, "earliest"}, {o.latest, "latest"}, {fs.given("to-offset"), "offset"},
		{fs.given("to-datetime"), "datetime"}, {fs.given("shift-by"), "shift"},
	} {
		if k.set {
			kinds = append(kinds, k.kind)
		}
	}
	if len(kinds) != 1 {
		return usagef("give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by")
	}
	o.strategy.kind = kinds[0]
	if o.strategy.kind == "datetime" {
		at, err := parseTime(to)
		if err != nil {
			return usagef("--to-datetime: %v", err)
		}
		o.strategy.at = at
	}
	if (len(o.topics) > 0) == o.allTopics {
		return usagef("give --topic TOPIC[:PARTITIONS] (repeatable) or --all-topics")
	}
	o.partitionsByTopic = map[string][]int32{}
	for _, t := range o.topics {
		name, ps, err := parseTopicPartitions(t)
		if err != nil {
			return usagef("--topic: %v", err)
		}
		o.partitionsByTopic[name] = append(o.partitionsByTopic[name], ps...)
	}
	return nil
}

// parseTopicPartitions reads "orders" or "orders:0,2,4-7". Kafka topic
// names cannot contain ':', so the split is unambiguous.
func parseTopicPartitions(s string) (string, []int32, error) {
	name, list, hasList := strings.Cut(s, ":")
	if name == "" {
		return "", nil, fmt.Errorf("%q: missing topic name", s)
	}
	if !hasList {
		return name, nil, nil
	}
	ps, err := parsePartitions(list)
	return name, ps, err
}

type resetRow struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Current   *int64 `json:"current_offset"`
	New       int64  `json:"new_offset"`
}

func resetOffsets(ctx context.Context, s *session, group string, o resetOptions) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	if err := requireInactive(ctx, s, adm, group); err != nil {
		return err
	}
	committed, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return err
	}
	parts, err := partitionsToReset(ctx, adm, o, committed)
	if err != nil {
		return err
	}
	states, err := loadOffsets(ctx, adm, o.strategy, parts, committed)
	if err != nil {
		return err
	}
	plan, err := planReset(o.strategy, states)
	if err != nil {
		return err
	}
	if o.execute {
		if err := commitPlan(ctx, adm, group, plan); err != nil {
			return err
		}
	}
	return s.printResetPlan(group, plan, o.execute)
}

// requireInactive refuses to move the offsets of a group with members, as
// Kafka's tool does: they would overwrite them with their next commit.
func requireInactive(ctx context.Context, s *session, adm *kadm.Client, group string) error {
	d, err := describeGroup(ctx, s, adm, group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return nil // a new group: the reset creates its offsets
	}
	if err != nil {
		return err
	}
	if d.State != "Empty" && d.State != "Dead" {
		return fmt.Errorf("group %s is %s with %d member(s): offsets can only be reset when it has none; stop its consumers first",
			group, d.State, len(d.Members))
	}
	return nil
}

// partitionsToReset resolves --topic and --all-topics into partitions,
// checking that named topics and partitions exist.
func partitionsToReset(ctx context.Context, adm *kadm.Client, o resetOptions, committed kadm.OffsetResponses) (kadm.TopicsSet, error) {
	parts := kadm.TopicsSet{}
	if o.allTopics {
		committed.Each(func(r kadm.OffsetResponse) { parts.Add(r.Topic, r.Partition) })
		if len(parts) == 0 {
			return nil, errors.New("the group has no committed offsets: name the topics with --topic")
		}
		return parts, nil
	}
	topics := make([]string, 0, len(o.partitionsByTopic))
	for t := range o.partitionsByTopic {
		topics = append(topics, t)
	}
	details, err := adm.ListTopics(ctx, topics...)
	if err != nil {
		return nil, err
	}
	for t, want := range o.partitionsByTopic {
		d := details[t]
		if d.Err != nil {
			return nil, fmt.Errorf("topic %s: %w", t, d.Err)
		}
		if len(want) == 0 {
			want = d.Partitions.Numbers()
		}
		for _, p := range want {
			if _, ok := d.Partitions[p]; !ok {
				return nil, fmt.Errorf("topic %s has no partition %d (it has %d)", t, p, len(d.Partitions))
			}
		}
		parts.Add(t, want...)
	}
	return parts, nil
}

func commitPlan(ctx context.Context, adm *kadm.Client, group string, plan []resetRow) error {
	offsets := kadm.Offsets{}
	for _, r := range plan {
		offsets.Add(kadm.Offset{Topic: r.Topic, Partition: r.Partition, At: r.New, LeaderEpoch: -1})
	}
	resps, err := adm.CommitOffsets(ctx, group, offsets)
	if err != nil {
		return err
	}
	for _, r := range plan {
		if resp, ok := resps.Lookup(r.Topic, r.Partition); ok && resp.Err != nil {
			return fmt.Errorf("committing %s[%d] for group %s: %w", r.Topic, r.Partition, group, resp.Err)
		}
	}
	return nil
}

func (s *session) printResetPlan(group string, plan []resetRow, executed bool) error {
	if s.g.json {
		return writeJSON(s.env.Stdout, struct {
			Group    string     `json:"group"`
			Executed bool       `json:"executed"`
			Offsets  []resetRow `json:"offsets"`
		}{group, executed, plan})
	}
	t := newTable(s.env.Stdout, "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET")
	for _, r := range plan {
		t.row(r.Topic, r.Partition, r.Current, r.New)
	}
	t.flush()
	if !executed {
		fmt.Fprintln(s.env.Stderr, "samsa: dry run, no offsets changed; add --execute to apply")
	}
	return nil
}
