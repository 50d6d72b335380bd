package clients

import (
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// saramaConfig speaks Kafka 4.0 (Produce v3+, Fetch v4+) without
// idempotence, with manual partitioning and one request in flight so a
// retry cannot reorder a partition.
func saramaConfig(codec sarama.CompressionCodec) *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V4_0_0_0 // Produce v10, Fetch v12
	cfg.ClientID = "samsa-tests"
	cfg.Net.MaxOpenRequests = 1
	cfg.Metadata.Retry.Backoff = 50 * time.Millisecond
	cfg.Producer.Idempotent = false
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.Compression = codec
	cfg.Producer.Flush.Frequency = 2 * time.Millisecond
	cfg.Consumer.MaxWaitTime = 200 * time.Millisecond
	cfg.Admin.Retry.Backoff = 50 * time.Millisecond
	return cfg
}

var saramaCodecs = []struct {
	name  string
	codec sarama.CompressionCodec
}{
	{"none", sarama.CompressionNone},
	{"gzip", sarama.CompressionGZIP},
	{"snappy", sarama.CompressionSnappy},
	{"lz4", sarama.CompressionLZ4},
	{"zstd", sarama.CompressionZSTD},
}

// saramaBytes keeps null (nil Encoder) apart from empty.
func saramaBytes(b []byte) sarama.Encoder {
	if b == nil {
		return nil
	}
	return sarama.ByteEncoder(b)
}

// saramaVersions are the Kafka versions Sarama is told it talks to, which
// choose its request versions.
var saramaVersions = []struct {
	name    string
	version sarama.KafkaVersion
}{
	{"4.0", sarama.V4_0_0_0},   // Produce v10, Fetch v12
	{"2.1", sarama.V2_1_0_0},   // Produce v7, Fetch v10
	{"0.11", sarama.V0_11_0_0}, // Produce v3, Fetch v5
}

func TestSaramaRoundTrip(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	const partitions = 4
	for vi, v := range saramaVersions {
		for ci, c := range saramaCodecs {
			if c.codec == sarama.CompressionZSTD && !v.version.IsAtLeast(sarama.V2_1_0_0) {
				continue
			}
			t.Run(v.name+"/"+c.name, func(t *testing.T) {
				topic := "sarama-" + v.name + "-" + c.name
				createTopic(t, adm, topic, partitions, nil)
				want := genRecords(100+uint64(10*vi+ci), 200, partitions, time.UnixMilli(1_700_000_000_000))
				cfg := saramaConfig(c.codec)
				cfg.Version = v.version
				produceSarama(t, b.Addr(), topic, cfg, want)
				cfg.Producer.Compression = sarama.CompressionNone
				got := consumeSarama(t, b.Addr(), topic, cfg, partitions, want)
				compareRecords(t, want, got)
				checkEndOffsets(t, adm, topic, want)
			})
		}
	}
}

func produceSarama(t *testing.T, addr, topic string, cfg *sarama.Config, rs []rec) {
	t.Helper()
	p, err := sarama.NewSyncProducer([]string{addr}, cfg)
	if err != nil {
		t.Fatalf("NewSyncProducer: %v", err)
	}
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, len(rs))
	for i, r := range rs {
		m := &sarama.ProducerMessage{Topic: topic, Partition: r.Partition, Key: saramaBytes(r.Key), Value: saramaBytes(r.Value), Timestamp: r.Timestamp}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
		}
		msgs[i] = m
	}
	// Two calls: the second appends to partitions that already have data.
	for _, part := range [][]*sarama.ProducerMessage{msgs[:len(msgs)/2], msgs[len(msgs)/2:]} {
		if err := p.SendMessages(part); err != nil {
			t.Fatalf("SendMessages: %v", err)
		}
	}
	for i, m := range msgs {
		if m.Offset != rs[i].Offset || m.Partition != rs[i].Partition {
			t.Fatalf("message %d produced at %d/%d, want %d/%d", i, m.Partition, m.Offset, rs[i].Partition, rs[i].Offset)
		}
	}
}

func consumeSarama(t *testing.T, addr, topic string, cfg *sarama.Config, partitions int32, want []rec) []rec {
	t.Helper()
	c, err := sarama.NewConsumer([]string{addr}, cfg)
	if err != nil {
		t.Fatalf("NewConsumer: %v", err)
	}
	defer c.Close()
	counts := make(map[int32]int)
	for _, r := range want {
		counts[r.Partition]++
	}
	// Open every partition first so that their fetches run concurrently.
	pcs := make([]sarama.PartitionConsumer, partitions)
	for p := range partitions {
		if pcs[p], err = c.ConsumePartition(topic, p, sarama.OffsetOldest); err != nil {
			t.Fatalf("ConsumePartition %d: %v", p, err)
		}
		defer pcs[p].AsyncClose()
	}
	ctx := testContext(t)
	var got []rec
	for p, pc := range pcs {
		for n := 0; n < counts[int32(p)]; n++ {
			select {
			case m := <-pc.Messages():
				r := rec{Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
				for _, h := range m.Headers {
					r.Headers = append(r.Headers, hdr{string(h.Key), h.Value})
				}
				got = append(got, r)
			case err := <-pc.Errors():
				t.Fatalf("partition %d: %v", p, err)
			case <-ctx.Done():
				t.Fatalf("partition %d: consumed %d of %d: %v", p, n, counts[int32(p)], ctx.Err())
			}
		}
	}
	return got
}

// TestSaramaAdmin drives topic administration through Sarama's ClusterAdmin.
func TestSaramaAdmin(t *testing.T) {
	t.Parallel()
	b, _ := startBroker(t)
	adm, err := sarama.NewClusterAdmin([]string{b.Addr()}, saramaConfig(sarama.CompressionNone))
	if err != nil {
		t.Fatalf("NewClusterAdmin: %v", err)
	}
	defer adm.Close()
	const topic = "sarama-admin"

	describe := func(t *testing.T) *sarama.TopicMetadata {
		t.Helper()
		md, err := adm.DescribeTopics([]string{topic})
		if err != nil {
			t.Fatalf("DescribeTopics: %v", err)
		}
		if len(md) != 1 || md[0].Name != topic {
			t.Fatalf("DescribeTopics returned %+v", md)
		}
		return md[0]
	}

	t.Run("create", func(t *testing.T) {
		if err := adm.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false); err != nil {
			t.Fatalf("CreateTopic: %v", err)
		}
		err := adm.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false)
		if !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			t.Errorf("second CreateTopic: %v, want %v", err, sarama.ErrTopicAlreadyExists)
		}
		err = adm.CreateTopic("sarama-validate", &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, true)
		if err != nil {
			t.Errorf("validate-only CreateTopic: %v", err)
		}
	})
	t.Run("describe", func(t *testing.T) {
		md := describe(t)
		if !errors.Is(md.Err, sarama.ErrNoError) || len(md.Partitions) != 2 {
			t.Fatalf("topic: err %v, %d partitions; want no error, 2", md.Err, len(md.Partitions))
		}
		if md.Uuid == (sarama.Uuid{}) {
			t.Errorf("topic id is zero")
		}
		for _, p := range md.Partitions {
			if len(p.Replicas) != 1 || len(p.Isr) != 1 || p.Leader != p.Replicas[0] {
				t.Errorf("partition %d: leader %d replicas %v isr %v, want one replica leading", p.ID, p.Leader, p.Replicas, p.Isr)
			}
		}
		md2, err := adm.DescribeTopics([]string{"sarama-validate"})
		if err != nil || len(md2) != 1 || !errors.Is(md2[0].Err, sarama.ErrUnknownTopicOrPartition) {
			t.Errorf("validate-only topic: %+v, %v; want UNKNOWN_TOPIC_OR_PARTITION", md2, err)
		}
	})
	t.Run("create-partitions", func(t *testing.T) {
		if err := adm.CreatePartitions(topic, 5, nil, false); err != nil {
			t.Fatalf("CreatePartitions: %v", err)
		}
		if n := len(describe(t).Partitions); n != 5 {
			t.Errorf("%d partitions after CreatePartitions(5), want 5", n)
		}
		if err := adm.CreatePartitions(topic, 3, nil, false); !errors.Is(err, sarama.ErrInvalidPartitions) {
			t.Errorf("shrinking to 3 partitions: %v, want %v", err, sarama.ErrInvalidPartitions)
		}
	})
	t.Run("list", func(t *testing.T) {
		// Sarama's ListTopics also sends DescribeConfigs for every topic.
		topics, err := adm.ListTopics()
		if err != nil {
			t.Fatalf("ListTopics: %v", err)
		}
		if d, ok := topics[topic]; !ok || d.NumPartitions != 5 || d.ReplicationFactor != 1 {
			t.Errorf("ListTopics[%q] = %+v, %v; want 5 partitions, RF 1", topic, d, ok)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := adm.DeleteTopic(topic); err != nil {
			t.Fatalf("DeleteTopic: %v", err)
		}
		if md := describe(t); !errors.Is(md.Err, sarama.ErrUnknownTopicOrPartition) {
			t.Errorf("deleted topic described with %v, want UNKNOWN_TOPIC_OR_PARTITION", md.Err)
		}
		if err := adm.DeleteTopic(topic); !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			t.Errorf("deleting again: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
		}
	})
}
