package clients

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

func TestAdminCreateTopics(t *testing.T) {
	t.Parallel()
	_, adm := startBroker(t, samsatest.Config("num.partitions", "2"))
	ctx := testContext(t)
	createTopic(t, adm, "exists", 1, nil)
	str := kadm.StringPtr
	for _, c := range []struct {
		name       string
		topic      string
		partitions int32
		rf         int16
		configs    map[string]*string
		validate   bool
		want       error // nil: created
		wantParts  int32
	}{
		{name: "plain", topic: "orders", partitions: 3, rf: 1, wantParts: 3},
		{name: "defaults", topic: "defaults", partitions: -1, rf: -1, wantParts: 2},
		{name: "configs", topic: "configured", partitions: 1, rf: 1, wantParts: 1,
			configs: map[string]*string{"cleanup.policy": str("delete"), "retention.ms": str("3600000"), "max.message.bytes": str("2000000")}},
		{name: "max-length-name", topic: strings.Repeat("a", 249), partitions: 1, rf: 1, wantParts: 1},
		{name: "validate-only", topic: "dry-run", partitions: 4, rf: 1, validate: true, wantParts: 4},
		{name: "name-with-slash", topic: "bad/name", partitions: 1, rf: 1, want: kerr.InvalidTopicException},
		{name: "name-with-space", topic: "bad name", partitions: 1, rf: 1, want: kerr.InvalidTopicException},
		{name: "name-dot", topic: ".", partitions: 1, rf: 1, want: kerr.InvalidTopicException},
		{name: "name-dotdot", topic: "..", partitions: 1, rf: 1, want: kerr.InvalidTopicException},
		{name: "name-too-long", topic: strings.Repeat("a", 250), partitions: 1, rf: 1, want: kerr.InvalidTopicException},
		{name: "replication-factor-3", topic: "rf3", partitions: 1, rf: 3, want: kerr.InvalidReplicationFactor},
		{name: "zero-partitions", topic: "p0", partitions: 0, rf: 1, want: kerr.InvalidPartitions},
		{name: "unknown-config", topic: "unknown-config", partitions: 1, rf: 1, want: kerr.InvalidConfig,
			configs: map[string]*string{"no.such.config": str("1")}},
		{name: "bad-config-value", topic: "bad-config", partitions: 1, rf: 1, want: kerr.InvalidConfig,
			configs: map[string]*string{"retention.ms": str("soon")}},
		{name: "duplicate", topic: "exists", partitions: 1, rf: 1, want: kerr.TopicAlreadyExists},
		{name: "validate-only-invalid", topic: "dry-rf3", partitions: 1, rf: 3, validate: true, want: kerr.InvalidReplicationFactor},
		{name: "validate-only-duplicate", topic: "exists", partitions: 1, rf: 1, validate: true, want: kerr.TopicAlreadyExists},
	} {
		t.Run(c.name, func(t *testing.T) {
			create := adm.CreateTopics
			if c.validate {
				create = adm.ValidateCreateTopics
			}
			resps, err := create(ctx, c.partitions, c.rf, c.configs, c.topic)
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			resp, ok := resps[c.topic]
			if !ok {
				t.Fatalf("no response for the topic: %v", resps)
			}
			if !errors.Is(resp.Err, c.want) || (c.want == nil) != (resp.Err == nil) {
				t.Fatalf("error %v (%s), want %v", resp.Err, resp.ErrMessage, c.want)
			}
			if c.want != nil {
				return
			}
			if resp.NumPartitions != c.wantParts || resp.ReplicationFactor != 1 {
				t.Errorf("response: %d partitions RF %d, want %d RF 1", resp.NumPartitions, resp.ReplicationFactor, c.wantParts)
			}
			tds, err := adm.ListTopics(ctx, c.topic)
			if err != nil {
				t.Fatalf("ListTopics: %v", err)
			}
			td := tds[c.topic]
			if c.validate {
				if !errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
					t.Errorf("validate-only created the topic (metadata error %v)", td.Err)
				}
				return
			}
			if td.Err != nil || len(td.Partitions) != int(c.wantParts) {
				t.Errorf("metadata: %d partitions, err %v; want %d", len(td.Partitions), td.Err, c.wantParts)
			}
			if resp.ID == (kadm.TopicID{}) || resp.ID != td.ID {
				t.Errorf("topic id %v from CreateTopics, %v from Metadata; want equal and non-zero", resp.ID, td.ID)
			}
		})
	}
}

func TestAdminDeleteTopics(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	ctx := testContext(t)
	cl := newClient(t, b.Addr())

	gone := func(t *testing.T, topic string) {
		t.Helper()
		tds, err := adm.ListTopics(ctx, topic)
		if err != nil {
			t.Fatalf("ListTopics: %v", err)
		}
		if err := tds[topic].Err; !errors.Is(err, kerr.UnknownTopicOrPartition) {
			t.Errorf("deleted topic %q: metadata error %v, want UNKNOWN_TOPIC_OR_PARTITION", topic, err)
		}
	}

	t.Run("by-name", func(t *testing.T) {
		createTopic(t, adm, "del-name", 2, nil)
		if _, err := adm.DeleteTopic(ctx, "del-name"); err != nil {
			t.Fatalf("DeleteTopic: %v", err)
		}
		gone(t, "del-name")
		if _, err := adm.DeleteTopic(ctx, "del-name"); !errors.Is(err, kerr.UnknownTopicOrPartition) {
			t.Errorf("deleting again: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
		}
	})

	deleteByID := func(t *testing.T, id [16]byte) kmsg.DeleteTopicsResponseTopic {
		t.Helper()
		req := kmsg.NewPtrDeleteTopicsRequest()
		req.TimeoutMillis = 10_000
		rt := kmsg.NewDeleteTopicsRequestTopic()
		rt.TopicID = id
		req.Topics = append(req.Topics, rt)
		resp := request[*kmsg.DeleteTopicsResponse](t, ctx, cl, req)
		if req.Version < 6 {
			t.Fatalf("DeleteTopics sent at v%d; deleting by id needs v6", req.Version)
		}
		if len(resp.Topics) != 1 {
			t.Fatalf("%d topics in the response, want 1", len(resp.Topics))
		}
		return resp.Topics[0]
	}
	t.Run("by-id", func(t *testing.T) {
		id := createTopic(t, adm, "del-id", 1, nil)
		rt := deleteByID(t, id)
		if rt.ErrorCode != 0 || rt.TopicID != id {
			t.Errorf("response topic %v error %v, want %v and no error", kadm.TopicID(rt.TopicID), kerr.ErrorForCode(rt.ErrorCode), id)
		}
		if rt.Topic == nil || *rt.Topic != "del-id" {
			t.Errorf("response names topic %v, want \"del-id\"", rt.Topic)
		}
		gone(t, "del-id")
		if rt := deleteByID(t, id); rt.ErrorCode != kerr.UnknownTopicID.Code {
			t.Errorf("deleting the id again: %v, want UNKNOWN_TOPIC_ID", kerr.ErrorForCode(rt.ErrorCode))
		}
	})
	t.Run("unknown-id", func(t *testing.T) {
		if rt := deleteByID(t, [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}); rt.ErrorCode != kerr.UnknownTopicID.Code {
			t.Errorf("deleting an unknown id: %v, want UNKNOWN_TOPIC_ID", kerr.ErrorForCode(rt.ErrorCode))
		}
	})
	t.Run("recreate", func(t *testing.T) {
		// A topic created again under a deleted name is a new topic: new
		// id, empty log, offsets from 0.
		old := createTopic(t, adm, "reborn", 1, nil)
		first := genRecords(1, 10, 1, time.UnixMilli(1_700_000_000_000))
		produceKgo(t, cl, "reborn", first)
		if _, err := adm.DeleteTopic(ctx, "reborn"); err != nil {
			t.Fatalf("DeleteTopic: %v", err)
		}
		var id kadm.TopicID
		waitFor(t, "re-creating the topic", func() error { // Kafka may still be deleting it
			resp, err := adm.CreateTopic(ctx, 1, 1, nil, "reborn")
			id = resp.ID
			return err
		})
		if id == old {
			t.Errorf("re-created topic kept its old id %v", id)
		}
		second := genRecords(2, 3, 1, time.UnixMilli(1_700_000_100_000))
		// A new client: the old one knows the old topic id.
		produceKgo(t, newClient(t, b.Addr()), "reborn", second)
		compareRecords(t, second, consumeKgo(t, b.Addr(), "reborn", 1, len(second)))
		checkEndOffsets(t, adm, "reborn", second)
	})
}

func TestAdminCreatePartitions(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	ctx := testContext(t)
	const topic = "grow"
	createTopic(t, adm, topic, 2, nil)
	before := genRecords(3, 20, 2, time.UnixMilli(1_700_000_000_000))
	produceKgo(t, newClient(t, b.Addr()), topic, before)

	partitions := func(t *testing.T) int {
		t.Helper()
		tds, err := adm.ListTopics(ctx, topic)
		if err != nil || tds[topic].Err != nil {
			t.Fatalf("ListTopics: %v %v", err, tds[topic].Err)
		}
		return len(tds[topic].Partitions)
	}
	check := func(t *testing.T, what string, resps kadm.CreatePartitionsResponses, err error, want error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := resps[topic].Err; !errors.Is(got, want) || (want == nil) != (got == nil) {
			t.Errorf("%s: %v (%s), want %v", what, got, resps[topic].ErrMessage, want)
		}
	}

	resps, err := adm.ValidateCreatePartitions(ctx, 1, topic)
	check(t, "validate adding 1", resps, err, nil)
	if n := partitions(t); n != 2 {
		t.Errorf("validate-only changed the partition count to %d", n)
	}
	resps, err = adm.CreatePartitions(ctx, 3, topic)
	check(t, "adding 3", resps, err, nil)
	if n := partitions(t); n != 5 {
		t.Fatalf("%d partitions, want 5", n)
	}
	resps, err = adm.UpdatePartitions(ctx, 3, topic)
	check(t, "shrinking to 3", resps, err, kerr.InvalidPartitions)
	resps, err = adm.UpdatePartitions(ctx, 5, topic)
	check(t, "setting the same count", resps, err, kerr.InvalidPartitions)
	unknown, err := adm.CreatePartitions(ctx, 1, "no-such-topic")
	if err != nil || !errors.Is(unknown["no-such-topic"].Err, kerr.UnknownTopicOrPartition) {
		t.Errorf("growing an unknown topic: %v %v, want UNKNOWN_TOPIC_OR_PARTITION", err, unknown["no-such-topic"].Err)
	}

	// The new partitions take records; the old ones kept theirs.
	after := genRecords(4, 30, 5, time.UnixMilli(1_700_000_100_000))
	counts := map[int32]int64{}
	for _, r := range before {
		counts[r.Partition]++
	}
	for i := range after {
		after[i].Offset += counts[after[i].Partition]
	}
	produceKgo(t, newClient(t, b.Addr()), topic, after)
	all := append(append([]rec(nil), before...), after...)
	compareRecords(t, all, consumeKgo(t, b.Addr(), topic, 5, len(all)))
}

// TestMetadata checks what clients learn about the single broker and its
// topics: one broker that is also the controller, leader and only replica.
func TestMetadata(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t)
	ctx := testContext(t)
	ids := map[kadm.TopicID]string{}
	for _, topic := range []string{"m1", "m2", "m3"} {
		ids[createTopic(t, adm, topic, 3, nil)] = topic
	}
	if len(ids) != 3 {
		t.Errorf("three topics got ids %v, want three distinct", ids)
	}
	md, err := adm.Metadata(ctx)
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	if md.Cluster == "" {
		t.Errorf("empty cluster id")
	}
	if len(md.Brokers) != 1 {
		t.Fatalf("brokers %v, want one", md.Brokers)
	}
	node := md.Brokers[0].NodeID
	host, port, _ := net.SplitHostPort(b.Addr())
	if md.Brokers[0].Host != host || strconv.Itoa(int(md.Brokers[0].Port)) != port {
		t.Errorf("broker at %s:%d, want %s", md.Brokers[0].Host, md.Brokers[0].Port, b.Addr())
	}
	if md.Controller != node {
		t.Errorf("controller %d, want the broker %d", md.Controller, node)
	}
	if len(md.Topics) != 3 {
		t.Errorf("topics %v, want m1 m2 m3", md.Topics.Names())
	}
	for id, topic := range ids {
		td := md.Topics[topic]
		if id == (kadm.TopicID{}) || td.ID != id {
			t.Errorf("%s: id %v, created as %v; want equal, non-zero", topic, td.ID, id)
		}
		if td.IsInternal || td.Err != nil || len(td.Partitions) != 3 {
			t.Errorf("%s: internal %v err %v %d partitions", topic, td.IsInternal, td.Err, len(td.Partitions))
		}
		for _, p := range td.Partitions {
			if p.Err != nil || p.Leader != node || len(p.Replicas) != 1 || p.Replicas[0] != node || len(p.ISR) != 1 || p.ISR[0] != node || p.LeaderEpoch < 0 {
				t.Errorf("%s/%d: %+v, want led by %d, its only replica", topic, p.Partition, p, node)
			}
		}
	}

	t.Run("null-and-empty-topic-lists", func(t *testing.T) {
		// A null topic list asks for every topic, an empty one for none.
		cl := newClient(t, b.Addr())
		req := kmsg.NewPtrMetadataRequest()
		req.Topics = nil
		if resp := request[*kmsg.MetadataResponse](t, ctx, cl, req); len(resp.Topics) != 3 {
			t.Errorf("null topic list: %d topics, want 3", len(resp.Topics))
		}
		req = kmsg.NewPtrMetadataRequest()
		req.Topics = []kmsg.MetadataRequestTopic{}
		if resp := request[*kmsg.MetadataResponse](t, ctx, cl, req); len(resp.Topics) != 0 || len(resp.Brokers) != 1 {
			t.Errorf("empty topic list: %d topics %d brokers, want 0 and 1", len(resp.Topics), len(resp.Brokers))
		}
	})
	t.Run("describe-cluster", func(t *testing.T) {
		resp := request[*kmsg.DescribeClusterResponse](t, ctx, newClient(t, b.Addr()), kmsg.NewPtrDescribeClusterRequest())
		if resp.ErrorCode != 0 {
			t.Fatalf("error %v", kerr.ErrorForCode(resp.ErrorCode))
		}
		if resp.ClusterID != md.Cluster || resp.ControllerID != node {
			t.Errorf("cluster %q controller %d, want %q %d (as in Metadata)", resp.ClusterID, resp.ControllerID, md.Cluster, node)
		}
		if len(resp.Brokers) != 1 || resp.Brokers[0].NodeID != node || resp.Brokers[0].Host != host || strconv.Itoa(int(resp.Brokers[0].Port)) != port {
			t.Errorf("brokers %+v, want node %d at %s", resp.Brokers, node, b.Addr())
		}
	})
}

// metadataFor sends one Metadata request for topic.
func metadataFor(t *testing.T, cl *kgo.Client, topic string, autoCreate bool) kmsg.MetadataResponseTopic {
	t.Helper()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	req.AllowAutoTopicCreation = autoCreate
	resp := request[*kmsg.MetadataResponse](t, testContext(t), cl, req)
	if len(resp.Topics) != 1 {
		t.Fatalf("metadata for %q: %d topics in response", topic, len(resp.Topics))
	}
	return resp.Topics[0]
}

func TestAutoCreateTopics(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t, samsatest.Config("num.partitions", "3"))
	ctx := testContext(t)
	cl := newClient(t, b.Addr(), kgo.AllowAutoTopicCreation())
	partitionsOf := func(topic string) func() error {
		return func() error {
			tds, err := adm.ListTopics(ctx, topic)
			if err != nil {
				return err
			}
			if td := tds[topic]; td.Err != nil || len(td.Partitions) != 3 {
				return errors.Join(errors.New("want 3 partitions"), td.Err)
			}
			return nil
		}
	}

	t.Run("on-produce", func(t *testing.T) {
		rs := genRecords(5, 10, 3, time.UnixMilli(1_700_000_000_000))
		produceKgo(t, cl, "auto-produce", rs)
		waitFor(t, "auto-created topic", partitionsOf("auto-produce"))
		compareRecords(t, rs, consumeKgo(t, b.Addr(), "auto-produce", 3, len(rs)))
	})
	t.Run("on-metadata", func(t *testing.T) {
		// The request that creates the topic may answer LEADER_NOT_AVAILABLE.
		rt := metadataFor(t, cl, "auto-meta", true)
		if rt.ErrorCode != 0 && rt.ErrorCode != kerr.LeaderNotAvailable.Code {
			t.Errorf("first metadata: %v, want none or LEADER_NOT_AVAILABLE", kerr.ErrorForCode(rt.ErrorCode))
		}
		waitFor(t, "auto-created topic", partitionsOf("auto-meta"))
	})
	t.Run("metadata-without-allow", func(t *testing.T) {
		if rt := metadataFor(t, cl, "not-auto", false); rt.ErrorCode != kerr.UnknownTopicOrPartition.Code {
			t.Errorf("metadata: %v, want UNKNOWN_TOPIC_OR_PARTITION", kerr.ErrorForCode(rt.ErrorCode))
		}
		if rt := metadataFor(t, cl, "not-auto", false); rt.ErrorCode != kerr.UnknownTopicOrPartition.Code {
			t.Errorf("metadata was created by a request that did not allow it: %v", kerr.ErrorForCode(rt.ErrorCode))
		}
	})
	t.Run("invalid-name", func(t *testing.T) {
		if rt := metadataFor(t, cl, "bad/name", true); rt.ErrorCode != kerr.InvalidTopicException.Code {
			t.Errorf("metadata: %v, want INVALID_TOPIC_EXCEPTION", kerr.ErrorForCode(rt.ErrorCode))
		}
	})
}

func TestAutoCreateDisabled(t *testing.T) {
	t.Parallel()
	b, adm := startBroker(t, samsatest.Config("auto.create.topics.enable", "false"))
	ctx := testContext(t)
	cl := newClient(t, b.Addr(), kgo.UnknownTopicRetries(1))
	if rt := metadataFor(t, cl, "nope", true); rt.ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Errorf("metadata: %v, want UNKNOWN_TOPIC_OR_PARTITION", kerr.ErrorForCode(rt.ErrorCode))
	}
	err := cl.ProduceSync(ctx, &kgo.Record{Topic: "nope", Value: []byte("v")}).FirstErr()
	if !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Errorf("produce: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
	}
	tds, err := adm.ListTopics(ctx)
	if err != nil || len(tds) != 0 {
		t.Errorf("topics %v (%v), want none", tds.Names(), err)
	}
}
