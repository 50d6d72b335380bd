package clients

import (
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestGroupKafkaGo consumes with a kafka-go Reader in a group, commits
// what it read with CommitMessages, and checks that a second Reader in the
// same group resumes exactly after the commit.
func TestGroupKafkaGo(t *testing.T) {
	t.Parallel()
	const topic, group, parts, n = "kafkago-group", "kafkago-group", 2, 200
	b, adm := startGroupBroker(t)
	createTopic(t, adm, topic, parts, nil)
	rs := genRecords(31, n, parts, time.UnixMilli(1_700_000_000_000))
	produceKgo(t, newClient(t, b.Addr()), topic, rs)
	ends := endOffsets(t, adm, topic)

	reader := func() *kafka.Reader {
		return kafka.NewReader(kafka.ReaderConfig{
			Brokers:           []string{b.Addr()},
			GroupID:           group,
			Topic:             topic,
			MaxWait:           200 * time.Millisecond,
			StartOffset:       kafka.FirstOffset,
			HeartbeatInterval: 300 * time.Millisecond,
			SessionTimeout:    6 * time.Second,
			RebalanceTimeout:  5 * time.Second,
			JoinGroupBackoff:  100 * time.Millisecond,
			CommitInterval:    0, // CommitMessages commits synchronously
		})
	}
	ctx := testContext(t)
	seen := make(map[int32]map[int64]bool)
	read := func(r *kafka.Reader, count int) map[int32]int64 {
		t.Helper()
		next := make(map[int32]int64)
		for range count {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatalf("FetchMessage: %v", err)
			}
			p := int32(m.Partition)
			if seen[p] == nil {
				seen[p] = make(map[int64]bool)
			}
			if seen[p][m.Offset] {
				t.Errorf("partition %d offset %d read again after it was committed", p, m.Offset)
			}
			seen[p][m.Offset] = true
			if err := r.CommitMessages(ctx, m); err != nil {
				t.Fatalf("CommitMessages: %v", err)
			}
			next[p] = m.Offset + 1
		}
		return next
	}

	r1 := reader()
	first := read(r1, n/2)
	if err := r1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got, err := committedOffsets(ctx, adm, group, topic)
	if err != nil {
		t.Fatalf("OffsetFetch: %v", err)
	}
	for p, o := range first {
		if got[p] != o {
			t.Errorf("partition %d: committed %d, want %d (after the last message read)", p, got[p], o)
		}
	}

	r2 := reader()
	defer r2.Close()
	read(r2, n-n/2)
	coverage(t, seen, ends)
	waitFor(t, "commits up to the end", func() error {
		got, err := committedOffsets(ctx, adm, group, topic)
		if err != nil {
			return err
		}
		for p, e := range ends {
			if got[p] != e {
				return fmt.Errorf("committed %v, want %v", got, ends)
			}
		}
		return nil
	})
}
