package partition

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"reflect"
	"testing"
)

// FuzzTxnIndex: decoding never fails on any bytes, keeps a prefix of whole
// entries, and that prefix encodes back to the same bytes. With fix set,
// every whole entry gets a right version and checksum first, so that the
// fuzzer reaches the order checks.
func FuzzTxnIndex(f *testing.F) {
	var good []byte
	for _, e := range []abortedEntry{{1, 0, 2, 1}, {2, 1, 6, 7}, {1, 9, 10, 11}} {
		good = appendTxnEntry(good, e)
	}
	for _, fix := range []bool{false, true} {
		f.Add(good, fix)
		f.Add(good[:len(good)-3], fix)
		f.Add(append(bytes.Clone(good), make([]byte, txnEntryLen)...), fix)
		f.Add([]byte{}, fix)
	}
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		for i := 0; fix && i+txnEntryLen <= len(b); i += txnEntryLen {
			e := b[i : i+txnEntryLen]
			binary.BigEndian.PutUint16(e, txnEntryVersion)
			binary.BigEndian.PutUint32(e[34:], crc32.Checksum(e[:34], castagnoli))
		}
		entries, n := decodeTxnIndex(b)
		if n > len(b) || n != len(entries)*txnEntryLen {
			t.Fatalf("%d entries in %d of %d bytes", len(entries), n, len(b))
		}
		var again []byte
		for _, e := range entries {
			again = appendTxnEntry(again, e)
		}
		if !bytes.Equal(again, b[:n]) {
			t.Fatal("decoded entries do not encode back to their bytes")
		}
	})
}

// FuzzSnapshot: unmarshalling never panics, and what it accepts marshals
// to a snapshot that reads back the same. With fix set, the version and
// checksum are made right first, so that the fuzzer reaches the entries.
func FuzzSnapshot(f *testing.F) {
	ps := producers{
		1: {Epoch: 4, LastTimestamp: 77, CoordinatorEpoch: 3, TxnFirstOffset: 11, Batches: []batchMeta{{1, 2, 10, 11, 70}, {3, 3, 12, 12, 77}}},
		9: {Epoch: 0, LastTimestamp: -1, CoordinatorEpoch: -1, TxnFirstOffset: -1},
	}
	good := marshalSnapshot(snapshot{producers: ps, abortedUpTo: 8})
	for _, fix := range []bool{false, true} {
		f.Add(good, fix)
		f.Add(good[:len(good)-1], fix)
		f.Add(marshalSnapshot(snapshot{producers: producers{}, abortedUpTo: -1}), fix)
	}
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		if fix && len(b) >= 6 {
			binary.BigEndian.PutUint16(b, snapshotVersion)
			binary.BigEndian.PutUint32(b[2:], crc32.Checksum(b[6:], castagnoli))
		}
		s, err := unmarshalSnapshot(b)
		if err != nil {
			return
		}
		again, err := unmarshalSnapshot(marshalSnapshot(s))
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("re-read %+v, %v; want %+v", again, err, s)
		}
	})
}

// FuzzCleanCheckpoint: decoding never panics, and what it accepts encodes
// back to the same bytes. With fix set, the magic, version and checksum
// are made right first, so that the fuzzer reaches the offsets.
func FuzzCleanCheckpoint(f *testing.F) {
	for _, fix := range []bool{false, true} {
		f.Add(cleanCheckpoint{firstDirty: 1234, nextHorizon: -1}.marshal(), fix)
		f.Add(cleanCheckpoint{firstDirty: 0, nextHorizon: 1_700_000_000_000}.marshal(), fix)
		f.Add([]byte("SLCC"), fix)
	}
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		if fix && len(b) == cleanCheckpointLen {
			copy(b, cleanCheckpointMagic)
			b[4] = cleanCheckpointVersion
			binary.BigEndian.PutUint32(b[21:], crc32.Checksum(b[:21], castagnoli))
		}
		c, err := unmarshalCleanCheckpoint(b)
		if err != nil {
			return
		}
		if c.firstDirty < 0 || c.nextHorizon < -1 {
			t.Fatalf("accepted %+v", c)
		}
		if again := c.marshal(); !bytes.Equal(again, b) {
			t.Fatalf("%+v encodes to %x, read from %x", c, again, b)
		}
	})
}
