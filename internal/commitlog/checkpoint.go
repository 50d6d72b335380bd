package commitlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/samsa-streaming/samsa/internal/atomicfile"
)

const (
	checkpointName    = "commitlog.checkpoint"
	checkpointMagic   = "SLCK"
	checkpointVersion = 2
	checkpointLen     = 34
	checkpointV1Len   = 26 // version 1 had no gapsBelow
	flagClean         = 1 << 0
)

// checkpoint is what the log persists besides segments. The clean flag is
// the clean-shutdown marker: Close writes it, Open clears it (by rewriting
// the checkpoint) before it touches anything, so a crash at any later moment
// leaves it unset. Keeping it in the same atomically replaced file as the
// recovery point means the two can never disagree.
type checkpoint struct {
	startOffset   int64
	recoveryPoint int64 // every offset below it was fsynced
	// gapsBelow: offsets below it may skip (the cleaner rewrote them);
	// from it on they are dense, and recovery treats a jump as damage.
	gapsBelow int64
	clean     bool
}

func (c checkpoint) marshal() []byte {
	b := make([]byte, 0, checkpointLen)
	b = append(b, checkpointMagic...)
	var flags byte
	if c.clean {
		flags |= flagClean
	}
	b = append(b, checkpointVersion, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(c.startOffset))
	b = binary.BigEndian.AppendUint64(b, uint64(c.recoveryPoint))
	b = binary.BigEndian.AppendUint64(b, uint64(c.gapsBelow))
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// unmarshalCheckpoint reads version 2, or version 1 (no gaps anywhere).
func unmarshalCheckpoint(b []byte) (checkpoint, error) {
	if len(b) < 5 || string(b[:4]) != checkpointMagic {
		return checkpoint{}, corruptf("checkpoint: bad length or magic")
	}
	v1 := b[4] == 1 && len(b) == checkpointV1Len
	if !v1 && (b[4] != checkpointVersion || len(b) != checkpointLen) {
		return checkpoint{}, corruptf("checkpoint: bad length or version")
	}
	n := len(b) - 4 // the bytes the crc covers
	if crc32.Checksum(b[:n], castagnoli) != binary.BigEndian.Uint32(b[n:]) {
		return checkpoint{}, corruptf("checkpoint: crc mismatch")
	}
	c := checkpoint{
		startOffset:   int64(binary.BigEndian.Uint64(b[6:14])),
		recoveryPoint: int64(binary.BigEndian.Uint64(b[14:22])),
		clean:         b[5]&flagClean != 0,
	}
	if !v1 {
		c.gapsBelow = int64(binary.BigEndian.Uint64(b[22:30]))
	}
	if c.startOffset < 0 || c.recoveryPoint < 0 || c.gapsBelow < 0 {
		return checkpoint{}, corruptf("checkpoint: negative offset")
	}
	return c, nil
}

// readCheckpoint returns ok == false if there is no checkpoint; a corrupt
// one is an error the caller may treat the same way.
func readCheckpoint(dir string) (c checkpoint, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, checkpointName))
	if errors.Is(err, fs.ErrNotExist) {
		return checkpoint{}, false, nil
	}
	if err != nil {
		return checkpoint{}, false, fmt.Errorf("commitlog: read checkpoint: %w", err)
	}
	c, err = unmarshalCheckpoint(b)
	return c, err == nil, err
}

// writeCheckpoint replaces the checkpoint atomically: write a temporary
// file, fsync it, rename it over the old one, fsync the directory.
func writeCheckpoint(dir string, c checkpoint) error {
	if err := atomicfile.Write(filepath.Join(dir, checkpointName), c.marshal()); err != nil {
		return fmt.Errorf("commitlog: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("commitlog: fsync dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("commitlog: fsync dir %s: %w", dir, err)
	}
	return nil
}
