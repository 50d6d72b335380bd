//go:build unix

package process

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTornTail simulates what SIGKILL alone cannot: a power loss that
// tears the end of the active segment (the page cache survives a killed
// process, so the crash test never sees a half-written batch on disk).
// After SIGKILL the test damages the tail of the newest .log file, as a
// torn write would, and restarts the broker. Kafka's recovery then keeps
// every whole, valid batch before the damage, drops the rest, and appends
// after the last kept batch.
//
// The test relies on the on-disk layout Samsa shares with Kafka: a
// directory per partition named topic-partition holding segments named
// by 20-digit base offset, each a plain sequence of record batches.
func TestTornTail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// tear damages the file whose last batch spans [last, end).
		tear func(t *testing.T, f *os.File, last, end int64)
		// keepsLast says whether the last batch survives the damage.
		keepsLast bool
	}{
		{"cut inside the last batch", func(t *testing.T, f *os.File, last, end int64) { truncate(t, f, last+(end-last)/2) }, false},
		{"cut inside the last batch header", func(t *testing.T, f *os.File, last, end int64) { truncate(t, f, last+7) }, false},
		{"cut one byte short", func(t *testing.T, f *os.File, last, end int64) { truncate(t, f, end-1) }, false},
		{"bad crc in the last batch", func(t *testing.T, f *os.File, last, end int64) { flipByte(t, f, end-3) }, false},
		// A file system may extend a file with zeros that were never written.
		{"zeros after the last batch", func(t *testing.T, f *os.File, last, end int64) { writeAt(t, f, end, make([]byte, 4096)) }, true},
		{"a header after the last batch claiming more than the file", func(t *testing.T, f *os.File, last, end int64) {
			h := binary.BigEndian.AppendUint64(nil, 1000) // a plausible base offset
			h = binary.BigEndian.AppendUint32(h, 1<<20)   // longer than what follows
			writeAt(t, f, end, append(h, make([]byte, 100)...))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const topic = "torn"
			// Small segments: the damaged one is not the only one.
			b := startBroker(t, withOverride("log.segment.bytes=16384"))
			createTopic(t, newClient(t, b.Addr()), topic, 1)
			var produced []*kgo.Record
			for i := range 12 {
				produced = append(produced, produceSync(t, b.Addr(), kgo.NoCompression(), tornRecords(topic, i))...)
			}
			b.Kill()

			path := newestSegment(t, filepath.Join(b.dir, topic+"-0"))
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			last, end, lastBase := lastBatch(t, f)
			tc.tear(t, f, last, end)
			f.Close()

			b.Start()
			want := produced
			if !tc.keepsLast {
				want = slices.DeleteFunc(slices.Clone(produced), func(r *kgo.Record) bool { return r.Offset >= lastBase })
			}
			s := snapshot(t, b, topic, 1)
			if s.ends[0] != int64(len(want)) {
				t.Errorf("end offset %d after recovery, want %d", s.ends[0], len(want))
			}
			checkSnapshot(t, "after recovery", s, want)
			more := produceSync(t, b.Addr(), kgo.NoCompression(), tornRecords(topic, 99))
			if more[0].Offset != int64(len(want)) {
				t.Errorf("first append after recovery at offset %d, want %d", more[0].Offset, len(want))
			}
		})
	}
}

// tornRecords is one batch of 8 records of about 300 bytes each.
func tornRecords(topic string, batch int) []*kgo.Record {
	var rs []*kgo.Record
	for i := range 8 {
		rs = append(rs, &kgo.Record{
			Topic: topic,
			Key:   fmt.Appendf(nil, "b%d-r%d", batch, i),
			Value: fmt.Appendf(nil, "batch %d record %d %s", batch, i, strings.Repeat("t", 280)),
		})
	}
	return rs
}

// newestSegment is the active segment: the .log file with the highest
// base offset, which is the last name in lexical order.
func newestSegment(t *testing.T, dir string) string {
	t.Helper()
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil || len(logs) == 0 {
		entries, _ := os.ReadDir(filepath.Dir(dir))
		t.Fatalf("no segment files in %s (%v); data dir holds %v", dir, err, entries)
	}
	if len(logs) < 2 {
		t.Logf("only one segment: %v", logs)
	}
	slices.Sort(logs)
	return logs[len(logs)-1]
}

// lastBatch walks the batch headers of a segment file and returns where
// its last batch starts and ends and that batch's base offset.
func lastBatch(t *testing.T, f *os.File) (start, end, base int64) {
	t.Helper()
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	start = -1
	for pos := int64(0); pos < int64(len(data)); {
		if pos+12 > int64(len(data)) {
			t.Fatalf("%s: %d stray bytes after the batch at %d", f.Name(), int64(len(data))-pos, start)
		}
		length := int64(int32(binary.BigEndian.Uint32(data[pos+8:])))
		if length <= 0 || pos+12+length > int64(len(data)) {
			t.Fatalf("%s: bad batch length %d at byte %d of %d", f.Name(), length, pos, len(data))
		}
		start, base = pos, int64(binary.BigEndian.Uint64(data[pos:]))
		pos += 12 + length
		end = pos
	}
	if start < 0 {
		t.Fatalf("%s is empty: the active segment should hold the last batch", f.Name())
	}
	return start, end, base
}

func truncate(t *testing.T, f *os.File, size int64) {
	t.Helper()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, f *os.File, off int64, b []byte) {
	t.Helper()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func flipByte(t *testing.T, f *os.File, off int64) {
	t.Helper()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	writeAt(t, f, off, []byte{^b[0]})
}
