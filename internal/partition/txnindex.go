package partition

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/samsa-streaming/samsa/internal/atomicfile"
)

// The aborted transaction index lists the aborted transactions whose abort
// marker is still in the log, so that a read_committed fetch can tell the
// consumer which transactional batches to drop. Kafka keeps one .txnindex
// per segment; Samsa keeps one file per partition, since entries are few
// and retention drops them from the front. The file, aborted.txnindex, is
// entries back to back in marker offset order, Kafka's AbortedTxn layout
// plus a checksum (big-endian):
//
//	version           int16   0
//	producerId        int64
//	firstOffset       int64   the transaction's first offset
//	lastOffset        int64   its abort marker's offset
//	lastStableOffset  int64   the last stable offset right after the abort
//	crc               uint32  CRC-32C of the 34 bytes before it
//
// Entries are appended as aborts happen and fsynced when the log is (Sync,
// Close). Open keeps the entries up to the first that is torn, fails its
// checksum or breaks the order, drops those at or beyond the recovered log
// end, and the producer state replay adds back the ones a crash lost: a
// producer state snapshot records the newest entry it relies on and is not
// used if the index lacks it. ApplyRetention drops the entries whose marker
// is below the log start offset. Open and retention rewrite the file whole
// (temporary file, rename) when they change it.

const (
	txnIndexName    = "aborted.txnindex"
	txnEntryVersion = 0
	txnEntryLen     = 2 + 4*8 + 4
)

// AbortedTxn is an aborted transaction as a read_committed fetch reports
// it: the consumer drops the producer's batches from FirstOffset on until
// it reaches the abort marker.
type AbortedTxn struct {
	ProducerID  int64
	FirstOffset int64
}

// abortedEntry is one entry of the index.
type abortedEntry struct {
	ProducerID, FirstOffset, LastOffset, LastStableOffset int64
}

func appendTxnEntry(dst []byte, e abortedEntry) []byte {
	be := binary.BigEndian
	start := len(dst)
	dst = be.AppendUint16(dst, txnEntryVersion)
	dst = be.AppendUint64(dst, uint64(e.ProducerID))
	dst = be.AppendUint64(dst, uint64(e.FirstOffset))
	dst = be.AppendUint64(dst, uint64(e.LastOffset))
	dst = be.AppendUint64(dst, uint64(e.LastStableOffset))
	return be.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// decodeTxnIndex returns the entries of b up to the first that is torn,
// fails its checksum or is out of order, and the bytes they take.
func decodeTxnIndex(b []byte) ([]abortedEntry, int) {
	var entries []abortedEntry
	n := 0
	for len(b)-n >= txnEntryLen {
		e, ok := decodeTxnEntry(b[n : n+txnEntryLen])
		if !ok || len(entries) > 0 && e.LastOffset <= entries[len(entries)-1].LastOffset {
			break
		}
		entries = append(entries, e)
		n += txnEntryLen
	}
	return entries, n
}

func decodeTxnEntry(b []byte) (abortedEntry, bool) {
	be := binary.BigEndian
	if be.Uint16(b) != txnEntryVersion || be.Uint32(b[34:]) != crc32.Checksum(b[:34], castagnoli) {
		return abortedEntry{}, false
	}
	e := abortedEntry{
		ProducerID:       int64(be.Uint64(b[2:])),
		FirstOffset:      int64(be.Uint64(b[10:])),
		LastOffset:       int64(be.Uint64(b[18:])),
		LastStableOffset: int64(be.Uint64(b[26:])),
	}
	return e, e.FirstOffset >= 0 && e.FirstOffset <= e.LastOffset
}

// txnIndex is the in-memory index and its file. Writers (add, prune, trim,
// rewrite, close) hold the partition's appendMu; fetches read entries
// under mu, and the flusher fsyncs the file under fileMu.
type txnIndex struct {
	dir, path string

	mu      sync.RWMutex // guards entries against readers
	entries []abortedEntry

	// loading is set during Open: entries stay in memory and the file is
	// rewritten once at the end. stale means the file lacks entries.
	loading, stale bool

	fileMu     sync.RWMutex // held shared during an fsync, exclusive to replace f
	f          *os.File     // opened on the first append
	unsynced   atomic.Bool  // written since the last fsync
	newFile    atomic.Bool  // the directory entry is not fsynced yet
	writeError atomic.Pointer[error]
}

// openTxnIndex reads the index file in dir, removing a temporary file a
// crash left.
func openTxnIndex(dir string) (*txnIndex, error) {
	path := filepath.Join(dir, txnIndexName)
	os.Remove(path + ".tmp")
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("partition: %w", err)
	}
	entries, n := decodeTxnIndex(b)
	return &txnIndex{dir: dir, path: path, entries: entries, loading: true, stale: n != len(b)}, nil
}

// newest is the marker offset of the newest entry, -1 if none.
func (x *txnIndex) newest() int64 {
	if len(x.entries) == 0 {
		return -1
	}
	return x.entries[len(x.entries)-1].LastOffset
}

// add appends e unless its marker is not past the newest entry (a replay
// of an abort the file kept).
func (x *txnIndex) add(e abortedEntry) {
	if e.LastOffset <= x.newest() {
		return
	}
	x.mu.Lock()
	x.entries = append(x.entries, e)
	x.mu.Unlock()
	if x.loading || x.stale {
		x.stale = true
		return
	}
	if err := x.write(appendTxnEntry(nil, e)); err != nil {
		// The entry is in memory and Close rewrites the file; until then
		// fsyncs fail, as the log's would.
		err = fmt.Errorf("partition: aborted transaction index: %w", err)
		x.stale = true
		x.writeError.Store(&err)
	}
}

func (x *txnIndex) write(b []byte) error {
	if x.f == nil {
		f, err := os.OpenFile(x.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		x.fileMu.Lock()
		x.f = f
		x.fileMu.Unlock()
		x.newFile.Store(true)
	}
	if _, err := x.f.Write(b); err != nil {
		return err
	}
	x.unsynced.Store(true)
	return nil
}

// sync fsyncs what add wrote since the last call.
func (x *txnIndex) sync() error {
	if err := x.writeError.Load(); err != nil {
		return *err
	}
	if !x.unsynced.Swap(false) {
		return nil
	}
	x.fileMu.RLock()
	var err error
	if x.f != nil {
		err = x.f.Sync()
	}
	x.fileMu.RUnlock()
	if err == nil && x.newFile.Swap(false) {
		if err = atomicfile.Sync(x.dir); err != nil {
			x.newFile.Store(true)
		}
	}
	if err != nil {
		x.unsynced.Store(true)
		return fmt.Errorf("partition: aborted transaction index: %w", err)
	}
	return nil
}

// finishLoad ends Open's loading, rewriting the file if it lacks entries
// or holds ones that were dropped.
func (x *txnIndex) finishLoad() error {
	x.loading = false
	if !x.stale {
		return nil
	}
	return x.rewrite()
}

// rewrite replaces the file with the entries in memory, durably.
func (x *txnIndex) rewrite() error {
	var b []byte
	for _, e := range x.entries {
		b = appendTxnEntry(b, e)
	}
	if err := atomicfile.Write(x.path, b); err != nil {
		return fmt.Errorf("partition: rewrite aborted transaction index: %w", err)
	}
	x.closeFile()
	x.stale = false
	x.writeError.Store(nil)
	x.unsynced.Store(false)
	return nil
}

func (x *txnIndex) closeFile() error {
	x.fileMu.Lock()
	defer x.fileMu.Unlock()
	if x.f == nil {
		return nil
	}
	err := x.f.Close()
	x.f = nil
	return err
}

// close makes the index durable and closes its file.
func (x *txnIndex) close() error {
	var err error
	if x.stale {
		err = x.rewrite()
	} else {
		err = x.sync()
	}
	return errors.Join(err, x.closeFile())
}

// trim drops the entries whose marker is at or beyond end, the log end
// recovered at Open.
func (x *txnIndex) trim(end int64) {
	i := sort.Search(len(x.entries), func(i int) bool { return x.entries[i].LastOffset >= end })
	if i < len(x.entries) {
		x.mu.Lock()
		x.entries = x.entries[:i]
		x.mu.Unlock()
		x.stale = true
	}
}

// prune drops the entries whose marker is below start, the log start
// offset, rewriting the file unless Open is loading.
func (x *txnIndex) prune(start int64) error {
	i := sort.Search(len(x.entries), func(i int) bool { return x.entries[i].LastOffset >= start })
	if i == 0 {
		return nil
	}
	x.mu.Lock()
	x.entries = append([]abortedEntry(nil), x.entries[i:]...)
	x.mu.Unlock()
	x.stale = true
	if x.loading {
		return nil
	}
	return x.rewrite()
}

// forget drops the entries whose abort marker offset is in markers (the
// cleaner removes those markers) and rewrites the file.
func (x *txnIndex) forget(markers []int64) error {
	kept := make([]abortedEntry, 0, len(x.entries))
	for _, e := range x.entries {
		if !slices.Contains(markers, e.LastOffset) {
			kept = append(kept, e)
		}
	}
	if len(kept) == len(x.entries) {
		return nil
	}
	x.mu.Lock()
	x.entries = kept
	x.mu.Unlock()
	x.stale = true
	return x.rewrite()
}

// newestUpTo returns the marker offset of the newest entry at or below
// offset, -1 if none.
func (x *txnIndex) newestUpTo(offset int64) int64 {
	i := sort.Search(len(x.entries), func(i int) bool { return x.entries[i].LastOffset > offset })
	if i == 0 {
		return -1
	}
	return x.entries[i-1].LastOffset
}

// aborted lists the transactions overlapping [from, to): marker at or
// after from, first offset before to (Kafka's collectAbortedTransactions).
func (x *txnIndex) aborted(from, to int64) []AbortedTxn {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i := sort.Search(len(x.entries), func(i int) bool { return x.entries[i].LastOffset >= from })
	var out []AbortedTxn
	for _, e := range x.entries[i:] {
		if e.FirstOffset < to {
			out = append(out, AbortedTxn{ProducerID: e.ProducerID, FirstOffset: e.FirstOffset})
		}
	}
	return out
}

// AbortedTransactions lists the aborted transactions that overlap the
// offsets [from, to), oldest marker first.
func (p *Partition) AbortedTransactions(from, to int64) []AbortedTxn {
	return p.index.aborted(from, to)
}
