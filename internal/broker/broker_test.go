package broker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/config"
	"github.com/samsa-streaming/samsa/internal/meta"
)

func open(t *testing.T, dir string, props map[string]string) *Broker {
	t.Helper()
	cfg, err := config.NewBroker(props)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(Options{DataDir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func records(t *testing.T, n int) []byte {
	t.Helper()
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{Value: []byte{byte(i)}}
	}
	b, err := batch.Build(batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func produce(t *testing.T, b *Broker, topic string, partition int32, n int) ProduceResult {
	t.Helper()
	res := b.Produce(AcksAll, []ProducePart{{Topic: topic, Partition: partition, Records: records(t, n)}}).Wait()
	return res[0]
}

func TestTopicsPersistAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir, nil)
	created, err := b.CreateTopic(CreateTopic{Name: "orders", Partitions: 3, ReplicationFactor: -1, Configs: map[string]string{"retention.ms": "1000"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := produce(t, b, "orders", 2, 5); res.Err != nil || res.BaseOffset != 0 {
		t.Fatalf("produce: %+v", res)
	}
	if err := b.CreatePartitions("orders", 4, false); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b = open(t, dir, nil)
	defer b.Close()
	got, ok := b.Topic("orders")
	if !ok || got.ID != created.ID || got.Partitions != 4 || got.Configs["retention.ms"] != "1000" {
		t.Fatalf("after restart: %+v (created %+v)", got, created)
	}
	if _, hwm, err := b.PartitionOffsets("orders", 2); err != nil || hwm != 5 {
		t.Fatalf("partition 2 high watermark %d, %v", hwm, err)
	}
}

func TestSecondBrokerOnSameDirFails(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir, nil)
	defer b.Close()
	cfg, _ := config.NewBroker(nil)
	if _, err := Open(Options{DataDir: dir, Config: cfg}); !errors.Is(err, meta.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

func TestDeleteAndRecreateStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir, nil)
	defer b.Close()
	first, err := b.CreateTopic(CreateTopic{Name: "t", Partitions: 1, ReplicationFactor: 1})
	if err != nil {
		t.Fatal(err)
	}
	produce(t, b, "t", 0, 3)
	if _, err := b.DeleteTopic("t", [16]byte{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteTopic("", first.ID); !errors.Is(err, kerr.UnknownTopicID) {
		t.Fatalf("deleting by stale id: %v", err)
	}
	second, err := b.CreateTopic(CreateTopic{Name: "t", Partitions: 1, ReplicationFactor: 1})
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatal("recreated topic kept its id")
	}
	if _, hwm, _ := b.PartitionOffsets("t", 0); hwm != 0 {
		t.Fatalf("recreated topic has high watermark %d", hwm)
	}
	waitGone(t, dir)
}

// waitGone polls until no deleted partition directory is left.
func waitGone(t *testing.T, dir string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		left, _ := filepath.Glob(filepath.Join(dir, "*"+deletedSuffix))
		if len(left) == 0 {
			return
		}
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("deleted partition directories left: %v", entries)
}

func TestCreateTopicValidation(t *testing.T) {
	b := open(t, t.TempDir(), nil)
	defer b.Close()
	if _, err := b.CreateTopic(CreateTopic{Name: "dup.name", Partitions: 1, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  CreateTopic
		want *kerr.Error
	}{
		{"exists", CreateTopic{Name: "dup.name", Partitions: 1, ReplicationFactor: 1}, kerr.TopicAlreadyExists},
		{"collides", CreateTopic{Name: "dup_name", Partitions: 1, ReplicationFactor: 1}, kerr.InvalidTopicException},
		{"bad name", CreateTopic{Name: "a b", Partitions: 1, ReplicationFactor: 1}, kerr.InvalidTopicException},
		{"zero partitions", CreateTopic{Name: "z", Partitions: 0, ReplicationFactor: 1}, kerr.InvalidPartitions},
		{"too many partitions", CreateTopic{Name: "z", Partitions: MaxPartitions + 1, ReplicationFactor: 1}, kerr.InvalidPartitions},
		{"replication 3", CreateTopic{Name: "z", Partitions: 1, ReplicationFactor: 3}, kerr.InvalidReplicationFactor},
		{"unknown config", CreateTopic{Name: "z", Partitions: 1, ReplicationFactor: 1, Configs: map[string]string{"x": "1"}}, kerr.InvalidConfig},
		{"bad assignment", CreateTopic{Name: "z", Partitions: -1, ReplicationFactor: -1, Assignment: map[int32][]int32{0: {2}}}, kerr.InvalidReplicaAssignment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.CreateTopic(tt.req); !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
	if _, ok := b.Topic("z"); ok {
		t.Fatal("a rejected topic exists")
	}
}

func TestFetchLongPollWakesOnProduce(t *testing.T) {
	b := open(t, t.TempDir(), nil)
	defer b.Close()
	if _, err := b.CreateTopic(CreateTopic{Name: "w", Partitions: 1, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	done := make(chan []FetchResult)
	go func() {
		done <- b.Fetch(context.Background(), FetchRequest{MaxWait: time.Minute, MinBytes: 1, MaxBytes: 1 << 20,
			Parts: []FetchPart{{Topic: "w", Offset: 0, MaxBytes: 1 << 20}}})
	}()
	produce(t, b, "w", 0, 2)
	select {
	case res := <-done:
		defer res[0].Records.Release()
		if res[0].Err != nil || res[0].Records.Len() == 0 || res[0].HighWatermark != 2 {
			t.Fatalf("fetch: %+v", res[0])
		}
	case <-time.After(30 * time.Second):
		t.Fatal("long poll did not wake on produce")
	}
}

func TestRetentionMovesLogStartOffset(t *testing.T) {
	b := open(t, t.TempDir(), map[string]string{"log.retention.check.interval.ms": "3600000"})
	defer b.Close()
	_, err := b.CreateTopic(CreateTopic{Name: "r", Partitions: 1, ReplicationFactor: 1,
		Configs: map[string]string{"retention.ms": "60000", "segment.bytes": "200"}})
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour).UnixMilli()
	for range 5 {
		recs := []batch.Record{{Value: make([]byte, 150)}}
		raw, _ := batch.Build(batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: old}, recs...)
		if res := b.Produce(AcksAll, []ProducePart{{Topic: "r", Records: raw}}).Wait(); res[0].Err != nil {
			t.Fatal(res[0].Err)
		}
	}
	b.applyRetention()
	start, hwm, _ := b.PartitionOffsets("r", 0)
	if start == 0 || hwm != 5 {
		t.Fatalf("after retention: log start %d, high watermark %d", start, hwm)
	}
	res := b.Fetch(context.Background(), FetchRequest{MaxBytes: 1 << 20, Parts: []FetchPart{{Topic: "r", Offset: 0, MaxBytes: 1 << 20}}})
	if !errors.Is(res[0].Err, kerr.OffsetOutOfRange) {
		t.Fatalf("fetch below log start: %v", res[0].Err)
	}
}

func TestInternalTopicIsProtected(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir, nil)
	p, err := b.EnsureInternalTopic(OffsetsTopic, offsetsTopicConfigs)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := b.EnsureInternalTopic(OffsetsTopic, offsetsTopicConfigs); again != p {
		t.Fatal("second EnsureInternalTopic opened another partition")
	}
	if res := produce(t, b, OffsetsTopic, 0, 1); !errors.Is(res.Err, kerr.InvalidTopicException) {
		t.Fatalf("client produce to internal topic: %v", res.Err)
	}
	if _, err := b.DeleteTopic(OffsetsTopic, [16]byte{}); !errors.Is(err, kerr.InvalidTopicException) {
		t.Fatalf("deleting internal topic: %v", err)
	}
	b.Close()
	b = open(t, dir, nil)
	defer b.Close()
	if info, ok := b.Topic(OffsetsTopic); !ok || !info.Internal {
		t.Fatalf("internal topic after restart: %+v", info)
	}
}
