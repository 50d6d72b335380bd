package cli

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
)

func topicDescribeCommand() *command {
	return &command{
		path: "topic describe", args: "TOPIC...", minArgs: 1, maxArgs: -1,
		summary: "show partitions (leader, replicas, ISR, offsets) and configs of topics",
		details: `
START-OFFSET is the log start offset, END-OFFSET the high watermark (the
offset the next record gets). Configs come from DescribeConfigs; against a
broker without that API they are left out with a warning.

Examples:
  samsa topic describe orders
  samsa topic describe orders --json | jq '.[0].partitions[].end_offset'`,
		setup: func(*flagSet) action { return describeTopics },
	}
}

type topicDescription struct {
	Topic        string                 `json:"topic"`
	ID           string                 `json:"id,omitempty"`
	Internal     bool                   `json:"internal"`
	Partitions   []partitionDescription `json:"partitions"`
	Configs      []configEntry          `json:"configs,omitempty"`
	ConfigsError *string                `json:"configs_error,omitempty"`
}

type partitionDescription struct {
	Partition       int32   `json:"partition"`
	Leader          int32   `json:"leader"`
	LeaderEpoch     int32   `json:"leader_epoch"`
	Replicas        []int32 `json:"replicas"`
	ISR             []int32 `json:"isr"`
	OfflineReplicas []int32 `json:"offline_replicas"`
	StartOffset     int64   `json:"start_offset"`
	EndOffset       int64   `json:"end_offset"`
	Error           *string `json:"error"`
}

type configEntry struct {
	Name      string  `json:"name"`
	Value     *string `json:"value"`
	Source    string  `json:"source"`
	Sensitive bool    `json:"sensitive"`
}

func describeTopics(ctx context.Context, s *session, topics []string) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	details, err := adm.ListTopics(ctx, topics...)
	if err != nil {
		return err
	}
	var found []string
	var results []result
	for _, t := range topics {
		err := details[t].Err
		if _, ok := details[t]; !ok {
			err = fmt.Errorf("no metadata for topic %q", t)
		}
		results = append(results, result{t, err})
		if err == nil {
			found = append(found, t)
		}
	}
	descs, err := describeFound(ctx, s, adm, details, found)
	if err != nil {
		return err
	}
	if err := s.printDescriptions(descs); err != nil {
		return err
	}
	return summarize("describe topic", results)
}

func describeFound(ctx context.Context, s *session, adm *kadm.Client, details kadm.TopicDetails, topics []string) ([]topicDescription, error) {
	descs := []topicDescription{}
	if len(topics) == 0 {
		return descs, nil
	}
	starts, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	configs, configsErr := topicConfigs(ctx, s, adm, topics)
	if configsErr != nil {
		s.warn("configs not shown: %v", configsErr)
	}
	for _, t := range topics {
		d := details[t]
		desc := topicDescription{Topic: t, ID: topicID(d.ID), Internal: d.IsInternal, ConfigsError: errString(configsErr)}
		for _, p := range d.Partitions.Sorted() {
			desc.Partitions = append(desc.Partitions, describePartition(p, starts, ends))
		}
		desc.Configs = configs[t]
		descs = append(descs, desc)
	}
	return descs, nil
}

func describePartition(p kadm.PartitionDetail, starts, ends kadm.ListedOffsets) partitionDescription {
	start, _ := starts.Lookup(p.Topic, p.Partition)
	end, _ := ends.Lookup(p.Topic, p.Partition)
	err := p.Err
	if err == nil {
		err = start.Err
	}
	if err == nil {
		err = end.Err
	}
	return partitionDescription{
		Partition: p.Partition, Leader: p.Leader, LeaderEpoch: p.LeaderEpoch,
		Replicas: nonNil(p.Replicas), ISR: nonNil(p.ISR), OfflineReplicas: nonNil(p.OfflineReplicas),
		StartOffset: start.Offset, EndOffset: end.Offset, Error: errString(err),
	}
}

// nonNil keeps JSON arrays as [] rather than null.
func nonNil(ns []int32) []int32 {
	if ns == nil {
		return []int32{}
	}
	return ns
}

// topicConfigs returns each topic's configs sorted by name, or why there
// are none (a broker without DescribeConfigs, or its error).
func topicConfigs(ctx context.Context, s *session, adm *kadm.Client, topics []string) (map[string][]configEntry, error) {
	if err := s.requireAPI(ctx, describeConfigsKey); err != nil {
		return nil, err
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, topics...)
	if err != nil {
		return nil, err
	}
	out := map[string][]configEntry{}
	for _, rc := range rcs {
		if rc.Err != nil {
			return nil, fmt.Errorf("topic %s: %w", rc.Name, withMessage(rc.Err, rc.ErrMessage))
		}
		entries := []configEntry{}
		for _, c := range rc.Configs {
			entries = append(entries, configEntry{c.Key, c.Value, c.Source.String(), c.Sensitive})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
		out[rc.Name] = entries
	}
	return out, nil
}

func (s *session) printDescriptions(descs []topicDescription) error {
	if s.g.json {
		return writeJSON(s.env.Stdout, descs)
	}
	for i, d := range descs {
		if i > 0 {
			fmt.Fprintln(s.env.Stdout)
		}
		printDescription(s.env.Stdout, d)
	}
	return nil
}

// printPartitions adds an ERROR column only when a partition has one.
func printPartitions(w io.Writer, parts []partitionDescription) {
	header := []string{"PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "START-OFFSET", "END-OFFSET"}
	withErrors := false
	for _, p := range parts {
		withErrors = withErrors || p.Error != nil
	}
	if withErrors {
		header = append(header, "ERROR")
	}
	t := newTable(w, header...)
	for _, p := range parts {
		cells := []any{p.Partition, p.Leader, p.LeaderEpoch, p.Replicas, p.ISR, p.StartOffset, p.EndOffset}
		if withErrors {
			cells = append(cells, cell(p.Error))
		}
		t.row(cells...)
	}
	t.flush()
}

func printDescription(w io.Writer, d topicDescription) {
	t := newTable(w)
	t.row("TOPIC", d.Topic)
	if d.ID != "" {
		t.row("ID", d.ID)
	}
	t.row("INTERNAL", d.Internal)
	t.row("PARTITIONS", len(d.Partitions))
	t.flush()
	fmt.Fprintln(w)
	printPartitions(w, d.Partitions)
	if d.ConfigsError != nil {
		return
	}
	fmt.Fprintln(w)
	t = newTable(w, "CONFIG", "VALUE", "SOURCE")
	for _, c := range d.Configs {
		value := cell(c.Value)
		if c.Sensitive {
			value = "(sensitive)"
		}
		t.row(c.Name, value, c.Source)
	}
	t.flush()
}
