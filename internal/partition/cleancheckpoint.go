package partition

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

// The cleaner checkpoint is where the last cleaning stopped, Kafka's
// cleaner-offset-checkpoint entry for the partition, kept in the partition
// directory as cleaner.checkpoint (25 bytes, big-endian, replaced
// atomically: temporary file, fsync, rename, directory fsync):
//
//	+--------+---------+------------+-------------+--------+
//	| "SLCC" | version | firstDirty | nextHorizon | crc32c |
//	|   4    |  1 (=1) |   int64    |    int64    | uint32 |
//	+--------+---------+------------+-------------+--------+
//
// firstDirty is the first offset not yet cleaned: the cleaned part of the
// log lies below it. nextHorizon is the earliest delete horizon (ms) of a
// tombstone or transaction marker the last cleaning kept, -1 if none: the
// cleaner runs again at that time to remove it even if nothing new was
// written. The crc (Castagnoli) covers the 21 bytes before it. A missing
// or corrupt checkpoint means the whole log is dirty, which costs one
// cleaning of the whole log and nothing else.

const (
	cleanCheckpointName    = "cleaner.checkpoint"
	cleanCheckpointMagic   = "SLCC"
	cleanCheckpointVersion = 1
	cleanCheckpointLen     = 25
)

type cleanCheckpoint struct {
	firstDirty  int64
	nextHorizon int64
}

var errBadCleanCheckpoint = errors.New("partition: corrupt cleaner checkpoint")

func (c cleanCheckpoint) marshal() []byte {
	be := binary.BigEndian
	b := append([]byte(cleanCheckpointMagic), cleanCheckpointVersion)
	b = be.AppendUint64(b, uint64(c.firstDirty))
	b = be.AppendUint64(b, uint64(c.nextHorizon))
	return be.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func unmarshalCleanCheckpoint(b []byte) (cleanCheckpoint, error) {
	be := binary.BigEndian
	if len(b) != cleanCheckpointLen || string(b[:4]) != cleanCheckpointMagic || b[4] != cleanCheckpointVersion ||
		be.Uint32(b[21:]) != crc32.Checksum(b[:21], castagnoli) {
		return cleanCheckpoint{}, errBadCleanCheckpoint
	}
	c := cleanCheckpoint{firstDirty: int64(be.Uint64(b[5:])), nextHorizon: int64(be.Uint64(b[13:]))}
	if c.firstDirty < 0 || c.nextHorizon < -1 {
		return cleanCheckpoint{}, errBadCleanCheckpoint
	}
	return c, nil
}

// readCleanCheckpoint returns ok == false when there is no usable
// checkpoint; err reports only why one could not be read or used.
func readCleanCheckpoint(dir string) (c cleanCheckpoint, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, cleanCheckpointName))
	if errors.Is(err, fs.ErrNotExist) {
		return cleanCheckpoint{}, false, nil
	}
	if err != nil {
		return cleanCheckpoint{}, false, fmt.Errorf("partition: %w", err)
	}
	c, err = unmarshalCleanCheckpoint(b)
	return c, err == nil, err
}

func writeCleanCheckpoint(dir string, c cleanCheckpoint) error {
	if err := atomicfile.Write(filepath.Join(dir, cleanCheckpointName), c.marshal()); err != nil {
		return fmt.Errorf("partition: cleaner checkpoint: %w", err)
	}
	return nil
}
