//go:build unix

package process

import (
	"strings"
	"testing"
)

// describedTopic is the part of `samsa topic describe --json` tests read.
type describedTopic struct {
	Topic      string `json:"topic"`
	Partitions []struct {
		Partition   int32   `json:"partition"`
		Leader      int32   `json:"leader"`
		Replicas    []int32 `json:"replicas"`
		ISR         []int32 `json:"isr"`
		StartOffset int64   `json:"start_offset"`
		EndOffset   int64   `json:"end_offset"`
	} `json:"partitions"`
	Configs []struct {
		Name   string  `json:"name"`
		Value  *string `json:"value"`
		Source string  `json:"source"`
	} `json:"configs"`
	ConfigsError *string `json:"configs_error"`
}

func describeTopic(t *testing.T, addr, topic string) describedTopic {
	t.Helper()
	var ds []describedTopic
	cliJSON(t, addr, &ds, "topic", "describe", topic)
	if len(ds) != 1 || ds[0].Topic != topic {
		t.Fatalf("describe %s: %+v", topic, ds)
	}
	return ds[0]
}

// config returns a topic config's value and source from describe.
func (d describedTopic) config(t *testing.T, name string) (value, source string) {
	t.Helper()
	if d.ConfigsError != nil {
		t.Fatalf("describe %s: no configs: %s", d.Topic, *d.ConfigsError)
	}
	for _, c := range d.Configs {
		if c.Name == name && c.Value != nil {
			return *c.Value, c.Source
		}
	}
	t.Fatalf("describe %s: no config %s in %+v", d.Topic, name, d.Configs)
	return "", ""
}

func TestCLITopicLifecycle(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()

	out := cliOK(t, addr, "", "topic", "create", "orders", "-p", "3", "-c", "retention.ms=3600000")
	if !strings.Contains(out, "orders") || !strings.Contains(out, "OK") {
		t.Fatalf("create: stdout\n%s", out)
	}
	samsaCLI(t, addr, "", "topic", "create", "orders").wantFailure(t, 1, "TOPIC_ALREADY_EXISTS")

	var listed []struct {
		Topic      string `json:"topic"`
		Partitions int    `json:"partitions"`
		Internal   bool   `json:"internal"`
	}
	cliJSON(t, addr, &listed, "topic", "list")
	if len(listed) != 1 || listed[0].Topic != "orders" || listed[0].Partitions != 3 || listed[0].Internal {
		t.Fatalf("topic list --json: %+v", listed)
	}
	if out := cliOK(t, addr, "", "topic", "list"); !strings.Contains(out, "TOPIC") || !strings.Contains(out, "orders") {
		t.Fatalf("topic list: %s", out)
	}

	d := describeTopic(t, addr, "orders")
	if len(d.Partitions) != 3 {
		t.Fatalf("describe: %d partitions, want 3", len(d.Partitions))
	}
	for i, p := range d.Partitions {
		if p.Partition != int32(i) || p.Leader < 0 || len(p.Replicas) != 1 || len(p.ISR) != 1 || p.StartOffset != 0 || p.EndOffset != 0 {
			t.Errorf("describe partition %d: %+v", i, p)
		}
	}
	if v, src := d.config(t, "retention.ms"); v != "3600000" || src != "DYNAMIC_TOPIC_CONFIG" {
		t.Errorf("retention.ms = %s (%s), want 3600000 from create", v, src)
	}
	human := cliOK(t, addr, "", "topic", "describe", "orders")
	for _, want := range []string{"PARTITION", "LEADER", "ISR", "END-OFFSET", "retention.ms", "3600000"} {
		if !strings.Contains(human, want) {
			t.Errorf("describe output lacks %q:\n%s", want, human)
		}
	}

	cliOK(t, addr, "", "topic", "add-partitions", "orders", "-n", "2")
	if d := describeTopic(t, addr, "orders"); len(d.Partitions) != 5 {
		t.Errorf("after add-partitions -n 2: %d partitions, want 5", len(d.Partitions))
	}
	samsaCLI(t, addr, "", "topic", "add-partitions", "orders", "--total", "4").wantFailure(t, 1, "INVALID_PARTITIONS")

	cliOK(t, addr, "", "topic", "delete", "orders")
	cliJSON(t, addr, &listed, "topic", "list")
	if len(listed) != 0 {
		t.Fatalf("topic list after delete: %+v", listed)
	}
	samsaCLI(t, addr, "", "topic", "delete", "orders").wantFailure(t, 1, "UNKNOWN_TOPIC_OR_PARTITION")
}

func TestCLITopicAlterConfig(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	cliOK(t, addr, "", "topic", "create", "events", "-p", "1")

	cliOK(t, addr, "", "topic", "alter-config", "events", "--set", "retention.ms=60000", "--set", "cleanup.policy=compact")
	d := describeTopic(t, addr, "events")
	if v, src := d.config(t, "retention.ms"); v != "60000" || src != "DYNAMIC_TOPIC_CONFIG" {
		t.Errorf("retention.ms = %s (%s) after --set", v, src)
	}
	if v, _ := d.config(t, "cleanup.policy"); v != "compact" {
		t.Errorf("cleanup.policy = %s after --set", v)
	}

	cliOK(t, addr, "", "topic", "alter-config", "events", "--delete", "retention.ms")
	if v, src := describeTopic(t, addr, "events").config(t, "retention.ms"); src == "DYNAMIC_TOPIC_CONFIG" {
		t.Errorf("retention.ms = %s (%s) after --delete, want the default back", v, src)
	}

	samsaCLI(t, addr, "", "topic", "alter-config", "events", "--set", "no.such.config=1").wantFailure(t, 1, "INVALID_CONFIG")
	samsaCLI(t, addr, "", "topic", "alter-config", "events").wantFailure(t, 2, "Usage:")
}

func TestCLITopicBadInput(t *testing.T) {
	t.Parallel()
	addr := startBroker(t).Addr()
	cliOK(t, addr, "", "topic", "create", "known")

	r := samsaCLI(t, addr, "", "topic", "describe", "missing")
	r.wantFailure(t, 1, "UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic-partition.")
	// Several topics: the known one is still described, and the exit
	// code still says one failed.
	r = samsaCLI(t, addr, "", "topic", "describe", "known", "missing")
	r.wantFailure(t, 1, "UNKNOWN_TOPIC_OR_PARTITION")
	if !strings.Contains(r.stdout, "known") {
		t.Errorf("describe known missing: the known topic is not shown:\n%s", r.stdout)
	}

	for _, args := range [][]string{
		{"topic", "create", "x", "--no-such-flag"},
		{"topic", "create"},
		{"topic", "create", "x", "-p", "many"},
		{"topic", "create", "x", "-c", "novalue"},
		{"topic", "list", "extra"},
		{"topic", "nosuchverb"},
	} {
		samsaCLI(t, addr, "", args...).wantFailure(t, 2, "Usage:")
	}
}
