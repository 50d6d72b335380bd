package grouplog

import (
	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/internal/group"
)

// Transactional offset commits (TxnOffsetCommit) are written as Kafka's
// group coordinator writes them: the offset commit records of one call in
// a transactional batch of the producer, with its id and epoch and the
// next sequence number of the producer in this partition. They take
// effect only when the transaction coordinator writes the producer's
// commit marker to this partition; an abort marker drops them. Replay
// follows the same rule, so offsets of a transaction that was still open
// at a crash come back as pending (Loaded.PendingTxnOffsets) and are
// resolved when the transaction ends.

// producerSeq is the next sequence number of a producer in this partition.
type producerSeq struct {
	epoch int16
	next  int32
}

// nextSeq is the base sequence of the producer's next batch: sequences
// restart at 0 with a new epoch.
func nextSeq(seqs map[int64]producerSeq, pid int64, epoch int16) int32 {
	s, ok := seqs[pid]
	if !ok || s.epoch != epoch {
		return 0
	}
	return s.next
}

// advanceSeq records a batch of n records at base sequence seq.
func advanceSeq(seqs map[int64]producerSeq, pid int64, epoch int16, seq, n int32) {
	next := seq + n
	if next < 0 {
		next -= -2147483648 // sequences wrap to 0 after MaxInt32, as Kafka's
	}
	seqs[pid] = producerSeq{epoch: epoch, next: next}
}

// pendingKeys are the offsets a producer's open transaction wrote, by
// group, so a commit can make them live keys.
type pendingKeys map[string]map[group.TopicPartition]struct{}

// CommitTxnOffsets writes offsets of producer pid's ongoing transaction.
func (l *Log) CommitTxnOffsets(g string, pid int64, epoch int16, offsets []group.Offset) error {
	if len(offsets) == 0 {
		return nil
	}
	if err := checkLen("group", g); err != nil {
		return err
	}
	var w batchWriter
	for i := range offsets {
		if err := checkOffset(&offsets[i]); err != nil {
			return err
		}
		w.scratch = appendOffsetKey(w.scratch[:0], g, offsets[i].TopicPartition)
		n := len(w.scratch)
		w.scratch = appendOffsetValue(w.scratch, &offsets[i])
		w.add(w.scratch[:n], w.scratch[n:])
	}
	l.mu.Lock()
	seq := nextSeq(l.mu.seqs, pid, epoch)
	err := l.appendTxnLocked(&w, pid, epoch, seq)
	if err == nil {
		advanceSeq(l.mu.seqs, pid, epoch, seq, w.n)
		keys := l.mu.pending[pid]
		if keys == nil {
			keys = make(pendingKeys)
			l.mu.pending[pid] = keys
		}
		if keys[g] == nil {
			keys[g] = make(map[group.TopicPartition]struct{})
		}
		for i := range offsets {
			keys[g][offsets[i].TopicPartition] = struct{}{}
		}
	}
	l.mu.Unlock()
	return l.sync(err)
}

// CompleteTxn notes that the producer's transaction ended (its marker is
// in the log): committed offsets become live keys, which DeleteGroup and
// DeleteOffsets must tombstone.
func (l *Log) CompleteTxn(pid int64, commit bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if commit {
		for g, tps := range l.mu.pending[pid] {
			k := l.keysLocked(g)
			for tp := range tps {
				k.offsets[tp] = struct{}{}
			}
		}
	}
	delete(l.mu.pending, pid)
}

func (l *Log) appendTxnLocked(w *batchWriter, pid int64, epoch int16, seq int32) error {
	return l.appendHeaderLocked(w, func(h *batch.Header) {
		h.Attributes |= attrTransactional
		h.ProducerID, h.ProducerEpoch, h.BaseSequence = pid, epoch, seq
	})
}

const attrTransactional = 0x10

// markerType decodes the marker in a control batch's payload; ok is false
// for a control batch that is not a transaction marker.
func markerType(h batch.Header, payload []byte) (commit, ok bool) {
	_ = batch.Records(h, payload, func(rec batch.Record) error {
		c, _, err := batch.ParseEndTxnMarker(rec.Key, rec.Value)
		commit, ok = c, err == nil
		return nil
	})
	return commit, ok
}
