package partition

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/samsa-streaming/samsa/internal/atomicfile"
)

// Producer state snapshots let a restart rebuild the producer state
// without reading the whole log: a snapshot named after offset X (Kafka's
// "%020d.snapshot") holds the state after every batch below X, and
// recovery replays only the batches from X on. One is written when the log
// rolls a segment and one at Close, as Kafka does, so a crash costs at most
// a segment's worth of replay. The file format is Samsa's own:
//
//	version      int16  (2)
//	crc          uint32 CRC-32C of everything after it
//	abortedUpTo  int64  marker offset of the newest aborted transaction
//	                    index entry when it was written, -1 if none
//	count        int32
//	count × { producerId int64, epoch int16, coordinatorEpoch int32,
//	          txnFirstOffset int64 (-1: no ongoing transaction),
//	          lastTimestamp int64, batches int8,
//	          batches × { firstSeq int32, lastSeq int32, firstOffset int64,
//	                      lastOffset int64, timestamp int64 } }
//
// A snapshot that fails its CRC, has another version (version 1 had no
// transaction state) or lies beyond the recovered log end (the log lost a
// torn tail) is ignored and removed. One whose abortedUpTo the aborted
// transaction index lacks (a crash lost the index's tail) is not used
// either, so that the replay from an older one rebuilds those entries.

const (
	snapshotExt     = ".snapshot"
	snapshotVersion = 2
	snapshotsKept   = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func snapshotName(offset int64) string { return fmt.Sprintf("%020d%s", offset, snapshotExt) }

// snapshot is the producer state at an offset.
type snapshot struct {
	producers   producers
	abortedUpTo int64
}

func marshalSnapshot(s snapshot) []byte {
	be := binary.BigEndian
	b := be.AppendUint16(nil, snapshotVersion)
	b = be.AppendUint32(b, 0) // crc, filled below
	b = be.AppendUint64(b, uint64(s.abortedUpTo))
	ps := s.producers
	b = be.AppendUint32(b, uint32(len(ps)))
	for _, id := range ps.sortedIDs() {
		e := ps[id]
		b = be.AppendUint64(b, uint64(id))
		b = be.AppendUint16(b, uint16(e.Epoch))
		b = be.AppendUint32(b, uint32(e.CoordinatorEpoch))
		b = be.AppendUint64(b, uint64(e.TxnFirstOffset))
		b = be.AppendUint64(b, uint64(e.LastTimestamp))
		b = append(b, byte(len(e.Batches)))
		for _, m := range e.Batches {
			b = be.AppendUint32(b, uint32(m.FirstSeq))
			b = be.AppendUint32(b, uint32(m.LastSeq))
			b = be.AppendUint64(b, uint64(m.FirstOffset))
			b = be.AppendUint64(b, uint64(m.LastOffset))
			b = be.AppendUint64(b, uint64(m.Timestamp))
		}
	}
	be.PutUint32(b[2:], crc32.Checksum(b[6:], castagnoli))
	return b
}

var errBadSnapshot = errors.New("partition: corrupt producer state snapshot")

const (
	snapshotHeaderLen = 2 + 4 + 8 + 4
	snapshotEntryLen  = 8 + 2 + 4 + 8 + 8 + 1
	snapshotBatchLen  = 4 + 4 + 8 + 8 + 8
)

func unmarshalSnapshot(b []byte) (snapshot, error) {
	be := binary.BigEndian
	if len(b) < snapshotHeaderLen || be.Uint16(b) != snapshotVersion || be.Uint32(b[2:]) != crc32.Checksum(b[6:], castagnoli) {
		return snapshot{}, errBadSnapshot
	}
	abortedUpTo := int64(be.Uint64(b[6:]))
	count := int(be.Uint32(b[14:]))
	b = b[snapshotHeaderLen:]
	if count > len(b)/snapshotEntryLen {
		return snapshot{}, errBadSnapshot
	}
	ps := make(producers, count)
	for range count {
		if len(b) < snapshotEntryLen {
			return snapshot{}, errBadSnapshot
		}
		id := int64(be.Uint64(b))
		e := &producerEntry{
			Epoch:            int16(be.Uint16(b[8:])),
			CoordinatorEpoch: int32(be.Uint32(b[10:])),
			TxnFirstOffset:   int64(be.Uint64(b[14:])),
			LastTimestamp:    int64(be.Uint64(b[22:])),
		}
		n := int(b[30])
		b = b[snapshotEntryLen:]
		if n > batchesPerProducer || len(b) < n*snapshotBatchLen || e.TxnFirstOffset < -1 {
			return snapshot{}, errBadSnapshot
		}
		for range n {
			e.Batches = append(e.Batches, batchMeta{
				FirstSeq:    int32(be.Uint32(b)),
				LastSeq:     int32(be.Uint32(b[4:])),
				FirstOffset: int64(be.Uint64(b[8:])),
				LastOffset:  int64(be.Uint64(b[16:])),
				Timestamp:   int64(be.Uint64(b[24:])),
			})
			b = b[snapshotBatchLen:]
		}
		ps[id] = e
	}
	if len(b) != 0 {
		return snapshot{}, errBadSnapshot
	}
	return snapshot{producers: ps, abortedUpTo: abortedUpTo}, nil
}

// writeSnapshot writes the state at offset. durable fsyncs the file and the
// directory (at Close); a snapshot written at a roll is not fsynced, which
// only costs a longer replay if a crash loses it.
func writeSnapshot(dir string, offset int64, s snapshot, durable bool) error {
	write := atomicfile.WriteLazy
	if durable {
		write = atomicfile.Write
	}
	if err := write(filepath.Join(dir, snapshotName(offset)), marshalSnapshot(s)); err != nil {
		return fmt.Errorf("partition: producer snapshot: %w", err)
	}
	return nil
}

// snapshotOffsets lists the snapshots in dir, oldest first, removing
// temporary files a crash left.
func snapshotOffsets(dir string) ([]int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("partition: %w", err)
	}
	var offsets []int64
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, snapshotExt+".tmp") {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		stem, ok := strings.CutSuffix(name, snapshotExt)
		if !ok || len(stem) != 20 {
			continue
		}
		if off, err := strconv.ParseInt(stem, 10, 64); err == nil {
			offsets = append(offsets, off)
		}
	}
	slices.Sort(offsets)
	return offsets, nil
}

// pruneSnapshots removes all but the newest snapshotsKept snapshots.
func pruneSnapshots(dir string) {
	offsets, err := snapshotOffsets(dir)
	if err != nil {
		return
	}
	for len(offsets) > snapshotsKept {
		os.Remove(filepath.Join(dir, snapshotName(offsets[0])))
		offsets = offsets[1:]
	}
}

// retargetSnapshots points each snapshot's abortedUpTo at an entry the
// aborted transaction index still has, after the cleaner removed entries:
// Open skips a snapshot that relies on an entry the index lacks (to repair
// an index a crash cut short), and a snapshot whose entry was cleaned away
// would be skipped for no reason, costing a longer replay.
func retargetSnapshots(dir string, index *txnIndex) error {
	offsets, err := snapshotOffsets(dir)
	if err != nil {
		return err
	}
	for _, off := range offsets {
		b, err := os.ReadFile(filepath.Join(dir, snapshotName(off)))
		if err != nil {
			continue // removed meanwhile, or unreadable: Open copes
		}
		s, err := unmarshalSnapshot(b)
		if err != nil || s.abortedUpTo < 0 {
			continue
		}
		if upTo := index.newestUpTo(s.abortedUpTo); upTo != s.abortedUpTo {
			s.abortedUpTo = upTo
			if err := writeSnapshot(dir, off, s, true); err != nil {
				return err
			}
		}
	}
	return nil
}
