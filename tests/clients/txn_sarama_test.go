package clients

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Transactions through Sarama's transactional producer, used as an
// application uses it: commit and abort over two partitions,
// consume-transform-produce with the consumed offsets in the transaction,
// and a zombie fenced by a second producer with the same transactional id.
// What the log then holds is read back with Sarama consumers at both
// isolation levels (Sarama drops aborted batches itself, from the aborted
// transactions the broker lists in each Fetch response) and with franz-go
// at read_committed; group offsets with kadm.

// saramaTxnConfig is a transactional producer speaking Kafka 4.0:
// InitProducerId v4, AddPartitionsToTxn, AddOffsetsToTxn and EndTxn v3,
// TxnOffsetCommit v3, Produce v10.
func saramaTxnConfig(id string) *sarama.Config {
	cfg := saramaConfig(sarama.CompressionNone)
	cfg.Producer.Idempotent = true
	cfg.Producer.Transaction.ID = id
	cfg.Producer.Transaction.Timeout = 10 * time.Second
	cfg.Producer.Transaction.Retry.Backoff = 20 * time.Millisecond
	return cfg
}

// newSaramaTxnProducer initializes a transactional producer (InitProducerId
// happens in the constructor, fencing earlier producers of id).
func newSaramaTxnProducer(t *testing.T, addr, id string) sarama.SyncProducer {
	t.Helper()
	p, err := sarama.NewSyncProducer([]string{addr}, saramaTxnConfig(id))
	if err != nil {
		t.Fatalf("NewSyncProducer(transactional id %q): %v", id, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// saramaSend produces values to one partition inside the producer's
// transaction and returns the offsets the broker assigned.
func saramaSend(p sarama.SyncProducer, topic string, part int32, values ...string) ([]int64, error) {
	msgs := make([]*sarama.ProducerMessage, len(values))
	for i, v := range values {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Partition: part, Value: sarama.StringEncoder(v)}
	}
	if err := p.SendMessages(msgs); err != nil {
		var perrs sarama.ProducerErrors
		if errors.As(err, &perrs) && len(perrs) > 0 {
			return nil, perrs[0].Err
		}
		return nil, err
	}
	offsets := make([]int64, len(msgs))
	for i, m := range msgs {
		offsets[i] = m.Offset
	}
	return offsets, nil
}

// saramaRecord is a consumed record's position and value.
type saramaRecord struct {
	Offset int64
	Value  string
}

// saramaReadUntil consumes one partition from the start at isolation until
// it has read the value last, and returns everything it read. Records are
// delivered in offset order, so whatever a consumer would show before last
// has been shown by then.
func saramaReadUntil(t *testing.T, addr, topic string, part int32, isolation sarama.IsolationLevel, last string) []saramaRecord {
	t.Helper()
	cfg := saramaConfig(sarama.CompressionNone)
	cfg.Consumer.IsolationLevel = isolation
	c, err := sarama.NewConsumer([]string{addr}, cfg)
	if err != nil {
		t.Fatalf("NewConsumer: %v", err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, part, sarama.OffsetOldest)
	if err != nil {
		t.Fatalf("ConsumePartition %s/%d: %v", topic, part, err)
	}
	defer pc.AsyncClose()
	ctx := testContext(t)
	var got []saramaRecord
	for {
		select {
		case m := <-pc.Messages():
			got = append(got, saramaRecord{m.Offset, string(m.Value)})
			if string(m.Value) == last {
				return got
			}
		case err := <-pc.Errors():
			t.Fatalf("%s/%d: %v", topic, part, err)
		case <-ctx.Done():
			t.Fatalf("%s/%d at isolation %d: %q not read (read %v): %v", topic, part, isolation, last, got, ctx.Err())
		}
	}
}

// saramaTxnCheckEnds asserts each partition's last stable offset (ListOffsets
// at read_committed) and high watermark.
func saramaTxnCheckEnds(t *testing.T, adm *kadm.Client, topic string, lso, hwm []int64) {
	t.Helper()
	ctx := testContext(t)
	for _, c := range []struct {
		what string
		list func() (kadm.ListedOffsets, error)
		want []int64
	}{
		{"last stable offset", func() (kadm.ListedOffsets, error) { return adm.ListCommittedOffsets(ctx, topic) }, lso},
		{"high watermark", func() (kadm.ListedOffsets, error) { return adm.ListEndOffsets(ctx, topic) }, hwm},
	} {
		listed, err := c.list()
		if err != nil {
			t.Fatalf("listing the %s: %v", c.what, err)
		}
		for p, want := range c.want {
			o, ok := listed.Lookup(topic, int32(p))
			switch {
			case !ok || o.Err != nil:
				t.Errorf("%s of %s/%d: %+v", c.what, topic, p, o)
			case o.Offset != want:
				t.Errorf("%s of %s/%d = %d, want %d", c.what, topic, p, o.Offset, want)
			}
		}
	}
}

// TestSaramaTxnCommitAbort: a committed, an aborted and a committed
// transaction, each over two partitions. The broker assigns offsets around
// one marker per partition per transaction; the last stable offset stops
// at an open transaction; read_committed sees only the committed records
// (Sarama and franz-go), read_uncommitted all of them.
func TestSaramaTxnCommitAbort(t *testing.T) {
	t.Parallel()
	const topic = "sarama-txn"
	b, adm := startBroker(t)
	createTopic(t, adm, topic, 2, nil)
	p := newSaramaTxnProducer(t, b.Addr(), "sarama-txn")

	var committed, all [2][]saramaRecord
	next := []int64{0, 0}
	for _, txn := range []struct {
		name   string
		commit bool
	}{{"c1", true}, {"a1", false}, {"c2", true}} {
		if err := p.BeginTxn(); err != nil {
			t.Fatalf("%s: BeginTxn: %v", txn.name, err)
		}
		first := slices.Clone(next)
		for part := range int32(2) {
			values := []string{fmt.Sprintf("%s-p%d-0", txn.name, part), fmt.Sprintf("%s-p%d-1", txn.name, part), fmt.Sprintf("%s-p%d-2", txn.name, part)}
			offsets, err := saramaSend(p, topic, part, values...)
			if err != nil {
				t.Fatalf("%s: producing to partition %d: %v", txn.name, part, err)
			}
			for i, v := range values {
				r := saramaRecord{next[part], v}
				if offsets[i] != r.Offset {
					t.Errorf("%s: %s produced at offset %d, want %d", txn.name, v, offsets[i], r.Offset)
				}
				next[part]++
				all[part] = append(all[part], r)
				if txn.commit {
					committed[part] = append(committed[part], r)
				}
			}
		}
		// Open: read_committed ends where the transaction starts.
		saramaTxnCheckEnds(t, adm, topic, first, next)
		end, what := p.AbortTxn, "AbortTxn"
		if txn.commit {
			end, what = p.CommitTxn, "CommitTxn"
		}
		if err := end(); err != nil {
			t.Fatalf("%s: %s: %v", txn.name, what, err)
		}
		if p.TxnStatus()&sarama.ProducerTxnFlagReady == 0 {
			t.Errorf("%s: producer status %v after %s, want ready", txn.name, p.TxnStatus(), what)
		}
		for part := range next {
			next[part]++ // the marker
		}
		saramaTxnCheckEnds(t, adm, topic, next, next)
	}

	for part := range int32(2) {
		last := all[part][len(all[part])-1].Value
		if got := saramaReadUntil(t, b.Addr(), topic, part, sarama.ReadCommitted, last); !slices.Equal(got, committed[part]) {
			t.Errorf("partition %d read_committed (Sarama):\n got %v\nwant %v", part, got, committed[part])
		}
		if got := saramaReadUntil(t, b.Addr(), topic, part, sarama.ReadUncommitted, last); !slices.Equal(got, all[part]) {
			t.Errorf("partition %d read_uncommitted (Sarama):\n got %v\nwant %v", part, got, all[part])
		}
	}
	// A second reader of the same log: franz-go at read_committed.
	want := len(committed[0]) + len(committed[1])
	var got [2][]saramaRecord
	for _, r := range consumeKgo(t, b.Addr(), topic, 2, want, kgo.FetchIsolationLevel(kgo.ReadCommitted())) {
		got[r.Partition] = append(got[r.Partition], saramaRecord{r.Offset, string(r.Value)})
	}
	for part := range got {
		if !slices.Equal(got[part], committed[part]) {
			t.Errorf("partition %d read_committed (franz-go):\n got %v\nwant %v", part, got[part], committed[part])
		}
	}
}

// TestSaramaTxnConsumeTransformProduce: records of an input topic are read,
// transformed into an output topic and their offsets added to the same
// transaction (AddMessageToTxn: AddOffsetsToTxn and TxnOffsetCommit at
// commit). An aborted round leaves neither output nor offsets; the
// committed round's output and the group's offsets appear together.
func TestSaramaTxnConsumeTransformProduce(t *testing.T) {
	t.Parallel()
	const in, out, group, perPartition = "sarama-ctp-in", "sarama-ctp-out", "sarama-ctp", 10
	b, adm := startBroker(t)
	createTopic(t, adm, in, 2, nil)
	createTopic(t, adm, out, 2, nil)
	var input []rec
	for part := range int32(2) {
		for i := range perPartition {
			input = append(input, rec{Partition: part, Offset: int64(i), Value: fmt.Appendf(nil, "in-p%d-%d", part, i)})
		}
	}
	produceKgo(t, newClient(t, b.Addr()), in, input)

	cfg := saramaConfig(sarama.CompressionNone)
	cfg.Consumer.IsolationLevel = sarama.ReadCommitted
	consumer, err := sarama.NewConsumer([]string{b.Addr()}, cfg)
	if err != nil {
		t.Fatalf("NewConsumer: %v", err)
	}
	defer consumer.Close()
	p := newSaramaTxnProducer(t, b.Addr(), "sarama-ctp")
	ctx := testContext(t)

	groupOffsets := func() map[int32]int64 {
		t.Helper()
		resps, err := adm.FetchOffsets(ctx, group)
		if err != nil {
			t.Fatalf("FetchOffsets %s: %v", group, err)
		}
		got := make(map[int32]int64)
		resps.Each(func(o kadm.OffsetResponse) {
			if o.Err != nil {
				t.Errorf("FetchOffsets %s: %s/%d: %v", group, o.Topic, o.Partition, o.Err)
			}
			if o.Topic == in {
				got[o.Partition] = o.At
			}
		})
		return got
	}
	// round transforms the first n records of each input partition in one
	// transaction and returns the output values it produced.
	round := func(name string, n int) [2][]string {
		t.Helper()
		if err := p.BeginTxn(); err != nil {
			t.Fatalf("%s: BeginTxn: %v", name, err)
		}
		var produced [2][]string
		for part := range int32(2) {
			pc, err := consumer.ConsumePartition(in, part, sarama.OffsetOldest)
			if err != nil {
				t.Fatalf("ConsumePartition %s/%d: %v", in, part, err)
			}
			for range n {
				var m *sarama.ConsumerMessage
				select {
				case m = <-pc.Messages():
				case err := <-pc.Errors():
					t.Fatalf("%s/%d: %v", in, part, err)
				case <-ctx.Done():
					t.Fatalf("%s: consuming %s/%d: %v", name, in, part, ctx.Err())
				}
				v := name + "/" + string(m.Value)
				if _, err := saramaSend(p, out, part, v); err != nil {
					t.Fatalf("%s: producing %s: %v", name, v, err)
				}
				if err := p.AddMessageToTxn(m, group, nil); err != nil {
					t.Fatalf("%s: AddMessageToTxn: %v", name, err)
				}
				produced[part] = append(produced[part], v)
			}
			if err := pc.Close(); err != nil {
				t.Fatalf("closing the partition consumer: %v", err)
			}
		}
		return produced
	}

	aborted := round("aborted", perPartition/2)
	if err := p.AbortTxn(); err != nil {
		t.Fatalf("AbortTxn: %v", err)
	}
	if got := groupOffsets(); len(got) != 0 {
		t.Errorf("group offsets after the aborted transaction: %v, want none", got)
	}
	done := round("committed", perPartition)
	if got := groupOffsets(); len(got) != 0 {
		t.Errorf("group offsets before CommitTxn: %v, want none", got)
	}
	if err := p.CommitTxn(); err != nil {
		t.Fatalf("CommitTxn: %v", err)
	}
	if got, want := groupOffsets(), map[int32]int64{0: perPartition, 1: perPartition}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("group offsets after CommitTxn: %v, want %v", got, want)
	}

	for part := range int32(2) {
		last := done[part][len(done[part])-1]
		var gotC, gotU []string
		for _, r := range saramaReadUntil(t, b.Addr(), out, part, sarama.ReadCommitted, last) {
			gotC = append(gotC, r.Value)
		}
		for _, r := range saramaReadUntil(t, b.Addr(), out, part, sarama.ReadUncommitted, last) {
			gotU = append(gotU, r.Value)
		}
		if !slices.Equal(gotC, done[part]) {
			t.Errorf("output partition %d read_committed:\n got %v\nwant %v", part, gotC, done[part])
		}
		if want := slices.Concat(aborted[part], done[part]); !slices.Equal(gotU, want) {
			t.Errorf("output partition %d read_uncommitted:\n got %v\nwant %v", part, gotU, want)
		}
	}
}

// TestSaramaTxnOffsetsPending drives TxnOffsetCommit with Sarama's request
// codec on a plain connection, to look between the offset commit and the
// end of the transaction, which Sarama's producer sends back to back: the
// offsets stay invisible to OffsetFetch until EndTxn commits them; EndTxn
// abort drops them. Meanwhile RequireStable answers UNSTABLE_OFFSET_COMMIT
// for the partition, asked for by name or (once it has a committed offset)
// in a fetch of all the group's partitions, as Kafka 4.x does.
func TestSaramaTxnOffsetsPending(t *testing.T) {
	t.Parallel()
	const topic, group, id = "sarama-pending", "sarama-pending", "sarama-pending"
	b, adm := startBroker(t)
	topicID := createTopic(t, adm, topic, 1, nil)
	ctx := testContext(t)
	cl := newClient(t, b.Addr())
	br := sarama.NewBroker(b.Addr())
	if err := br.Open(saramaConfig(sarama.CompressionNone)); err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer br.Close()

	txnID := id
	init, err := br.InitProducerID(&sarama.InitProducerIDRequest{Version: 4, TransactionalID: &txnID,
		TransactionTimeout: 10 * time.Second, ProducerID: -1, ProducerEpoch: -1})
	if err != nil || !errors.Is(init.Err, sarama.ErrNoError) {
		t.Fatalf("InitProducerId: %+v %v", init, err)
	}
	pid, epoch := init.ProducerID, init.ProducerEpoch

	// fetchAll is kadm's FetchOffsets: every committed partition of the
	// group (-1 for none here).
	fetchAll := func(stable bool) (int64, error) {
		t.Helper()
		c := ctx
		if stable {
			c = kadm.RequireStable(ctx)
		}
		resps, err := adm.FetchOffsets(c, group)
		if err != nil {
			t.Fatalf("FetchOffsets: %v", err)
		}
		o, ok := resps.Lookup(topic, 0)
		if !ok {
			return -1, nil
		}
		return o.At, o.Err
	}
	// fetchStable asks for the partition by name with RequireStable.
	fetchStable := func() (int64, error) {
		t.Helper()
		req := kmsg.NewPtrOffsetFetchRequest()
		req.RequireStable = true
		rg := kmsg.NewOffsetFetchRequestGroup()
		rg.Group = group
		rt := kmsg.NewOffsetFetchRequestGroupTopic()
		rt.Topic, rt.TopicID, rt.Partitions = topic, topicID, []int32{0}
		rg.Topics = append(rg.Topics, rt)
		req.Groups = append(req.Groups, rg)
		resp := request[*kmsg.OffsetFetchResponse](t, ctx, cl, req)
		if len(resp.Groups) != 1 || len(resp.Groups[0].Topics) != 1 || len(resp.Groups[0].Topics[0].Partitions) != 1 {
			t.Fatalf("OffsetFetch v%d: want one group, topic and partition, got %+v", req.Version, resp)
		}
		if err := kerr.ErrorForCode(resp.Groups[0].ErrorCode); err != nil {
			t.Fatalf("OffsetFetch: %v", err)
		}
		p := resp.Groups[0].Topics[0].Partitions[0]
		return p.Offset, kerr.ErrorForCode(p.ErrorCode)
	}
	committedAt := func(want int64) {
		t.Helper()
		for _, f := range []struct {
			what  string
			fetch func() (int64, error)
		}{
			{"OffsetFetch", func() (int64, error) { return fetchAll(false) }},
			{"OffsetFetch (all partitions, require stable)", func() (int64, error) { return fetchAll(true) }},
			{"OffsetFetch (require stable)", fetchStable},
		} {
			if at, err := f.fetch(); err != nil || at != want {
				t.Errorf("%s: offset %d, error %v; want %d", f.what, at, err, want)
			}
		}
	}
	pending := func(committed int64) {
		t.Helper()
		if at, err := fetchAll(false); err != nil || at != committed {
			t.Errorf("OffsetFetch with a transaction open: offset %d, error %v; want the committed %d", at, err, committed)
		}
		if at, err := fetchStable(); !errors.Is(err, kerr.UnstableOffsetCommit) || at != -1 {
			t.Errorf("OffsetFetch (require stable) with a transaction open: offset %d, error %v; want -1, UNSTABLE_OFFSET_COMMIT", at, err)
		}
		// Kafka 4.x (OffsetMetadataManager.fetchAllOffsets) lists only
		// partitions with a committed offset in an all-partitions fetch,
		// and answers those with a pending one UNSTABLE_OFFSET_COMMIT.
		at, err := fetchAll(true)
		switch {
		case committed < 0 && (err != nil || at != -1):
			t.Errorf("OffsetFetch (all partitions, require stable) with the first commit pending: offset %d, error %v; want the partition left out", at, err)
		case committed >= 0 && !errors.Is(err, kerr.UnstableOffsetCommit):
			t.Errorf("OffsetFetch (all partitions, require stable) with a transaction open: offset %d, error %v; want UNSTABLE_OFFSET_COMMIT", at, err)
		}
	}
	txn := func(offset int64) {
		t.Helper()
		add, err := br.AddOffsetsToTxn(&sarama.AddOffsetsToTxnRequest{Version: 3, TransactionalID: id,
			ProducerID: pid, ProducerEpoch: epoch, GroupID: group})
		if err != nil || !errors.Is(add.Err, sarama.ErrNoError) {
			t.Fatalf("AddOffsetsToTxn: %+v %v", add, err)
		}
		resp, err := br.TxnOffsetCommit(&sarama.TxnOffsetCommitRequest{Version: 3, TransactionalID: id,
			GroupID: group, ProducerID: pid, ProducerEpoch: epoch, GenerationID: -1,
			Topics: map[string][]*sarama.PartitionOffsetMetadata{topic: {{Partition: 0, Offset: offset, LeaderEpoch: -1}}}})
		if err != nil {
			t.Fatalf("TxnOffsetCommit: %v", err)
		}
		if ps := resp.Topics[topic]; len(ps) != 1 || !errors.Is(ps[0].Err, sarama.ErrNoError) {
			t.Fatalf("TxnOffsetCommit: %+v", resp.Topics)
		}
	}
	end := func(commit bool) {
		t.Helper()
		resp, err := br.EndTxn(&sarama.EndTxnRequest{Version: 3, TransactionalID: id, ProducerID: pid,
			ProducerEpoch: epoch, TransactionResult: commit})
		if err != nil || !errors.Is(resp.Err, sarama.ErrNoError) {
			t.Fatalf("EndTxn(commit %v): %+v %v", commit, resp, err)
		}
	}

	txn(5)
	pending(-1)
	end(true)
	committedAt(5)

	txn(9)
	pending(5)
	end(false)
	committedAt(5)

	txn(12)
	pending(5)
	end(true)
	committedAt(12)
}

// TestSaramaTxnFencing: a second producer with the same transactional id
// fences the first. Whatever the zombie does next fails (EndTxn and
// AddPartitionsToTxn with PRODUCER_FENCED; a produce to a partition already
// in its transaction with INVALID_PRODUCER_EPOCH, which Kafka answers to a
// produce of an old epoch, and which Sarama treats as abortable, so only
// the abort that follows sees the fencing), and the records of its open
// transaction never become visible at read_committed.
func TestSaramaTxnFencing(t *testing.T) {
	t.Parallel()
	const topic = "sarama-fencing"
	b, adm := startBroker(t)
	createTopic(t, adm, topic, 2, nil)

	var committed, written [2][]string
	for _, c := range []struct {
		name string
		// next is the zombie's first operation after the fencing and the
		// error Sarama must report for it.
		next func(p sarama.SyncProducer, v string) error
		want error
	}{
		{"commit", func(p sarama.SyncProducer, _ string) error { return p.CommitTxn() }, sarama.ErrProducerFenced},
		{"abort", func(p sarama.SyncProducer, _ string) error { return p.AbortTxn() }, sarama.ErrProducerFenced},
		{"produce-new-partition", func(p sarama.SyncProducer, v string) error {
			_, err := saramaSend(p, topic, 1, v)
			return err
		}, sarama.ErrProducerFenced},
		{"produce-same-partition", func(p sarama.SyncProducer, v string) error {
			_, err := saramaSend(p, topic, 0, v)
			return err
		}, sarama.ErrInvalidProducerEpoch},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := "sarama-fenced-" + c.name
			zombie := newSaramaTxnProducer(t, b.Addr(), id)
			if err := zombie.BeginTxn(); err != nil {
				t.Fatalf("BeginTxn: %v", err)
			}
			v := "zombie-" + c.name
			if _, err := saramaSend(zombie, topic, 0, v); err != nil {
				t.Fatalf("zombie produce: %v", err)
			}
			written[0] = append(written[0], v)

			fresh := newSaramaTxnProducer(t, b.Addr(), id) // InitProducerId: epoch+1
			err := c.next(zombie, "zombie-late-"+c.name)
			if !errors.Is(err, c.want) {
				t.Fatalf("zombie's %s after fencing: %v, want %v", c.name, err, c.want)
			}
			if c.want == sarama.ErrInvalidProducerEpoch {
				if err := zombie.AbortTxn(); !errors.Is(err, sarama.ErrProducerFenced) {
					t.Errorf("zombie's abort after %v: %v, want %v", c.want, err, sarama.ErrProducerFenced)
				}
			}
			if s := zombie.TxnStatus(); s&sarama.ProducerTxnFlagFatalError == 0 {
				t.Errorf("zombie status %v, want a fatal error", s)
			}
			if err := zombie.CommitTxn(); !errors.Is(err, sarama.ErrProducerFenced) {
				t.Errorf("zombie's CommitTxn after fencing: %v, want %v", err, sarama.ErrProducerFenced)
			}

			if err := fresh.BeginTxn(); err != nil {
				t.Fatalf("fresh BeginTxn: %v", err)
			}
			for part := range int32(2) {
				v := fmt.Sprintf("fresh-%s-p%d", c.name, part)
				if _, err := saramaSend(fresh, topic, part, v); err != nil {
					t.Fatalf("fresh produce: %v", err)
				}
				committed[part] = append(committed[part], v)
				written[part] = append(written[part], v)
			}
			if err := fresh.CommitTxn(); err != nil {
				t.Fatalf("fresh CommitTxn: %v", err)
			}
		})
	}
	if t.Failed() {
		return
	}
	for part := range int32(2) {
		last := committed[part][len(committed[part])-1]
		for _, r := range []struct {
			isolation sarama.IsolationLevel
			want      []string
		}{{sarama.ReadCommitted, committed[part]}, {sarama.ReadUncommitted, written[part]}} {
			var got []string
			for _, m := range saramaReadUntil(t, b.Addr(), topic, part, r.isolation, last) {
				got = append(got, m.Value)
			}
			if !slices.Equal(got, r.want) {
				t.Errorf("partition %d isolation %d:\n got %v\nwant %v", part, r.isolation, got, r.want)
			}
		}
	}
	// Every zombie transaction was aborted by the fencing: nothing open.
	ends, err := adm.ListEndOffsets(testContext(t), topic)
	if err != nil {
		t.Fatalf("ListEndOffsets: %v", err)
	}
	stable, err := adm.ListCommittedOffsets(testContext(t), topic)
	if err != nil {
		t.Fatalf("ListCommittedOffsets: %v", err)
	}
	ends.Each(func(o kadm.ListedOffset) {
		if s, _ := stable.Lookup(topic, o.Partition); s.Offset != o.Offset {
			t.Errorf("partition %d: last stable offset %d, high watermark %d; want equal (no open transaction)", o.Partition, s.Offset, o.Offset)
		}
	})
}
