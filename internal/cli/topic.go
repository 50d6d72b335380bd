package cli

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
)

func topicCommands() []*command {
	return []*command{
		topicCreateCommand(), topicListCommand(), topicDescribeCommand(),
		topicAlterConfigCommand(), topicAddPartitionsCommand(), topicDeleteCommand(),
	}
}

func topicCreateCommand() *command {
	return &command{
		path: "topic create", args: "TOPIC...", minArgs: 1, maxArgs: -1,
		summary: "create topics",
		details: `
Partitions and replicas default to the broker's num.partitions and
default.replication.factor. Exits 1 if any topic could not be created.

Examples:
  samsa topic create orders -p 6
  samsa topic create audit -p 1 -c cleanup.policy=compact -c retention.ms=-1
  samsa topic create a b c --dry-run`,
		setup: func(fs *flagSet) action {
			partitions := fs.Int("partitions", -1, "partitions per topic (default: the broker's num.partitions)")
			fs.alias("p", "partitions")
			replicas := fs.Int("replicas", -1, "replicas per partition (default: the broker's default.replication.factor)")
			fs.alias("r", "replicas")
			var configs keyValues
			fs.Var(&configs, "config", "topic config `key=value`, repeatable")
			fs.alias("c", "config")
			dryRun := fs.Bool("dry-run", false, "only ask the broker whether it would create the topics")
			return func(ctx context.Context, s *session, topics []string) error {
				return createTopics(ctx, s, topics, int32(*partitions), int16(*replicas), configs, *dryRun)
			}
		},
	}
}

type createdTopic struct {
	Topic      string  `json:"topic"`
	ID         string  `json:"id,omitempty"`
	Partitions int32   `json:"partitions"`
	Replicas   int16   `json:"replicas"`
	Error      *string `json:"error"`
}

func createTopics(ctx context.Context, s *session, topics []string, partitions int32, replicas int16, configs keyValues, dryRun bool) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	cfg := map[string]*string{}
	for _, kv := range configs {
		cfg[kv.key] = &kv.value
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	create := adm.CreateTopics
	if dryRun {
		create = adm.ValidateCreateTopics
	}
	resps, err := create(ctx, partitions, replicas, cfg, topics...)
	if err != nil {
		return err
	}
	var rows []createdTopic
	var results []result
	for _, t := range topics {
		r := resps[t]
		err := withMessage(r.Err, r.ErrMessage)
		rows = append(rows, createdTopic{t, topicID(r.ID), r.NumPartitions, r.ReplicationFactor, errString(err)})
		results = append(results, result{t, err})
	}
	if err := s.printCreated(rows); err != nil {
		return err
	}
	return summarize("create topic", results)
}

func (s *session) printCreated(rows []createdTopic) error {
	if s.g.json {
		return writeJSON(s.env.Stdout, rows)
	}
	t := newTable(s.env.Stdout, "TOPIC", "PARTITIONS", "REPLICAS", "STATUS")
	for _, r := range rows {
		st := "OK"
		if r.Error != nil {
			st = *r.Error
		}
		t.row(r.Topic, r.Partitions, r.Replicas, st)
	}
	t.flush()
	return nil
}

// topicID is "" when the broker gave no id (all zero), so JSON omits it.
// topicID prints a topic id as Kafka's tools do (Uuid.toString: URL-safe
// base64 without padding).
func topicID(id kadm.TopicID) string {
	if id == (kadm.TopicID{}) {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(id[:])
}

func topicListCommand() *command {
	return &command{
		path: "topic list", maxArgs: 0,
		summary: "list topics",
		details: `
Examples:
  samsa topic list
  samsa topic list --internal --json | jq -r '.[].topic'`,
		setup: func(fs *flagSet) action {
			internal := fs.Bool("internal", false, "include internal topics (__consumer_offsets, ...)")
			fs.alias("i", "internal")
			return func(ctx context.Context, s *session, _ []string) error {
				return listTopics(ctx, s, *internal)
			}
		},
	}
}

type listedTopic struct {
	Topic      string `json:"topic"`
	ID         string `json:"id,omitempty"`
	Partitions int    `json:"partitions"`
	Replicas   int    `json:"replicas"`
	Internal   bool   `json:"internal"`
}

func listTopics(ctx context.Context, s *session, internal bool) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	list := adm.ListTopics
	if internal {
		list = adm.ListTopicsWithInternal
	}
	details, err := list(ctx)
	if err != nil {
		return err
	}
	rows := []listedTopic{}
	for _, d := range details.Sorted() {
		rows = append(rows, listedTopic{d.Topic, topicID(d.ID), len(d.Partitions), d.Partitions.NumReplicas(), d.IsInternal})
	}
	if s.g.json {
		return writeJSON(s.env.Stdout, rows)
	}
	t := newTable(s.env.Stdout, "TOPIC", "PARTITIONS", "REPLICAS")
	for _, r := range rows {
		t.row(r.Topic, r.Partitions, r.Replicas)
	}
	t.flush()
	return nil
}

func topicDeleteCommand() *command {
	return &command{
		path: "topic delete", args: "TOPIC...", minArgs: 1, maxArgs: -1,
		summary: "delete topics and all their records",
		details: `
Exits 1 if any topic could not be deleted (UNKNOWN_TOPIC_OR_PARTITION when it
does not exist).

Example:
  samsa topic delete orders`,
		setup: func(*flagSet) action { return deleteTopics },
	}
}

func deleteTopics(ctx context.Context, s *session, topics []string) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	resps, err := adm.DeleteTopics(ctx, topics...)
	if err != nil {
		return err
	}
	var results []result
	for _, t := range topics {
		r, ok := resps[t]
		err := withMessage(r.Err, r.ErrMessage)
		if !ok {
			err = fmt.Errorf("no answer for topic %q", t)
		}
		results = append(results, result{t, err})
	}
	return s.printResults("TOPIC", results, summarize("delete topic", results))
}
