package commitlog

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// makeBatch builds a valid v2 batch at base holding count records (the
// records themselves are filler: the log never parses them).
func makeBatch(base int64, count int, maxTs int64, payload int) []byte {
	b := make([]byte, batchHeaderLen+payload)
	binary.BigEndian.PutUint64(b[0:], uint64(base))
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-batchLengthAdj))
	b[16] = batchMagic
	binary.BigEndian.PutUint32(b[23:], uint32(count-1))
	binary.BigEndian.PutUint64(b[27:], uint64(maxTs)) // baseTimestamp
	binary.BigEndian.PutUint64(b[35:], uint64(maxTs))
	binary.BigEndian.PutUint64(b[43:], ^uint64(0))    // producerId -1
	binary.BigEndian.PutUint16(b[51:], 0xffff)        // producerEpoch -1
	binary.BigEndian.PutUint32(b[53:], 0xffffffff)    // baseSequence -1
	binary.BigEndian.PutUint32(b[57:], uint32(count)) // recordCount
	for i := batchHeaderLen; i < len(b); i++ {
		b[i] = byte(base) + byte(i)
	}
	binary.BigEndian.PutUint32(b[17:], batchCRC(b))
	return b
}

// testLogger sends log lines to t.Log and keeps them for assertions.
type testLogger struct {
	mu    sync.Mutex
	lines []string
}

func newTestLogger(t *testing.T) (*slog.Logger, *testLogger) {
	t.Helper()
	tl := &testLogger{}
	w := writerFunc(func(p []byte) (int, error) {
		tl.mu.Lock()
		tl.lines = append(tl.lines, string(p))
		tl.mu.Unlock()
		return len(p), nil
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})), tl
}

func (tl *testLogger) contains(s string) bool {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return slices.ContainsFunc(tl.lines, func(l string) bool { return strings.Contains(l, s) })
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func openLog(t *testing.T, dir string, cfg Config) *Log {
	t.Helper()
	l, err := Open(dir, cfg, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// batchSpec describes the batches appendBatches writes.
type batchSpec struct {
	n       int               // batches
	records func(i int) int   // records in batch i; 1 if nil
	ts      func(i int) int64 // max timestamp of batch i; 1000+i if nil
	payload func(i int) int   // filler bytes in batch i; 100 if nil
}

func appendBatches(t *testing.T, l *Log, spec batchSpec) [][]byte {
	t.Helper()
	var out [][]byte
	for i := range spec.n {
		records, ts, payload := 1, int64(1000+i), 100
		if spec.records != nil {
			records = spec.records(i)
		}
		if spec.ts != nil {
			ts = spec.ts(i)
		}
		if spec.payload != nil {
			payload = spec.payload(i)
		}
		b := makeBatch(l.EndOffset(), records, ts, payload)
		end, err := l.Append(b)
		if err != nil {
			t.Fatalf("Append batch %d: %v", i, err)
		}
		if want := parseBatchHeader(b).lastOffset() + 1; end != want {
			t.Fatalf("Append returned %d, want %d", end, want)
		}
		out = append(out, b)
	}
	return out
}

// readChunk reads a chunk's bytes and releases it.
func readChunk(t *testing.T, c Chunk) []byte {
	t.Helper()
	defer c.Release()
	b, err := c.AppendTo(nil)
	if err != nil {
		t.Fatalf("AppendTo: %v", err)
	}
	if len(b) != c.Len() {
		t.Fatalf("AppendTo gave %d bytes, Len %d", len(b), c.Len())
	}
	return b
}

// splitBatches cuts bytes into batches, checking each one's CRC.
func splitBatches(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < batchHeaderLen {
			t.Fatalf("%d trailing bytes", len(b))
		}
		n := parseBatchHeader(b).size()
		if n > int64(len(b)) {
			t.Fatalf("batch of %d bytes, %d left", n, len(b))
		}
		if _, err := checkBatch(b[:n]); err != nil {
			t.Fatalf("read back a bad batch: %v", err)
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// readAll reads every batch from offset to the end in maxBytes steps.
func readAll(t *testing.T, l *Log, offset int64, maxBytes int) [][]byte {
	t.Helper()
	var out [][]byte
	for offset < l.EndOffset() {
		c, err := l.Read(offset, maxBytes, l.EndOffset())
		if err != nil {
			t.Fatalf("Read(%d): %v", offset, err)
		}
		if c.Len() == 0 {
			t.Fatalf("Read(%d) returned nothing before the end %d", offset, l.EndOffset())
		}
		bs := splitBatches(t, readChunk(t, c))
		out = append(out, bs...)
		offset = parseBatchHeader(bs[len(bs)-1]).lastOffset() + 1
	}
	return out
}

func equalBatches(t *testing.T, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d batches, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("batch %d differs", i)
		}
	}
}

// crash abandons l as kill -9 would: files closed, nothing fsynced or
// checkpointed. (The page cache survives a process crash, so the bytes stay.)
func crash(l *Log) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed.Store(true)
	l.segsMu.Lock()
	segs := l.segs
	l.segs = nil
	l.segsMu.Unlock()
	for _, s := range segs {
		s.decRef()
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func segmentPath(dir string, base int64, ext string) string {
	return filepath.Join(dir, segmentName(base, ext))
}

func strconvItoa(n int) string { return strconv.Itoa(n) }
