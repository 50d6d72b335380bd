package clients

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestGroupSarama runs a two-member Sarama consumer group (classic
// protocol) over a topic: every record is consumed, the marked offsets are
// committed and visible through ClusterAdmin, and DescribeConsumerGroups
// shows both members.
func TestGroupSarama(t *testing.T) {
	t.Parallel()
	const topic, group, parts, n = "sarama-group", "sarama-group", 4, 400
	b, adm := startGroupBroker(t)
	createTopic(t, adm, topic, parts, nil)
	rs := genRecords(21, n, parts, time.UnixMilli(1_700_000_000_000))
	produceKgo(t, newClient(t, b.Addr()), topic, rs)

	cfg := saramaConfig(sarama.CompressionNone)
	cfg.Version = sarama.V3_6_0_0
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Interval = 100 * time.Millisecond
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 300 * time.Millisecond
	cfg.Consumer.Group.Rebalance.Timeout = 5 * time.Second
	cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRange()}

	h := &saramaHandler{seen: make(map[int32]map[int64]bool)}
	ctx, cancel := context.WithCancel(testContext(t))
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := range 2 {
		cg, err := sarama.NewConsumerGroup([]string{b.Addr()}, group, cfg)
		if err != nil {
			t.Fatalf("NewConsumerGroup: %v", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cg.Close()
			for ctx.Err() == nil {
				if err := cg.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
					errs <- fmt.Errorf("member %d: Consume: %w", i, err)
					return
				}
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()

	sa, err := sarama.NewClusterAdmin([]string{b.Addr()}, cfg)
	if err != nil {
		t.Fatalf("NewClusterAdmin: %v", err)
	}
	defer sa.Close()
	ends := endOffsets(t, adm, topic)
	waitFor(t, "all records consumed and committed", func() error {
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
		if c := h.count(); c < n {
			return fmt.Errorf("consumed %d of %d", c, n)
		}
		resp, err := sa.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0, 1, 2, 3}})
		if err != nil {
			return err
		}
		for p, end := range ends {
			blk := resp.GetBlock(topic, p)
			if blk == nil || blk.Err != sarama.ErrNoError || blk.Offset != end {
				return fmt.Errorf("partition %d committed %+v, want %d", p, blk, end)
			}
		}
		return nil
	})
	waitFor(t, "two members in DescribeConsumerGroups", func() error {
		ds, err := sa.DescribeConsumerGroups([]string{group})
		if err != nil {
			return err
		}
		if len(ds) != 1 || ds[0].State != "Stable" || len(ds[0].Members) != 2 {
			return fmt.Errorf("described %+v, want Stable with 2 members", ds)
		}
		owned := 0
		for _, m := range ds[0].Members {
			a, err := m.GetMemberAssignment()
			if err != nil {
				return err
			}
			owned += len(a.Topics[topic])
		}
		if owned != parts {
			return fmt.Errorf("%d partitions assigned, want %d", owned, parts)
		}
		return nil
	})
	h.mu.Lock()
	coverage(t, h.seen, ends)
	h.mu.Unlock()
}

type saramaHandler struct {
	mu   sync.Mutex
	seen map[int32]map[int64]bool
}

func (h *saramaHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := 0
	for _, os := range h.seen {
		c += len(os)
	}
	return c
}

func (h *saramaHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *saramaHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *saramaHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		h.mu.Lock()
		if h.seen[m.Partition] == nil {
			h.seen[m.Partition] = make(map[int64]bool)
		}
		h.seen[m.Partition][m.Offset] = true
		h.mu.Unlock()
		s.MarkMessage(m, "")
	}
	return nil
}
