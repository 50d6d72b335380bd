//go:build unix

package process

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Helpers that talk to a broker with franz-go: the reference client for
// checks, because it exposes raw requests (kmsg) as well as a consumer.

// newClient connects to addr; the client is closed when the test ends.
func newClient(t testing.TB, addr string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(addr), kgo.DialTimeout(5 * time.Second)}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// createTopic creates topic with n partitions through CreateTopics.
func createTopic(t testing.TB, cl *kgo.Client, topic string, n int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 10000
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, n, 1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("CreateTopics %s: %v", topic, err)
	}
	if len(resp.Topics) != 1 {
		t.Fatalf("CreateTopics %s: %d topics in response, want 1", topic, len(resp.Topics))
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		t.Fatalf("CreateTopics %s: %v", topic, err)
	}
}

// listOffsets returns, per partition 0..n-1, the offset ListOffsets gives
// for timestamp ts (-2 earliest, -1 latest).
func listOffsets(t testing.TB, cl *kgo.Client, topic string, n int32, ts int64) []int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for p := range n {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = p, ts, -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("ListOffsets %s: %v", topic, err)
	}
	offsets := make([]int64, n)
	seen := make([]bool, n)
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				t.Fatalf("ListOffsets %s[%d]: %v", topic, rp.Partition, err)
			}
			if rt.Topic != topic || rp.Partition < 0 || rp.Partition >= n {
				t.Fatalf("ListOffsets: unexpected %s[%d] in response", rt.Topic, rp.Partition)
			}
			offsets[rp.Partition], seen[rp.Partition] = rp.Offset, true
		}
	}
	for p, ok := range seen {
		if !ok {
			t.Fatalf("ListOffsets %s: partition %d missing from response", topic, p)
		}
	}
	return offsets
}

// consumeAll reads partitions 0..len(ends)-1 of topic from offset 0 up to
// ends[p] and returns the records per partition.
func consumeAll(t testing.TB, addr, topic string, ends []int64) [][]*kgo.Record {
	t.Helper()
	out := make([][]*kgo.Record, len(ends))
	consumeEach(t, addr, topic, ends, func(r *kgo.Record) { out[r.Partition] = append(out[r.Partition], r) })
	return out
}

// consumeEach is consumeAll without keeping the records, for logs too big
// to hold. Any fetch error fails the test; kgo checks each batch's CRC,
// so a corrupt batch is one.
func consumeEach(t testing.TB, addr, topic string, ends []int64, fn func(*kgo.Record)) {
	t.Helper()
	parts := make(map[int32]kgo.Offset)
	for p := range ends {
		parts[int32(p)] = kgo.NewOffset().At(0)
	}
	cl := newClient(t, addr,
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: parts}),
		kgo.FetchMaxWait(250*time.Millisecond),
	)
	defer cl.Close()
	next := make([]int64, len(ends))
	done := func() bool {
		for p := range ends {
			if next[p] < ends[p] {
				return false
			}
		}
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for !done() {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consume %s: timed out at offsets %v, want %v", topic, next, ends)
		}
		for _, e := range fs.Errors() {
			t.Fatalf("consume %s[%d]: %v", e.Topic, e.Partition, e.Err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			fn(r)
			next[r.Partition] = r.Offset + 1
		})
	}
	for p, end := range ends {
		if next[p] > end {
			t.Errorf("consume %s[%d]: read up to offset %d, past the end offset %d", topic, p, next[p]-1, end)
		}
	}
}

// topicID looks the topic's id up: Fetch v13+ names topics by id only.
func topicID(t testing.TB, cl *kgo.Client, topic string) [16]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, mt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("Metadata %s: %v", topic, err)
	}
	if len(resp.Topics) != 1 {
		t.Fatalf("Metadata %s: %d topics, want 1", topic, len(resp.Topics))
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		t.Fatalf("Metadata %s: %v", topic, err)
	}
	return resp.Topics[0].TopicID
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checkBatches fetches each partition raw, from 0 to ends[p], and checks
// every record batch the broker serves on the wire: magic 2, a CRC32C that
// matches, and offsets that continue exactly where the previous batch
// stopped. It returns the attributes of each partition's batches in order.
//
// Record batch v2 layout, by byte offset:
//
//	0 baseOffset int64 | 8 batchLength int32 | 12 leaderEpoch int32 | 16 magic int8
//	17 crc uint32 (CRC32C of bytes 21..end) | 21 attributes int16 | 23 lastOffsetDelta int32 ...
func checkBatches(t testing.TB, cl *kgo.Client, topic string, ends []int64) [][]int16 {
	t.Helper()
	id := topicID(t, cl, topic)
	attrs := make([][]int16, len(ends))
	for p, end := range ends {
		for offset := int64(0); offset < end; {
			raw := fetchRaw(t, cl, topic, id, int32(p), offset)
			from, size := offset, len(raw)
			for len(raw) >= 17 {
				length := int(int32(binary.BigEndian.Uint32(raw[8:])))
				if length < 49 || len(raw) < 12+length {
					break // Kafka may cut the last batch short; refetch from there
				}
				batch := raw[:12+length]
				raw = raw[12+length:]
				base := int64(binary.BigEndian.Uint64(batch))
				if magic := batch[16]; magic != 2 {
					t.Fatalf("%s[%d] batch at %d: magic %d, want 2", topic, p, base, magic)
				}
				if want, got := binary.BigEndian.Uint32(batch[17:]), crc32.Checksum(batch[21:], castagnoli); want != got {
					t.Fatalf("%s[%d] batch at %d: crc field %#x, crc32c of the batch %#x", topic, p, base, want, got)
				}
				last := base + int64(int32(binary.BigEndian.Uint32(batch[23:])))
				if last < offset {
					continue // a batch that starts before the fetch offset
				}
				if base != offset {
					t.Fatalf("%s[%d]: batch at base offset %d, want %d (offsets must be dense)", topic, p, base, offset)
				}
				attrs[p] = append(attrs[p], int16(binary.BigEndian.Uint16(batch[21:])))
				offset = last + 1
			}
			if offset == from {
				t.Fatalf("fetch %s[%d] at %d: no complete batch in %d bytes, end offset is %d", topic, p, offset, size, end)
			}
		}
		if got := len(attrs[p]); got == 0 && end > 0 {
			t.Fatalf("%s[%d]: no batches below end offset %d", topic, p, end)
		}
	}
	return attrs
}

func fetchRaw(t testing.TB, cl *kgo.Client, topic string, id [16]byte, p int32, offset int64) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID, req.MaxWaitMillis, req.MinBytes, req.MaxBytes = -1, 100, 1, 8<<20
	req.SessionEpoch = -1 // no fetch session
	ft := kmsg.NewFetchRequestTopic()
	ft.Topic, ft.TopicID = topic, id
	fp := kmsg.NewFetchRequestTopicPartition()
	fp.Partition, fp.FetchOffset, fp.PartitionMaxBytes, fp.CurrentLeaderEpoch = p, offset, 4<<20, -1
	ft.Partitions = append(ft.Partitions, fp)
	req.Topics = append(req.Topics, ft)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("Fetch %s[%d] at %d: %v", topic, p, offset, err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		t.Fatalf("Fetch %s[%d] at %d: %v", topic, p, offset, err)
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("Fetch %s[%d] at %d: want one partition in the response, got %+v", topic, p, offset, resp.Topics)
	}
	rp := resp.Topics[0].Partitions[0]
	if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
		t.Fatalf("Fetch %s[%d] at %d: %v", topic, p, offset, err)
	}
	return rp.RecordBatches
}
