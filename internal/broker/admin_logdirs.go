package broker

import (
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"golang.org/x/sys/unix"
)

// LogDir describes the broker's one log directory, the data directory.
type LogDir struct {
	Path        string // absolute
	Err         error  // the directory cannot be described
	TotalBytes  int64  // of its file system
	UsableBytes int64  // available to the broker
	Topics      []LogDirTopic
}

// LogDirTopic is one topic's partitions in the log directory.
type LogDirTopic struct {
	Topic      string
	Partitions []LogDirPartition
}

// LogDirPartition is one partition's log.
type LogDirPartition struct {
	Partition int32
	Size      int64 // bytes of its segments
	// OffsetLag is how far the log end is past the high watermark: always
	// 0 with one replica. No log here is ever a "future" log (one being
	// moved to another directory).
	OffsetLag int64
}

// DescribeLogDirs describes the log directory with the partitions asked
// for (nil: every partition); unknown ones are left out, as are topics
// with none of their partitions asked for.
func (b *Broker) DescribeLogDirs(want map[string][]int32) LogDir {
	dir := LogDir{Path: b.dataDir, TotalBytes: -1, UsableBytes: -1}
	if abs, err := filepath.Abs(b.dataDir); err == nil {
		dir.Path = abs
	}
	total, usable, err := volumeBytes(dir.Path)
	if err != nil {
		dir.Err = errorf(kerr.KafkaStorageError, "log directory %s: %v", dir.Path, err)
		return dir
	}
	dir.TotalBytes, dir.UsableBytes = total, usable
	for _, t := range b.topicsSorted() {
		lt := LogDirTopic{Topic: t.name}
		for _, p := range t.partitions {
			if want == nil || slices.Contains(want[t.name], p.Index) {
				lt.Partitions = append(lt.Partitions, LogDirPartition{Partition: p.Index, Size: p.Size()})
			}
		}
		if len(lt.Partitions) > 0 {
			dir.Topics = append(dir.Topics, lt)
		}
	}
	return dir
}

func (b *Broker) topicsSorted() []*topic {
	b.mu.RLock()
	out := make([]*topic, 0, len(b.topics))
	for _, t := range b.topics {
		out = append(out, t)
	}
	b.mu.RUnlock()
	slices.SortFunc(out, func(a, b *topic) int { return strings.Compare(a.name, b.name) })
	return out
}

// volumeBytes is the size of path's file system and the bytes an
// unprivileged writer may still use there, as Java's FileStore reports
// them (total and usable space).
func volumeBytes(path string) (total, usable int64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, 0, err
	}
	bsize := uint64(st.Bsize)
	return clampBytes(uint64(st.Blocks) * bsize), clampBytes(uint64(st.Bavail) * bsize), nil
}

// clampBytes maps sizes beyond int64 to its maximum, as Kafka does for
// very large file systems.
func clampBytes(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}
