package broker

import (
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/partition"
	"github.com/samsa-streaming/samsa/internal/txn"
	"github.com/samsa-streaming/samsa/internal/txnlog"
)

// TransactionsTopic is where the transaction coordinator keeps the state
// of transactional ids, in Kafka's record format.
const TransactionsTopic = "__transaction_state"

// transactionsTopicConfigs are Kafka's transaction.state.log.* defaults
// that apply here (segment.bytes 100 MiB, kept forever until compaction).
var transactionsTopicConfigs = map[string]string{"cleanup.policy": "compact", "segment.bytes": "104857600", "retention.ms": "-1"}

// txnStore is the coordinator's txn.Store: __transaction_state, created on
// the first write, as Kafka creates it on first use.
type txnStore struct {
	b *Broker

	mu  sync.Mutex
	log *txnlog.Log
}

func (s *txnStore) open() (*txnlog.Log, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log != nil {
		return s.log, nil
	}
	p, err := s.b.EnsureInternalTopic(TransactionsTopic, transactionsTopicConfigs)
	if err != nil {
		return nil, err
	}
	log, _, err := txnlog.Open(p, s.b.lg)
	if err != nil {
		return nil, err
	}
	s.log = log
	return log, nil
}

func (s *txnStore) Save(snap txn.Snapshot) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.Save(snap)
}

func (s *txnStore) Delete(id string) error {
	log, err := s.open()
	if err != nil {
		return err
	}
	return log.Delete(id)
}

// openTransactions replays __transaction_state, if it exists, and starts
// the transaction coordinator with what it held (completing transactions
// whose outcome was decided before a crash).
func (b *Broker) openTransactions() error {
	store := &txnStore{b: b}
	var loaded []txn.Snapshot
	if p, ok := b.InternalPartition(TransactionsTopic); ok {
		log, l, err := txnlog.Open(p, b.lg)
		if err != nil {
			return err
		}
		store.log, loaded = log, l
		b.lg.Info("loaded transactional ids", "transactional_ids", len(l))
	}
	b.txns = txn.New(txn.Options{
		Store:              store,
		Markers:            b,
		NewProducerID:      b.NewProducerID,
		PartitionExists:    func(tp txn.TopicPartition) bool { return b.partitionExists(tp.Topic, tp.Partition) },
		Logger:             b.lg,
		Now:                b.now,
		MaxTimeout:         b.cfg.TransactionMaxTimeout(),
		AbortCheckInterval: b.cfg.TransactionAbortCheckInterval(),
		IDExpiration:       b.cfg.TransactionalIDExpiration(),
		Loaded:             loaded,
	})
	return nil
}

// Transactions is the transaction coordinator.
func (b *Broker) Transactions() *txn.Coordinator { return b.txns }

// WriteMarkers appends a commit or abort marker of the producer to each
// partition (skipping partitions deleted since) and returns once they are
// on disk. It is the transaction coordinator's txn.Markers.
func (b *Broker) WriteMarkers(producerID int64, epoch int16, commit bool, parts []txn.TopicPartition) error {
	m := partition.Marker{ProducerID: producerID, ProducerEpoch: epoch, Commit: commit}
	now := b.now()
	written := make([]*partition.Partition, 0, len(parts))
	for _, tp := range parts {
		p, ok := b.anyPartition(tp.Topic, tp.Partition)
		if !ok {
			b.lg.Info("transaction marker skipped: the partition no longer exists", "topic", tp.Topic, "partition", tp.Partition)
			continue
		}
		if _, err := p.AppendMarker(m, now); err != nil {
			return fmt.Errorf("broker: marker for %s-%d: %w", tp.Topic, tp.Partition, err)
		}
		written = append(written, p)
	}
	if err := syncAll(written); err != nil {
		return err
	}
	b.onMarkersWritten(producerID, commit, parts)
	return nil
}

// onMarkersWritten tells the group coordinator that a transaction touching
// __consumer_offsets ended, so its pending offsets become visible or go.
func (b *Broker) onMarkersWritten(producerID int64, commit bool, parts []txn.TopicPartition) {
	for _, tp := range parts {
		if tp.Topic == OffsetsTopic {
			b.groups.CompleteTransaction(producerID, commit)
			return
		}
	}
}

// anyPartition finds a partition of a user or internal topic.
func (b *Broker) anyPartition(topic string, index int32) (*partition.Partition, bool) {
	t := b.lookup(topic)
	if t == nil || index < 0 || int(index) >= len(t.partitions) {
		return nil, false
	}
	return t.partitions[index], true
}

// verifyTransactional checks a transactional batch's partition with the
// coordinator before it is appended (KIP-890 part 1), or adds it to the
// transaction (part 2, Produce v12+); other batches pass.
func (b *Broker) verifyTransactional(part ProducePart, topic string) error {
	h, err := batch.ParseHeader(part.Records)
	if err != nil || !h.IsTransactional() || h.ProducerID < 0 {
		return nil // the partition's validation answers malformed batches
	}
	tp := txn.TopicPartition{Topic: topic, Partition: part.Partition}
	if part.ImplicitTxnAdd {
		err = b.txns.AddImplicit(h.ProducerID, h.ProducerEpoch, tp)
	} else {
		err = b.txns.Verify(h.ProducerID, h.ProducerEpoch, tp)
	}
	if err != nil {
		return fmt.Errorf("broker: transactional batch of producer %d epoch %d is not part of its transaction: %w",
			h.ProducerID, h.ProducerEpoch, err)
	}
	return nil
}

var _ txn.Markers = (*Broker)(nil)

// AddOffsetsToTxn adds the group's __consumer_offsets partition to the
// producer's transaction (creating the topic if needed), so its
// TxnOffsetCommit can follow.
func (b *Broker) AddOffsetsToTxn(id string, pid int64, epoch int16, group string) error {
	if err := b.EnsureGroupStore(); err != nil {
		b.lg.Error("creating the offsets topic failed", "err", err)
		return kerr.CoordinatorNotAvailable
	}
	return b.txns.AddPartitions(id, pid, epoch, []txn.TopicPartition{{Topic: OffsetsTopic, Partition: 0}})[0]
}

// TxnOffsetCommit stores a transaction's offsets after checking that the
// group's offsets partition is part of the transaction (AddOffsetsToTxn),
// as Kafka's server-side verification does.
func (b *Broker) TxnOffsetCommit(req *kmsg.TxnOffsetCommitRequest) *kmsg.TxnOffsetCommitResponse {
	offsets := txn.TopicPartition{Topic: OffsetsTopic, Partition: 0}
	var err error
	if req.Version >= 5 {
		if err = b.EnsureGroupStore(); err != nil {
			b.lg.Error("creating the offsets topic failed", "err", err)
			err = kerr.CoordinatorNotAvailable
		} else {
			err = b.txns.AddImplicit(req.ProducerID, req.ProducerEpoch, offsets)
		}
	} else {
		err = b.txns.Verify(req.ProducerID, req.ProducerEpoch, offsets)
	}
	if err == nil {
		return b.groups.TxnOffsetCommit(req)
	}
	if errors.Is(err, kerr.InvalidProducerEpoch) && req.Version >= 3 {
		err = kerr.ProducerFenced
	}
	resp := req.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
	var ke *kerr.Error
	errors.As(err, &ke) // Verify answers kerr values
	for _, t := range req.Topics {
		rt := kmsg.NewTxnOffsetCommitResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p.Partition, ke.Code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}
