// Package commitlog is the on-disk log of one partition: Kafka's UnifiedLog
// and LocalLog for a single replica. It appends record batches (v2), reads
// them back by offset and by timestamp, survives crashes, applies
// retention, and rewrites its oldest segments for the log cleaner
// (compaction) through a filter the caller supplies. Batches are stored byte
// for byte as given (or as that filter rewrote them); the log reads only
// their headers.
//
// # Files
//
// A partition directory holds segments, each named by the offset of its first
// batch zero-padded to 20 digits as Kafka names them, and one checkpoint:
//
//	<dir>/
//	  00000000000000000000.log         batches with offsets [0, 1500)
//	  00000000000000000000.index
//	  00000000000000000000.timeindex
//	  00000000000000001500.log         the active segment: appends go here
//	  00000000000000001500.index
//	  00000000000000001500.timeindex
//	  commitlog.checkpoint
//
// A .log file is batches back to back, nothing else. Of each batch the log
// reads the v2 header fields marked here (big-endian):
//
//	 0         8          12            16      17     21          23              27
//	+----------+----------+-------------+-------+------+-----------+---------------+--
//	|baseOffset|batchLen  |leaderEpoch  | magic | crc  |attributes |lastOffsetDelta| ...
//	|  int64 * |  int32 * |   int32     |int8=2*|u32 * |  int16    |   int32 *     |
//	+----------+----------+-------------+-------+------+-----------+---------------+--
//	  27            35             43                                              61
//	--+-------------+--------------+--------------------------------------------+---------
//	  |baseTimestamp|maxTimestamp *| producerId, producerEpoch, baseSequence,  | records
//	  |    int64    |    int64     | recordCount                                | ...
//	--+-------------+--------------+--------------------------------------------+---------
//
// The whole batch is batchLen+12 bytes; crc is the CRC32C (Castagnoli) of
// bytes [21, end). Offsets are dense: each batch's baseOffset is the
// previous batch's baseOffset+lastOffsetDelta+1, except below the
// checkpoint's gapsBelow, where the cleaner may have removed batches.
// Segments have no gaps between them: each ends with the batch just before
// the next segment's base offset.
//
// A .index file is the sparse offset index, 8-byte entries in batch order:
//
//	+-----------------------+-----------------------+
//	| relativeOffset uint32 | position uint32       |   relativeOffset = a batch's last offset
//	+-----------------------+-----------------------+                    - the segment's base offset
//	                                                    position = that batch's byte position in .log
//
// A batch gets an entry when more than IndexIntervalBytes of log were
// appended since the previous entry (Kafka's rule, so the first batch of a
// segment never has one).
//
// A .timeindex file is the sparse time index, 12-byte entries:
//
//	+-------------------+-----------------------+
//	| timestamp int64   | relativeOffset uint32 |   the largest batch maxTimestamp so far in the
//	+-------------------+-----------------------+   segment, and the batch (by last offset) that
//	                                                first reached it
//
// Entries are added alongside offset index entries when the largest
// timestamp grew, so timestamps strictly increase; a sealed segment's last
// entry holds its largest timestamp. Both index files are plain append-only
// files, without Kafka's preallocation.
//
// The checkpoint is 34 bytes, replaced atomically (write commitlog.checkpoint.tmp,
// fsync, rename, fsync the directory):
//
//	+--------+---------+-------+-------------+---------------+-----------+--------+
//	| "SLCK" | version | flags | startOffset | recoveryPoint | gapsBelow | crc32c |
//	|   4    |  1 (=2) |   1   |   int64     |    int64      |   int64   | uint32 |
//	+--------+---------+-------+-------------+---------------+-----------+--------+
//
// flags bit 0 marks a clean shutdown. Every offset below recoveryPoint was
// fsynced. Offsets below gapsBelow may skip, as the cleaner left them; from
// it on they are dense, and recovery takes a jump for damage. The crc
// (Castagnoli) covers the 30 bytes before it; a checkpoint that fails it is
// ignored and the whole log is scanned, allowing gaps anywhere. Version 1
// (26 bytes, without gapsBelow) is read as gapsBelow 0.
//
// While the cleaner (clean.go, Kafka's log compaction) rewrites a group of
// segments, the new segment is written as <base>.log.cleaned (and
// .index.cleaned, .timeindex.cleaned), then renamed to .swap (the commit
// point), then to its final names once the old segments are unlinked.
// Open deletes .cleaned files and completes .swap ones (swap.go).
//
// # Durability
//
// Append writes with pwrite(2) and returns; Sync fsyncs. Callers group-commit:
// many Appends, one Sync, acknowledging acks=all produces after it. Recovery
// (recovery.go) keeps every fsynced batch and truncates the log at the first
// torn or corrupt batch after the recovery point.
//
// Memory: each segment that was read keeps its index entries in memory
// (20 bytes per IndexIntervalBytes of log at most), and every segment keeps
// three files open.
package commitlog
