package clients

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// --- helpers -------------------------------------------------------------

func strPtr(s string) *string { return &s }

func setOp(name, value string) kadm.AlterConfig {
	return kadm.AlterConfig{Op: kadm.SetConfig, Name: name, Value: kadm.StringPtr(value)}
}

// topicConfig describes one config of a topic through kadm.
func topicConfig(t *testing.T, adm *kadm.Client, topic, name string) kadm.Config {
	t.Helper()
	rcs, err := adm.DescribeTopicConfigs(testContext(t), topic)
	if err != nil || len(rcs) != 1 || rcs[0].Err != nil {
		t.Fatalf("DescribeTopicConfigs(%s): %+v, %v", topic, rcs, err)
	}
	return findConfig(t, rcs[0].Configs, name)
}

func findConfig(t *testing.T, cs []kadm.Config, name string) kadm.Config {
	t.Helper()
	for _, c := range cs {
		if c.Key == name {
			return c
		}
	}
	t.Fatalf("%s not described", name)
	return kadm.Config{}
}

func wantConfig(t *testing.T, c kadm.Config, value string, source kmsg.ConfigSource) {
	t.Helper()
	if c.MaybeValue() != value || c.Source != source {
		t.Errorf("%s = %q from %v, want %q from %v", c.Key, c.MaybeValue(), c.Source, value, source)
	}
}

// alterErr returns the one resource's error of an alter call.
func alterErr(t *testing.T, rs kadm.AlterConfigsResponses, err error) error {
	t.Helper()
	if err != nil || len(rs) != 1 {
		t.Fatalf("alter: %+v, %v", rs, err)
	}
	if rs[0].Err != nil {
		return fmt.Errorf("%w: %s", rs[0].Err, rs[0].ErrMessage)
	}
	return nil
}

func wantAlterErr(t *testing.T, got error, want *kerr.Error, text string) {
	t.Helper()
	if !errors.Is(got, want) || !strings.Contains(got.Error(), text) {
		t.Errorf("alter: %v, want %s mentioning %q", got, want.Message, text)
	}
}

// --- topics --------------------------------------------------------------

// TestConfigsTopicKadm describes and alters topic configs with kadm:
// refusals, validate-only, sources, and changes that take effect on the
// live topic without a restart.
func TestConfigsTopicKadm(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t, samsatest.Config("log.retention.check.interval.ms", "100"))
	ctx := testContext(t)
	const topic = "cfg-topic"
	createTopic(t, adm, topic, 1, map[string]*string{"segment.bytes": kadm.StringPtr("1024")})

	t.Run("describe", func(t *testing.T) {
		wantConfig(t, topicConfig(t, adm, topic, "retention.ms"), "604800000", kmsg.ConfigSourceDefaultConfig)
		seg := topicConfig(t, adm, topic, "segment.bytes")
		wantConfig(t, seg, "1024", kmsg.ConfigSourceDynamicTopicConfig)
		if len(seg.Synonyms) != 2 || seg.Synonyms[1].Key != "log.segment.bytes" || seg.Synonyms[1].Source != kmsg.ConfigSourceDefaultConfig {
			t.Errorf("segment.bytes synonyms %+v, want the override then log.segment.bytes' default", seg.Synonyms)
		}
		rcs, err := adm.DescribeTopicConfigs(ctx, "no-such-topic")
		if err != nil || len(rcs) != 1 || !errors.Is(rcs[0].Err, kerr.UnknownTopicOrPartition) {
			t.Errorf("unknown topic: %+v, %v", rcs, err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.ms", "-7")}, topic)
		wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidConfig, "Invalid value -7 for configuration retention.ms")
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.mss", "1")}, topic)
		wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidConfig, "Unknown topic config name: retention.mss")
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.AppendConfig, Name: "retention.ms", Value: kadm.StringPtr("1")}}, topic)
		wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidConfig, "not LIST")
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.ms", "1")}, "no-such-topic")
		wantAlterErr(t, alterErr(t, rs, err), kerr.UnknownTopicOrPartition, "does not exist")
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.ms", "1"), setOp("retention.ms", "2")}, topic)
		wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidRequest, "duplicate config keys")
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms"}}, topic)
		wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidRequest, "Null value not supported")
	})
	t.Run("validate-only", func(t *testing.T) {
		rs, err := adm.ValidateAlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.ms", "1000")}, topic)
		if err := alterErr(t, rs, err); err != nil {
			t.Fatal(err)
		}
		rs, err = adm.ValidateAlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.ms", "x")}, topic)
		wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidConfig, "retention.ms")
		wantConfig(t, topicConfig(t, adm, topic, "retention.ms"), "604800000", kmsg.ConfigSourceDefaultConfig)
	})
	t.Run("append-subtract", func(t *testing.T) {
		rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.AppendConfig, Name: "cleanup.policy", Value: kadm.StringPtr("compact")}}, topic)
		if err := alterErr(t, rs, err); err != nil {
			t.Fatal(err)
		}
		wantConfig(t, topicConfig(t, adm, topic, "cleanup.policy"), "delete,compact", kmsg.ConfigSourceDynamicTopicConfig)
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SubtractConfig, Name: "cleanup.policy", Value: kadm.StringPtr("compact")}}, topic)
		if err := alterErr(t, rs, err); err != nil {
			t.Fatal(err)
		}
		wantConfig(t, topicConfig(t, adm, topic, "cleanup.policy"), "delete", kmsg.ConfigSourceDynamicTopicConfig)
	})
	t.Run("max.message.bytes", func(t *testing.T) {
		liveMaxMessageBytes(t, b.Addr(), adm, topic)
	})
	t.Run("message.timestamp.type", func(t *testing.T) {
		liveTimestampType(t, b.Addr(), adm, topic)
	})
	t.Run("retention.ms", func(t *testing.T) {
		// A topic of its own: retention stops at the first segment with a
		// recent record, and the other subtests write recent records.
		createTopic(t, adm, "cfg-retention", 1, map[string]*string{"segment.bytes": kadm.StringPtr("1024")})
		liveRetention(t, b.Addr(), adm, "cfg-retention")
	})
}

// liveMaxMessageBytes lowers max.message.bytes under a producer: the next
// larger batch is refused with MESSAGE_TOO_LARGE.
func liveMaxMessageBytes(t *testing.T, addr string, adm *kadm.Client, topic string) {
	ctx := testContext(t)
	cl := newClient(t, addr, kgo.ProducerBatchCompression(kgo.NoCompression()))
	big := &kgo.Record{Topic: topic, Value: make([]byte, 4000)}
	if err := cl.ProduceSync(ctx, big).FirstErr(); err != nil {
		t.Fatalf("4000 byte record before the change: %v", err)
	}
	rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("max.message.bytes", "2000")}, topic)
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	big = &kgo.Record{Topic: topic, Value: make([]byte, 4000)}
	if err := cl.ProduceSync(ctx, big).FirstErr(); !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("4000 byte record after max.message.bytes=2000: %v, want MESSAGE_TOO_LARGE", err)
	}
	rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.DeleteConfig, Name: "max.message.bytes"}}, topic)
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
}

// liveTimestampType switches message.timestamp.type: records produced
// after it carry the broker's append time instead of the producer's.
func liveTimestampType(t *testing.T, addr string, adm *kadm.Client, topic string) {
	ctx := testContext(t)
	cl := newClient(t, addr)
	old := time.UnixMilli(1_600_000_000_000)
	start, _ := adm.ListEndOffsets(ctx, topic)
	from := start[topic][0].Offset
	rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("message.timestamp.type", "LogAppendTime")}, topic)
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Minute)
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("stamped"), Timestamp: old}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	consumer := newClient(t, addr, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().At(from)}}))
	got := pollRecords(t, consumer, 1)[0]
	if got.Timestamp.Before(before) || got.Attrs.TimestampType() != 1 {
		t.Errorf("record timestamp %v type %d, want the append time (type 1)", got.Timestamp, got.Attrs.TimestampType())
	}
	rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.DeleteConfig, Name: "message.timestamp.type"}}, topic)
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
}

// liveRetention lowers retention.ms below the age of the records of an
// empty topic with small segments: the next retention check (every 100 ms
// here) deletes the old segments.
func liveRetention(t *testing.T, addr string, adm *kadm.Client, topic string) {
	ctx := testContext(t)
	cl := newClient(t, addr)
	hourAgo := time.Now().Add(-time.Hour)
	for i := range 10 {
		r := &kgo.Record{Topic: topic, Value: []byte(strings.Repeat("x", 600)), Timestamp: hourAgo.Add(time.Duration(i))}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	startOffset := func() int64 {
		l, err := adm.ListStartOffsets(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		return l[topic][0].Offset
	}
	if s := startOffset(); s != 0 {
		t.Fatalf("log start %d before retention.ms changed, want 0", s)
	}
	rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.ms", "60000")}, topic)
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "retention to delete hour-old segments", func() error {
		if s := startOffset(); s == 0 {
			return errors.New("log start offset still 0")
		}
		return nil
	})
}

// --- broker --------------------------------------------------------------

// TestConfigsBrokerKadm describes and alters dynamic broker configs: the
// cluster-wide default reaches topics without an override at once.
func TestConfigsBrokerKadm(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t, samsatest.Config("num.partitions", "2"))
	ctx := testContext(t)
	createTopic(t, adm, "cfg-broker", 1, nil)

	rcs, err := adm.DescribeBrokerConfigs(ctx, 1)
	if err != nil || len(rcs) != 1 || rcs[0].Err != nil {
		t.Fatalf("DescribeBrokerConfigs(1): %+v, %v", rcs, err)
	}
	wantConfig(t, findConfig(t, rcs[0].Configs, "num.partitions"), "2", kmsg.ConfigSourceStaticBrokerConfig)
	wantConfig(t, findConfig(t, rcs[0].Configs, "message.max.bytes"), "1048588", kmsg.ConfigSourceDefaultConfig)

	rs, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{setOp("num.partitions", "3")})
	wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidRequest, "Cannot update these configs dynamically: [num.partitions]")
	rs, err = adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{setOp("message.max.bytes", "-3")}, 1)
	wantAlterErr(t, alterErr(t, rs, err), kerr.InvalidRequest, "Invalid value -3")
	rs, err = adm.ValidateAlterBrokerConfigs(ctx, []kadm.AlterConfig{setOp("message.max.bytes", "3000")})
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	wantConfig(t, topicConfig(t, adm, "cfg-broker", "max.message.bytes"), "1048588", kmsg.ConfigSourceDefaultConfig)

	rs, err = adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{setOp("message.max.bytes", "3000")})
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	cluster, err := adm.DescribeBrokerConfigs(ctx)
	if err != nil || len(cluster) != 1 || len(cluster[0].Configs) != 1 {
		t.Fatalf("cluster-wide configs: %+v, %v", cluster, err)
	}
	wantConfig(t, cluster[0].Configs[0], "3000", kmsg.ConfigSourceDynamicDefaultBrokerConfig)
	wantConfig(t, topicConfig(t, adm, "cfg-broker", "max.message.bytes"), "3000", kmsg.ConfigSourceDynamicDefaultBrokerConfig)
	cl := newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "cfg-broker", Value: make([]byte, 5000)}).FirstErr(); !errors.Is(err, kerr.MessageTooLarge) {
		t.Errorf("5000 byte record with message.max.bytes=3000: %v", err)
	}

	// Raw requests: read-only flags, and another broker's id, which kadm
	// would route to a broker that does not exist.
	req := kmsg.NewPtrDescribeConfigsRequest()
	for _, name := range []string{"1", "2"} {
		res := kmsg.NewDescribeConfigsRequestResource()
		res.ResourceType, res.ResourceName, res.ConfigNames = kmsg.ConfigResourceTypeBroker, name, []string{"node.id", "log.retention.ms"}
		req.Resources = append(req.Resources, res)
	}
	resp := request[*kmsg.DescribeConfigsResponse](t, ctx, cl, req)
	if got := resp.Resources[0].Configs; len(got) != 2 || !got[1].ReadOnly || got[0].ReadOnly || got[0].Value != nil {
		t.Errorf("log.retention.ms and node.id: %+v; want a dynamic one without value, a read-only one", got)
	}
	if r := resp.Resources[1]; r.ErrorCode != kerr.InvalidRequest.Code || r.ErrorMessage == nil || !strings.Contains(*r.ErrorMessage, "Unexpected broker id") {
		t.Errorf("broker 2: %v %v", kerr.ErrorForCode(r.ErrorCode), r.ErrorMessage)
	}
}

// --- compression ---------------------------------------------------------

// TestConfigsRecompression: with compression.type naming a codec, batches
// are stored with that codec whatever the producer used, and consumers
// read the same records.
func TestConfigsRecompression(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	ctx := testContext(t)
	ids := map[string]kadm.TopicID{
		"cfg-lz4":     createTopic(t, adm, "cfg-lz4", 1, map[string]*string{"compression.type": kadm.StringPtr("lz4")}),
		"cfg-default": createTopic(t, adm, "cfg-default", 1, nil),
	}
	rs, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{setOp("compression.type", "gzip")})
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		topic string
		codec kgo.CompressionCodec
		want  int8 // codec bits
	}{
		{"cfg-lz4", kgo.SnappyCompression(), 3},
		{"cfg-lz4", kgo.NoCompression(), 3},
		{"cfg-default", kgo.ZstdCompression(), 1}, // the dynamic broker default
	}
	base := time.UnixMilli(1_700_000_000_000)
	for i, c := range cases {
		recs := genRecords(uint64(40+i), 50, 1, base)
		start, _ := adm.ListEndOffsets(ctx, c.topic)
		from := start[c.topic][0].Offset
		for j := range recs {
			recs[j].Offset += from
		}
		produceKgo(t, newClient(t, b.Addr(), kgo.ProducerBatchCompression(c.codec)), c.topic, recs)
		consumer := newClient(t, b.Addr(), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{c.topic: {0: kgo.NewOffset().At(from)}}))
		var got []rec
		for _, kr := range pollRecords(t, consumer, len(recs)) {
			got = append(got, fromKgo(kr))
		}
		compareRecords(t, recs, got)
		resp := request[*kmsg.FetchResponse](t, ctx, newClient(t, b.Addr()), fetchReq(c.topic, ids[c.topic], 0, fetchPart{0, from, 0}))
		batches, _ := batchesOf(t, fetched(t, resp)[0].RecordBatches)
		if len(batches) == 0 {
			t.Fatalf("case %d: nothing fetched", i)
		}
		for _, bt := range batches {
			if codec := int8(bt.Attributes & 7); codec != c.want {
				t.Errorf("case %d: stored batch at %d has codec %d, want %d", i, bt.FirstOffset, codec, c.want)
			}
		}
	}
}

// --- restart -------------------------------------------------------------

// TestConfigsPersistAcrossRestart: topic overrides and dynamic broker
// configs are on disk and in force after the broker restarts.
func TestConfigsPersistAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, adm := startBroker(t, samsatest.DataDir(dir))
	ctx := testContext(t)
	createTopic(t, adm, "cfg-restart", 1, nil)
	rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{setOp("retention.ms", "123456")}, "cfg-restart")
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	rs, err = adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{setOp("message.max.bytes", "2500")}, 1)
	if err := alterErr(t, rs, err); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b, adm = startBroker(t, samsatest.DataDir(dir))
	wantConfig(t, topicConfig(t, adm, "cfg-restart", "retention.ms"), "123456", kmsg.ConfigSourceDynamicTopicConfig)
	wantConfig(t, topicConfig(t, adm, "cfg-restart", "max.message.bytes"), "2500", kmsg.ConfigSourceDynamicBrokerConfig)
	cl := newClient(t, b.Addr(), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "cfg-restart", Value: make([]byte, 4000)}).FirstErr(); !errors.Is(err, kerr.MessageTooLarge) {
		t.Errorf("4000 byte record after restart with message.max.bytes=2500: %v", err)
	}
}

// --- Sarama --------------------------------------------------------------

// TestConfigsSarama drives the three config APIs through Sarama's
// ClusterAdmin: DescribeConfigs v4, AlterConfigs v2 (replaces all
// overrides), IncrementalAlterConfigs v1.
func TestConfigsSarama(t *testing.T) {
	t.Parallel()
	b, _ := startBroker(t)
	adm, err := sarama.NewClusterAdmin([]string{b.Addr()}, saramaConfig(sarama.CompressionNone))
	if err != nil {
		t.Fatalf("NewClusterAdmin: %v", err)
	}
	defer adm.Close()
	const topic = "cfg-sarama"
	if err := adm.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"segment.ms": strPtr("3600000")}}, false); err != nil {
		t.Fatal(err)
	}
	entry := func(t *testing.T, typ sarama.ConfigResourceType, name, key string) sarama.ConfigEntry {
		t.Helper()
		entries, err := adm.DescribeConfig(sarama.ConfigResource{Type: typ, Name: name, ConfigNames: []string{key}})
		if err != nil || len(entries) != 1 {
			t.Fatalf("DescribeConfig(%s %s): %+v, %v", name, key, entries, err)
		}
		return entries[0]
	}

	if e := entry(t, sarama.TopicResource, topic, "segment.ms"); e.Value != "3600000" || e.Source != sarama.SourceTopic || e.Default {
		t.Errorf("segment.ms: %+v", e)
	}
	if e := entry(t, sarama.BrokerResource, "1", "compression.type"); e.Value != "producer" || e.ReadOnly || e.Source != sarama.SourceDefault {
		t.Errorf("broker compression.type: %+v", e)
	}
	if _, err := adm.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: "missing"}); !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		t.Errorf("unknown topic: %v", err)
	}

	// AlterConfigs sets retention.ms and drops segment.ms.
	if err := adm.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": strPtr("86400000")}, true); err != nil {
		t.Fatalf("validate-only AlterConfig: %v", err)
	}
	if e := entry(t, sarama.TopicResource, topic, "retention.ms"); e.Source != sarama.SourceDefault {
		t.Errorf("validate-only AlterConfig changed retention.ms: %+v", e)
	}
	if err := adm.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": strPtr("86400000")}, false); err != nil {
		t.Fatalf("AlterConfig: %v", err)
	}
	if e := entry(t, sarama.TopicResource, topic, "retention.ms"); e.Value != "86400000" || e.Source != sarama.SourceTopic {
		t.Errorf("retention.ms after AlterConfig: %+v", e)
	}
	if e := entry(t, sarama.TopicResource, topic, "segment.ms"); e.Source != sarama.SourceDefault {
		t.Errorf("segment.ms survived AlterConfig, which replaces every override: %+v", e)
	}
	err = adm.AlterConfig(sarama.TopicResource, topic, map[string]*string{"compression.type": strPtr("brotli")}, false)
	var ace *sarama.AlterConfigError
	if !errors.As(err, &ace) || ace.Err != sarama.ErrInvalidConfig {
		t.Errorf("AlterConfig compression.type=brotli: %v", err)
	}

	incr := map[string]sarama.IncrementalAlterConfigsEntry{
		"cleanup.policy": {Operation: sarama.IncrementalAlterConfigsOperationAppend, Value: strPtr("compact")},
		"retention.ms":   {Operation: sarama.IncrementalAlterConfigsOperationDelete},
	}
	if err := adm.IncrementalAlterConfig(sarama.TopicResource, topic, incr, false); err != nil {
		t.Fatalf("IncrementalAlterConfig: %v", err)
	}
	if e := entry(t, sarama.TopicResource, topic, "cleanup.policy"); e.Value != "delete,compact" {
		t.Errorf("cleanup.policy after APPEND compact: %+v", e)
	}
	if e := entry(t, sarama.TopicResource, topic, "retention.ms"); e.Source != sarama.SourceDefault {
		t.Errorf("retention.ms after DELETE: %+v", e)
	}
	bad := map[string]sarama.IncrementalAlterConfigsEntry{"node.id": {Operation: sarama.IncrementalAlterConfigsOperationSet, Value: strPtr("5")}}
	if err := adm.IncrementalAlterConfig(sarama.BrokerResource, "1", bad, false); !errors.Is(err, sarama.ErrInvalidRequest) {
		t.Errorf("setting node.id dynamically: %v, want INVALID_REQUEST", err)
	}
	good := map[string]sarama.IncrementalAlterConfigsEntry{"log.retention.ms": {Operation: sarama.IncrementalAlterConfigsOperationSet, Value: strPtr("7200000")}}
	if err := adm.IncrementalAlterConfig(sarama.BrokerResource, "1", good, false); err != nil {
		t.Fatalf("setting log.retention.ms on broker 1: %v", err)
	}
	if e := entry(t, sarama.TopicResource, topic, "retention.ms"); e.Value != "7200000" || e.Source != sarama.SourceDynamicBroker {
		t.Errorf("retention.ms after log.retention.ms on the broker: %+v", e)
	}
}
