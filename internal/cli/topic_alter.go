package cli

import (
	"context"

	"github.com/twmb/franz-go/pkg/kadm"
)

func topicAlterConfigCommand() *command {
	return &command{
		path: "topic alter-config", args: "TOPIC...", minArgs: 1, maxArgs: -1,
		summary: "set or delete topic configs (IncrementalAlterConfigs)",
		details: `
Only the named configs change; a deleted config goes back to its default.
Needs a broker with IncrementalAlterConfigs (Kafka 2.3+).

Examples:
  samsa topic alter-config orders --set retention.ms=3600000
  samsa topic alter-config orders --set cleanup.policy=compact --delete retention.bytes`,
		setup: func(fs *flagSet) action {
			var set keyValues
			var del stringList
			fs.Var(&set, "set", "set config `key=value`, repeatable")
			fs.Var(&del, "delete", "delete config `key` (back to its default), repeatable")
			dryRun := fs.Bool("dry-run", false, "only ask the broker whether it would apply the change")
			return func(ctx context.Context, s *session, topics []string) error {
				if len(set) == 0 && len(del) == 0 {
					return usagef("nothing to change: give --set key=value or --delete key")
				}
				return alterTopicConfigs(ctx, s, topics, alterations(set, del), *dryRun)
			}
		},
	}
}

func alterations(set keyValues, del stringList) []kadm.AlterConfig {
	var out []kadm.AlterConfig
	for _, kv := range set {
		out = append(out, kadm.AlterConfig{Op: kadm.SetConfig, Name: kv.key, Value: &kv.value})
	}
	for _, k := range del {
		out = append(out, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
	}
	return out
}

func alterTopicConfigs(ctx context.Context, s *session, topics []string, alter []kadm.AlterConfig, dryRun bool) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	if err := s.requireAPI(ctx, incrementalAlterConfigsKey); err != nil {
		return err
	}
	apply := adm.AlterTopicConfigs
	if dryRun {
		apply = adm.ValidateAlterTopicConfigs
	}
	resps, err := apply(ctx, alter, topics...)
	if err != nil {
		return err
	}
	byTopic := map[string]error{}
	for _, r := range resps {
		byTopic[r.Name] = withMessage(r.Err, r.ErrMessage)
	}
	var results []result
	for _, t := range topics {
		results = append(results, result{t, byTopic[t]})
	}
	return s.printResults("TOPIC", results, summarize("alter configs of topic", results))
}

func topicAddPartitionsCommand() *command {
	return &command{
		path: "topic add-partitions", args: "TOPIC...", minArgs: 1, maxArgs: -1,
		summary: "add partitions to topics",
		details: `
Keys map to partitions by hash modulo the partition count, so adding
partitions moves where new records of a key go.

Examples:
  samsa topic add-partitions orders -n 3       # three more partitions
  samsa topic add-partitions orders --total 12 # up to twelve in all`,
		setup: func(fs *flagSet) action {
			add := fs.Int("num", 0, "number of partitions to add")
			fs.alias("n", "num")
			total := fs.Int("total", 0, "partition count to grow each topic to")
			return func(ctx context.Context, s *session, topics []string) error {
				if (*add > 0) == (*total > 0) {
					return usagef("give exactly one of --num N (N > 0) or --total N")
				}
				return addPartitions(ctx, s, topics, *add, *total)
			}
		},
	}
}

func addPartitions(ctx context.Context, s *session, topics []string, add, total int) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	var resps kadm.CreatePartitionsResponses
	if add > 0 {
		resps, err = adm.CreatePartitions(ctx, add, topics...)
	} else {
		resps, err = adm.UpdatePartitions(ctx, total, topics...)
	}
	if err != nil {
		return err
	}
	var results []result
	for _, t := range topics {
		r := resps[t]
		results = append(results, result{t, withMessage(r.Err, r.ErrMessage)})
	}
	return s.printResults("TOPIC", results, summarize("add partitions to topic", results))
}
