// Package txnlog is the transaction coordinator's persistence: a txn.Store
// over the __transaction_state partition, in Kafka's record format (key
// TransactionLogKey v0 with the transactional id, value TransactionLogValue
// v0; a null value deletes the id). Each Save appends one record and
// returns after it is fsynced; Open replays the partition, the latest
// record of each id winning. The value is version 1 (flexible, with Kafka
// 4's transaction protocol v2 fields as tagged fields) once the id used
// protocol v2 or moved to another producer id, as Kafka writes it.
package txnlog

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/logscan"
	"github.com/samsa-streaming/samsa/internal/partition"
	"github.com/samsa-streaming/samsa/internal/txn"
)

// Partition is what Log needs of the __transaction_state partition.
type Partition interface {
	logscan.Reader
	Append(b []byte, now time.Time) (partition.Appended, error)
	Sync() error
}

var (
	_ Partition = (*partition.Partition)(nil)
	_ txn.Store = (*Log)(nil)
)

// Log is a txn.Store; its methods are safe for concurrent use.
type Log struct {
	p Partition
}

const (
	keyVersion      int16 = 0
	valueVersion    int16 = 0
	maxValueVersion int16 = 1
)

// Open replays p and returns the Log writing to it and the transactional
// ids it holds.
func Open(p Partition, lg *slog.Logger) (*Log, []txn.Snapshot, error) {
	state := make(map[string]txn.Snapshot)
	skipped := 0
	err := eachRecord(p, func(key, value []byte) {
		id, snap, ok := decode(key, value)
		switch {
		case !ok:
			skipped++
		case value == nil:
			delete(state, id)
		default:
			state[id] = snap
		}
	})
	if err != nil {
		return nil, nil, err
	}
	if skipped > 0 && lg != nil {
		lg.Warn("skipped records of __transaction_state that could not be decoded", "records", skipped)
	}
	out := make([]txn.Snapshot, 0, len(state))
	for _, s := range state {
		out = append(out, s)
	}
	return &Log{p: p}, out, nil
}

// Save appends s's record and waits for it to be on disk.
func (l *Log) Save(s txn.Snapshot) error {
	if len(s.ID) > math.MaxInt16 {
		return fmt.Errorf("txnlog: transactional id of %d bytes", len(s.ID))
	}
	return l.write(appendKey(nil, s.ID), appendValue(nil, &s))
}

// Delete appends the id's tombstone and waits for it to be on disk.
func (l *Log) Delete(id string) error {
	return l.write(appendKey(nil, id), nil)
}

func (l *Log) write(key, value []byte) error {
	now := time.Now()
	ms := now.UnixMilli()
	b, err := batch.Build(batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: ms},
		batch.Record{Key: key, Value: value})
	if err != nil {
		return fmt.Errorf("txnlog: %w", err)
	}
	if _, err := l.p.Append(b, now); err != nil {
		return fmt.Errorf("txnlog: append: %w", err)
	}
	if err := l.p.Sync(); err != nil {
		return fmt.Errorf("txnlog: sync: %w", err)
	}
	return nil
}

func appendKey(dst []byte, id string) []byte {
	k := kmsg.TxnMetadataKey{Version: keyVersion, TransactionalID: id}
	return k.AppendTo(dst)
}

func appendValue(dst []byte, s *txn.Snapshot) []byte {
	v := kmsg.NewTxnMetadataValue()
	v.Version = valueVersion
	if s.V2 || s.PrevProducerID >= 0 || s.NextProducerID >= 0 {
		v.Version = 1
		v.PreviousProducerID, v.NextProducerID = s.PrevProducerID, s.NextProducerID
		if s.V2 {
			v.ClientTransactionVersion = 2
		}
	}
	v.ProducerID, v.ProducerEpoch = s.ProducerID, s.ProducerEpoch
	v.TimeoutMillis = int32(s.Timeout.Milliseconds())
	v.State = kmsg.TransactionState(s.State)
	v.LastUpdateTimestamp, v.StartTimestamp = s.LastUpdate, s.Start
	for _, tp := range s.Partitions {
		if n := len(v.Topics); n == 0 || v.Topics[n-1].Topic != tp.Topic {
			v.Topics = append(v.Topics, kmsg.TxnMetadataValueTopic{Topic: tp.Topic})
		}
		last := &v.Topics[len(v.Topics)-1]
		last.Partitions = append(last.Partitions, tp.Partition)
	}
	return v.AppendTo(dst)
}

// decode returns the record's id and, for a non-null value, its state; ok
// is false for a record it cannot read.
func decode(key, value []byte) (id string, s txn.Snapshot, ok bool) {
	if len(key) < 2 || int16(binary.BigEndian.Uint16(key)) != keyVersion {
		return "", s, false
	}
	var k kmsg.TxnMetadataKey
	if err := k.ReadFrom(key); err != nil {
		return "", s, false
	}
	if value == nil {
		return k.TransactionalID, s, true
	}
	if len(value) < 2 {
		return "", s, false
	}
	v := kmsg.NewTxnMetadataValue()
	if v.Version = int16(binary.BigEndian.Uint16(value)); v.Version < 0 || v.Version > maxValueVersion {
		return "", s, false
	}
	if err := v.ReadFrom(value); err != nil {
		return "", s, false
	}
	s = txn.Snapshot{
		ID: k.TransactionalID, ProducerID: v.ProducerID, ProducerEpoch: v.ProducerEpoch,
		Timeout: time.Duration(v.TimeoutMillis) * time.Millisecond, State: txn.State(v.State),
		LastUpdate: v.LastUpdateTimestamp, Start: v.StartTimestamp,
		PrevProducerID: v.PreviousProducerID, NextProducerID: v.NextProducerID, V2: v.ClientTransactionVersion >= 2,
	}
	for _, t := range v.Topics {
		for _, p := range t.Partitions {
			s.Partitions = append(s.Partitions, txn.TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	return k.TransactionalID, s, true
}

// eachRecord calls fn for every record of p's data batches, in offset
// order.
func eachRecord(p Partition, fn func(key, value []byte)) error {
	err := logscan.Batches(p, func(h batch.Header, b []byte) error {
		if h.IsControl() {
			return nil
		}
		payload := b[batch.HeaderSize:]
		if h.Codec() != batch.None {
			var err error
			if payload, err = batch.Decompress(h.Codec(), payload, batch.MaxUncompressed); err != nil {
				return err
			}
		}
		return batch.Records(h, payload, func(r batch.Record) error {
			fn(r.Key, r.Value)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("txnlog: %w", err)
	}
	return nil
}
