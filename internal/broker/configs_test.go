package broker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/meta"
)

func set(name, value string) config.Op {
	return config.Op{Name: name, Type: config.OpSet, Value: value}
}

func incremental(ops ...config.Op) AlterConfigs { return AlterConfigs{Ops: ops} }

func wantErr(t *testing.T, err error, code *kerr.Error, text string) {
	t.Helper()
	if !errors.Is(err, code) || !strings.Contains(err.Error(), text) {
		t.Fatalf("error %v, want %s mentioning %q", err, code.Message, text)
	}
}

func createTopic(t *testing.T, b *Broker, name string, configs map[string]string) {
	t.Helper()
	if _, err := b.CreateTopic(CreateTopic{Name: name, Partitions: 2, ReplicationFactor: 1, Configs: configs}); err != nil {
		t.Fatal(err)
	}
}

// TestAlterTopicConfigs: a change is validated, refused or applied to the
// live partitions, and survives a restart.
func TestAlterTopicConfigs(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir, nil)
	createTopic(t, b, "t", nil)
	if res := produce(t, b, "t", 1, 50); res.Err != nil {
		t.Fatal(res.Err)
	}
	wantErr(t, b.AlterTopicConfigs("t", incremental(set("retention.ms", "-5"))), kerr.InvalidConfig, "Invalid value -5 for configuration retention.ms")
	wantErr(t, b.AlterTopicConfigs("t", incremental(set("no.such", "1"))), kerr.InvalidConfig, "Unknown topic config name: no.such")
	wantErr(t, b.AlterTopicConfigs("nope", incremental(set("no.such", "1"))), kerr.InvalidConfig, "no.such")
	wantErr(t, b.AlterTopicConfigs("nope", incremental(set("retention.ms", "1"))), kerr.UnknownTopicOrPartition, "The topic 'nope' does not exist.")
	wantErr(t, b.AlterTopicConfigs("a b", incremental()), kerr.InvalidTopicException, "")
	wantErr(t, b.AlterTopicConfigs("", incremental()), kerr.InvalidRequest, "Default topic resources are not allowed.")

	small := incremental(set("max.message.bytes", "20"), set("retention.ms", "1000"))
	small.ValidateOnly = true
	if err := b.AlterTopicConfigs("t", small); err != nil {
		t.Fatal(err)
	}
	if info, _ := b.Topic("t"); len(info.Configs) != 0 {
		t.Fatalf("validate-only changed the configs: %v", info.Configs)
	}
	small.ValidateOnly = false
	if err := b.AlterTopicConfigs("t", small); err != nil {
		t.Fatal(err)
	}
	if res := produce(t, b, "t", 1, 50); !errors.Is(res.Err, kerr.MessageTooLarge) {
		t.Fatalf("batch over the lowered max.message.bytes: %v", res.Err)
	}
	// AlterConfigs replaces the whole set: retention.ms goes.
	if err := b.AlterTopicConfigs("t", AlterConfigs{Replace: true, Ops: []config.Op{set("max.message.bytes", "30")}}); err != nil {
		t.Fatal(err)
	}
	b.Close()

	b = open(t, dir, nil)
	defer b.Close()
	if info, _ := b.Topic("t"); len(info.Configs) != 1 || info.Configs["max.message.bytes"] != "30" {
		t.Fatalf("configs after restart: %v", info.Configs)
	}
	if res := produce(t, b, "t", 0, 50); !errors.Is(res.Err, kerr.MessageTooLarge) {
		t.Fatalf("after restart, a batch over max.message.bytes: %v", res.Err)
	}
	if err := b.AlterTopicConfigs("t", incremental(config.Op{Name: "max.message.bytes", Type: config.OpDelete})); err != nil {
		t.Fatal(err)
	}
	if res := produce(t, b, "t", 0, 50); res.Err != nil {
		t.Fatalf("after deleting the override: %v", res.Err)
	}
}

// TestAlterBrokerConfigs: dynamic broker configs apply to topics without
// an override, at once, and survive a restart.
func TestAlterBrokerConfigs(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir, map[string]string{"node.id": "3"})
	createTopic(t, b, "plain", nil)
	createTopic(t, b, "own", map[string]string{"max.message.bytes": "100000"})

	wantErr(t, b.AlterBrokerConfigs("4", incremental(set("message.max.bytes", "20"))), kerr.InvalidRequest, "Unexpected broker id, expected 3, but received 4")
	wantErr(t, b.AlterBrokerConfigs("x", incremental()), kerr.InvalidRequest, "Node id must be an integer, but it is: x")
	wantErr(t, b.AlterBrokerConfigs("", incremental(set("num.partitions", "3"))), kerr.InvalidRequest, "Cannot update these configs dynamically: [num.partitions]")
	wantErr(t, b.AlterBrokerConfigs("3", incremental(set("message.max.bytes", "x"))), kerr.InvalidRequest, "Invalid value x")
	wantErr(t, b.AlterBrokerConfigs("3", incremental(config.Op{Name: "message.max.bytes", Type: config.OpAppend, Value: "1"})), kerr.InvalidConfig, "append")
	wantErr(t, b.AlterBrokerConfigs("3", incremental(config.Op{Name: "message.max.bytes", Type: 7})), kerr.InvalidRequest, "Unknown operations type 7")

	if err := b.AlterBrokerConfigs("", incremental(set("message.max.bytes", "20"))); err != nil {
		t.Fatal(err)
	}
	if res := produce(t, b, "plain", 0, 50); !errors.Is(res.Err, kerr.MessageTooLarge) {
		t.Fatalf("topic without override after message.max.bytes=20: %v", res.Err)
	}
	if res := produce(t, b, "own", 0, 50); res.Err != nil {
		t.Fatalf("topic with its own max.message.bytes: %v", res.Err)
	}
	createTopic(t, b, "later", nil)
	if res := produce(t, b, "later", 0, 50); !errors.Is(res.Err, kerr.MessageTooLarge) {
		t.Fatalf("topic created after the change: %v", res.Err)
	}
	if err := b.AlterBrokerConfigs("3", incremental(set("log.retention.ms", "5000"))); err != nil {
		t.Fatal(err)
	}
	b.Close()

	b = open(t, dir, map[string]string{"node.id": "3"})
	defer b.Close()
	if cluster, node := b.Config().Dynamic(); cluster["message.max.bytes"] != "20" || node["log.retention.ms"] != "5000" {
		t.Fatalf("dynamic configs after restart: %v %v", cluster, node)
	}
	if res := produce(t, b, "plain", 0, 50); !errors.Is(res.Err, kerr.MessageTooLarge) {
		t.Fatalf("after restart, message.max.bytes=20 no longer applies: %v", res.Err)
	}
	entries, err := b.DescribeTopicConfigs("plain")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name == "retention.ms" && (*e.Value != "5000" || e.Source != config.SourceDynamicBroker) {
			t.Errorf("retention.ms described as %s from %d", *e.Value, e.Source)
		}
	}
	if err := b.AlterBrokerConfigs("", AlterConfigs{Replace: true}); err != nil {
		t.Fatal(err)
	}
	if res := produce(t, b, "plain", 0, 50); res.Err != nil {
		t.Fatalf("after clearing the cluster-wide configs: %v", res.Err)
	}
}

func TestDescribeConfigsErrors(t *testing.T) {
	b := open(t, t.TempDir(), nil)
	defer b.Close()
	if _, err := b.DescribeTopicConfigs("missing"); !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("unknown topic: %v", err)
	}
	_, err := b.DescribeBrokerConfigs("2")
	wantErr(t, err, kerr.InvalidRequest, "Unexpected broker id, expected 1 or empty string, but received 2")
	_, err = b.DescribeBrokerConfigs("one")
	wantErr(t, err, kerr.InvalidRequest, "Broker id must be an integer, but it is: one")
	if entries, err := b.DescribeBrokerConfigs(""); err != nil || len(entries) != 0 {
		t.Fatalf("cluster-wide defaults of a fresh broker: %v, %v", entries, err)
	}
}

// TestRecompressOnProduce: with compression.type set, the stored batch has
// the topic's codec whatever the producer used, and keeps its producer
// fields.
func TestRecompressOnProduce(t *testing.T) {
	b := open(t, t.TempDir(), nil)
	defer b.Close()
	createTopic(t, b, "z", map[string]string{"compression.type": "zstd"})
	recs := []batch.Record{{Key: []byte("k"), Value: []byte(strings.Repeat("v", 500))}}
	in, err := batch.Build(batch.Header{Attributes: int16(batch.Gzip), ProducerID: 7, ProducerEpoch: 0, BaseSequence: 0}, recs...)
	if err != nil {
		t.Fatal(err)
	}
	if res := b.Produce(AcksAll, []ProducePart{{Topic: "z", Records: in}}).Wait(); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	res := b.Fetch(context.Background(), FetchRequest{MaxBytes: 1 << 20, Parts: []FetchPart{{Topic: "z", MaxBytes: 1 << 20}}})
	defer res[0].Records.Release()
	stored, err := res[0].Records.AppendTo(nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := batch.Verify(stored)
	if err != nil {
		t.Fatal(err)
	}
	if h.Codec() != batch.Zstd || h.ProducerID != 7 || h.NumRecords != 1 {
		t.Fatalf("stored batch: codec %s producer %d records %d", h.Codec(), h.ProducerID, h.NumRecords)
	}
}

// TestPersistedDynamicConfigsRefusedAtStart: a persisted config this
// version does not accept is dropped with a warning, not a failed start.
func TestPersistedDynamicConfigsRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	raw := `{"cluster": {"num.partitions": "3", "message.max.bytes": "50"}, "node": {"log.retention.ms": "x"}}`
	if err := os.WriteFile(filepath.Join(dir, meta.BrokerConfigsFile), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	b := open(t, dir, nil)
	defer b.Close()
	cluster, node := b.Config().Dynamic()
	if len(cluster) != 1 || cluster["message.max.bytes"] != "50" || len(node) != 0 {
		t.Fatalf("dynamic configs in effect: %v %v", cluster, node)
	}
}
