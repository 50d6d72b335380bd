package commitlog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRecovery writes batches across several segments, crashes, damages one
// file as the fuzzer chooses, and reopens. Open must succeed; the log must
// hold a prefix of what was written, at least every batch that lies wholly
// before the damage, each with a valid CRC; and appends must continue.
func FuzzRecovery(f *testing.F) {
	f.Add(uint8(20), uint8(0), uint8(2), uint32(250), []byte{})
	f.Add(uint8(20), uint8(1), uint8(0), uint32(470), []byte{0x5a})
	f.Add(uint8(30), uint8(2), uint8(1), uint32(0), []byte("garbage"))
	f.Add(uint8(30), uint8(3), uint8(3), uint32(61), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(uint8(10), uint8(4), uint8(1), uint32(0), make([]byte, 64))
	f.Add(uint8(25), uint8(0x12), uint8(0), uint32(9), []byte{1, 2, 3})
	f.Add(uint8(25), uint8(0x23), uint8(1), uint32(3), []byte{0xff})
	f.Add(uint8(25), uint8(0x30), uint8(1), uint32(5), []byte{0xff})
	f.Fuzz(func(t *testing.T, n, op, seg uint8, pos uint32, data []byte) {
		if len(data) > 4096 {
			data = data[:4096]
		}
		dir := t.TempDir()
		cfg := Config{SegmentBytes: 900, IndexIntervalBytes: 150}
		l, err := Open(dir, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		batches := appendBatches(t, l, batchSpec{
			n:       int(n % 48),
			records: func(i int) int { return 1 + i%4 },
			ts:      func(i int) int64 { return int64(1000 + 10*i - 25*(i%3)) },
			payload: func(i int) int { return (i * 53) % 260 },
		})
		// Where each batch lives, to know which ones the damage cannot touch.
		type place struct{ base, end int64 }
		places := make([]place, len(batches))
		var bases []int64
		for i, s := range l.segs {
			bases = append(bases, s.base)
			var pos int64
			for j, b := range batches {
				h := parseBatchHeader(b)
				if h.baseOffset >= s.base && (i == len(l.segs)-1 || h.baseOffset < l.segs[i+1].base) {
					pos += int64(len(b))
					places[j] = place{s.base, pos}
				}
			}
		}
		crash(l)

		base := bases[int(seg)%len(bases)]
		ext := []string{logExt, logExt, indexExt, timeIndexExt}[(op>>4)%4]
		path := segmentPath(dir, base, ext)
		if op>>4 >= 4 {
			path = filepath.Join(dir, checkpointName)
		}
		file, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cut := int64(len(file)) // damage starts here in that file
		at := int64(0)
		if len(file) > 0 {
			at = int64(pos) % int64(len(file))
		}
		switch op % 5 {
		case 0: // truncate
			file, cut = file[:at], at
		case 1: // flip bits
			if len(file) > 0 {
				x := byte(0xff)
				if len(data) > 0 && data[0] != 0 {
					x = data[0]
				}
				file[at] ^= x
				cut = at
			}
		case 2: // append
			file = append(file, data...)
		case 3: // overwrite
			copy(file[at:], data)
			cut = at
		case 4: // zero-extend, as a preallocating file system might
			file = append(file, make([]byte, 16*len(data))...)
		}
		writeFile(t, path, file)

		l, err = Open(dir, cfg, nil)
		if err != nil {
			t.Fatalf("Open after damage: %v", err)
		}
		defer l.Close()
		got := readAll(t, l, 0, 1000) // checks every CRC
		if len(got) > len(batches) {
			t.Fatalf("recovered %d batches, wrote %d", len(got), len(batches))
		}
		for i, b := range got {
			// The partition leader epoch [12:16] is outside the CRC: damage
			// there is invisible, in Kafka too.
			w := batches[i]
			if !bytes.Equal(b[:12], w[:12]) || !bytes.Equal(b[16:], w[16:]) {
				t.Fatalf("batch %d differs from what was written", i)
			}
		}
		safe := 0 // batches wholly before the damage
		for i := range batches {
			p := places[i]
			if ext == logExt && path != filepath.Join(dir, checkpointName) && (p.base > base || p.base == base && p.end > cut) {
				break
			}
			safe++
		}
		if len(got) < safe {
			t.Fatalf("recovered %d batches, but %d lie before the damage", len(got), safe)
		}
		appendBatches(t, l, batchSpec{n: 2})
	})
}
