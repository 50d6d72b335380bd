package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func groupDescribeCommand() *command {
	return &command{
		path: "group describe", args: "GROUP...", minArgs: 1, maxArgs: -1,
		summary: "show a group's state, members, assignments, committed offsets and lag",
		details: `
Each partition the group has committed to or is assigned is listed with the
committed offset, the log end offset (high watermark) and the lag between
them; "-" marks a partition without a commit. Works for classic groups and
KIP-848 consumer groups.

Examples:
  samsa group describe billing
  samsa group describe billing --json | jq .total_lag`,
		setup: func(*flagSet) action { return describeGroups },
	}
}

type groupDescription struct {
	Group        string         `json:"group"`
	Coordinator  int32          `json:"coordinator"`
	State        string         `json:"state"`
	Type         string         `json:"type"` // classic or consumer (KIP-848)
	ProtocolType string         `json:"protocol_type"`
	Protocol     string         `json:"protocol"` // the assignor
	Members      []groupMember  `json:"members"`
	Offsets      []partitionLag `json:"offsets"`
	TotalLag     int64          `json:"total_lag"`
}

type groupMember struct {
	MemberID   string             `json:"member_id"`
	InstanceID *string            `json:"instance_id"`
	ClientID   string             `json:"client_id"`
	Host       string             `json:"host"`
	Assignment map[string][]int32 `json:"assignment"`
}

type partitionLag struct {
	Topic        string  `json:"topic"`
	Partition    int32   `json:"partition"`
	Committed    *int64  `json:"committed_offset"`
	LogEndOffset *int64  `json:"log_end_offset"`
	Lag          *int64  `json:"lag"`
	MemberID     string  `json:"member_id,omitempty"`
	ClientID     string  `json:"client_id,omitempty"`
	Host         string  `json:"host,omitempty"`
	Error        *string `json:"error,omitempty"`
}

func describeGroups(ctx context.Context, s *session, names []string) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	descs := []groupDescription{}
	var results []result
	for _, name := range names {
		d, err := describeGroup(ctx, s, adm, name)
		if err == nil {
			err = addLag(ctx, adm, &d)
		}
		results = append(results, result{name, err})
		if err == nil {
			descs = append(descs, d)
		}
	}
	if s.g.json {
		if err := writeJSON(s.env.Stdout, descs); err != nil {
			return err
		}
	} else {
		for i, d := range descs {
			if i > 0 {
				fmt.Fprintln(s.env.Stdout)
			}
			printGroup(s.env.Stdout, d)
		}
	}
	return summarize("describe group", results)
}

// describeGroup tries ConsumerGroupDescribe first when the broker has it:
// a KIP-848 group is invisible to the classic DescribeGroups, and a
// classic group is GROUP_ID_NOT_FOUND to ConsumerGroupDescribe.
func describeGroup(ctx context.Context, s *session, adm *kadm.Client, name string) (groupDescription, error) {
	has848, err := s.supports(ctx, consumerGroupDescribeKey)
	if err != nil {
		return groupDescription{}, err
	}
	if has848 {
		groups, err := adm.DescribeConsumerGroups(ctx, name)
		if err != nil {
			return groupDescription{}, err
		}
		g := groups[name]
		if g.Err == nil {
			return fromConsumerGroup(g), nil
		}
		if !errors.Is(g.Err, kerr.GroupIDNotFound) {
			return groupDescription{}, g.Err
		}
	}
	groups, err := adm.DescribeGroups(ctx, name)
	if err != nil {
		return groupDescription{}, err
	}
	g := groups[name]
	if g.Err != nil {
		return groupDescription{}, withMessage(g.Err, g.ErrMessage)
	}
	if g.State == "Dead" { // how brokers before DescribeGroups v6 say "no such group"
		return groupDescription{}, kerr.GroupIDNotFound
	}
	return fromClassicGroup(g), nil
}

func fromConsumerGroup(g kadm.DescribedConsumerGroup) groupDescription {
	d := groupDescription{
		Group: g.Group, Coordinator: g.Coordinator.NodeID, State: g.State, Type: "consumer",
		ProtocolType: "consumer", Protocol: g.AssignorName, Members: []groupMember{},
	}
	for _, m := range g.Members {
		d.Members = append(d.Members, groupMember{m.MemberID, m.InstanceID, m.ClientID, m.ClientHost, assignmentOf(m.Assignment)})
	}
	return d
}

func fromClassicGroup(g kadm.DescribedGroup) groupDescription {
	d := groupDescription{
		Group: g.Group, Coordinator: g.Coordinator.NodeID, State: g.State, Type: "classic",
		ProtocolType: g.ProtocolType, Protocol: g.Protocol, Members: []groupMember{},
	}
	for _, m := range g.Members {
		assigned := kadm.TopicsSet{}
		if a, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range a.Topics {
				assigned.Add(t.Topic, t.Partitions...)
			}
		}
		d.Members = append(d.Members, groupMember{m.MemberID, m.InstanceID, m.ClientID, m.ClientHost, assignmentOf(assigned)})
	}
	return d
}

func assignmentOf(set kadm.TopicsSet) map[string][]int32 {
	out := map[string][]int32{}
	for _, tp := range set.Sorted() {
		out[tp.Topic] = tp.Partitions
	}
	return out
}

// addLag fills d.Offsets with every partition the group committed to or
// is assigned, and the lag of each against its log end offset.
func addLag(ctx context.Context, adm *kadm.Client, d *groupDescription) error {
	committed, err := adm.FetchOffsets(ctx, d.Group)
	if err != nil {
		return err
	}
	owners := partitionOwners(d.Members)
	parts := kadm.TopicsSet{}
	committed.Each(func(o kadm.OffsetResponse) { parts.Add(o.Topic, o.Partition) })
	for tp := range owners {
		parts.Add(tp.topic, tp.partition)
	}
	ends := kadm.ListedOffsets{}
	if topics := parts.Topics(); len(topics) > 0 {
		if ends, err = adm.ListEndOffsets(ctx, topics...); err != nil {
			return err
		}
	}
	d.Offsets = []partitionLag{}
	for _, tp := range parts.Sorted() {
		for _, p := range tp.Partitions {
			c, _ := committed.Lookup(tp.Topic, p)
			e, _ := ends.Lookup(tp.Topic, p)
			row := lagRow(tp.Topic, p, c, e, owners[topicPartition{tp.Topic, p}])
			if row.Lag != nil {
				d.TotalLag += *row.Lag
			}
			d.Offsets = append(d.Offsets, row)
		}
	}
	return nil
}

type topicPartition struct {
	topic     string
	partition int32
}

func partitionOwners(members []groupMember) map[topicPartition]groupMember {
	owners := map[topicPartition]groupMember{}
	for _, m := range members {
		for t, ps := range m.Assignment {
			for _, p := range ps {
				owners[topicPartition{t, p}] = m
			}
		}
	}
	return owners
}

// lagRow computes one partition's lag. A commit of -1 or none means the
// group has not committed there: no lag is claimed, as kafka-consumer-groups.
func lagRow(topic string, p int32, c kadm.OffsetResponse, e kadm.ListedOffset, owner groupMember) partitionLag {
	row := partitionLag{Topic: topic, Partition: p, MemberID: owner.MemberID, ClientID: owner.ClientID, Host: owner.Host}
	err := c.Err
	if err == nil {
		err = e.Err
	}
	row.Error = errString(err)
	if c.Err == nil && c.Topic != "" && c.At >= 0 {
		row.Committed = ptr(c.At)
	}
	if e.Err == nil && e.Topic != "" {
		row.LogEndOffset = ptr(e.Offset)
	}
	if row.Committed != nil && row.LogEndOffset != nil {
		row.Lag = ptr(max(*row.LogEndOffset-*row.Committed, 0))
	}
	return row
}

func ptr[T any](v T) *T { return &v }

func printGroup(w io.Writer, d groupDescription) {
	t := newTable(w)
	t.row("GROUP", d.Group)
	t.row("COORDINATOR", d.Coordinator)
	t.row("STATE", d.State)
	t.row("TYPE", d.Type)
	t.row("PROTOCOL", protocolName(d.ProtocolType, d.Protocol))
	t.row("MEMBERS", len(d.Members))
	t.row("TOTAL-LAG", d.TotalLag)
	t.flush()
	if len(d.Members) > 0 {
		fmt.Fprintln(w)
		t = newTable(w, "MEMBER-ID", "CLIENT-ID", "HOST", "ASSIGNMENT")
		for _, m := range d.Members {
			t.row(m.MemberID, m.ClientID, m.Host, formatAssignment(m.Assignment))
		}
		t.flush()
	}
	if len(d.Offsets) > 0 {
		fmt.Fprintln(w)
		t = newTable(w, "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID", "HOST")
		for _, o := range d.Offsets {
			t.row(o.Topic, o.Partition, o.Committed, o.LogEndOffset, o.Lag, dash(o.MemberID), dash(o.ClientID), dash(o.Host))
		}
		t.flush()
	}
}

// protocolName is "consumer/range", or what is known of it: the assignor
// is only set while the group is stable.
func protocolName(protocolType, assignor string) string {
	switch {
	case assignor == "":
		return dash(protocolType)
	case protocolType == "":
		return assignor
	}
	return protocolType + "/" + assignor
}

// formatAssignment is "orders[0,1] payments[3]".
func formatAssignment(a map[string][]int32) string {
	topics := make([]string, 0, len(a))
	for t := range a {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	parts := make([]string, len(topics))
	for i, t := range topics {
		parts[i] = fmt.Sprintf("%s[%s]", t, joinInt32(a[t]))
	}
	return dash(strings.Join(parts, " "))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
