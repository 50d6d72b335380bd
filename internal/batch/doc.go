// Package batch handles Kafka record batches of format v2 (magic 2), the unit
// that producers send, the log stores and consumers fetch. The broker stores
// batches exactly as the client sent them; this package checks them (Validate)
// and edits the few broker-owned header fields in place (SetBaseOffset,
// SetPartitionLeaderEpoch, SetLogAppendTime).
//
// # Header
//
// All integers are big-endian. The CRC is a CRC-32C (Castagnoli) of every
// byte from attributes (offset 21) to the end of the batch, so the broker can
// set baseOffset and partitionLeaderEpoch without touching it; batchLength
// counts the bytes after itself (the batch is batchLength+12 bytes long).
//
//	offset  size
//	     0     8  baseOffset            int64   set by the broker on append
//	     8     4  batchLength           int32   bytes that follow this field
//	    12     4  partitionLeaderEpoch  int32   set by the broker on append
//	    16     1  magic                 int8    always 2
//	    17     4  crc                   uint32  CRC-32C of bytes [21, end)
//	 -- crc covers from here --------------------------------------------
//	    21     2  attributes            int16   see below
//	    23     4  lastOffsetDelta       int32   recordCount-1
//	    27     8  baseTimestamp         int64
//	    35     8  maxTimestamp          int64   broker sets it for LogAppendTime
//	    43     8  producerId            int64   -1: not idempotent
//	    51     2  producerEpoch         int16
//	    53     4  baseSequence          int32
//	    57     4  recordCount           int32
//	    61     -  records               (compressed as a whole if codec != none)
//
// Attributes:
//
//	bit 0-2  codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
//	bit 3    timestamp type: 0 CreateTime, 1 LogAppendTime
//	bit 4    transactional
//	bit 5    control batch (transaction markers; never from clients)
//	bit 6    delete horizon set (written by the log cleaner)
//
// # Records
//
// After decompression the records follow one another with no framing but
// their own length. Varints are zigzag encoded (protobuf sint32/sint64); a
// negative byte length means null.
//
//	length          varint   bytes of the record after this field
//	attributes      int8     unused
//	timestampDelta  varlong  from baseTimestamp
//	offsetDelta     varint   from baseOffset; record i has delta i
//	keyLength       varint   -1: null key
//	key             bytes
//	valueLength     varint   -1: null value
//	value           bytes
//	headerCount     varint
//	headers         headerCount times:
//	                  keyLength varint, key bytes (never null),
//	                  valueLength varint, value bytes (-1: null)
//
// # Errors
//
// Every error from Validate, Verify, ParseHeader, Iter and Decompress wraps
// the kerr value Kafka 4 answers a produce request with, so callers test it
// with errors.Is(err, kerr.CorruptMessage) and the Kafka front end puts the
// code on the wire unchanged:
//
//	CORRUPT_MESSAGE  short batch or batchLength disagreeing with its size,
//	                 magic outside 0..2, CRC mismatch, unknown codec,
//	                 records that cannot be decompressed or decompress to
//	                 more than MaxUncompressed bytes
//	INVALID_RECORD   magic 0 or 1, baseOffset != 0, bad offset range or
//	                 record count, control batch, producerId without
//	                 baseSequence, malformed records, record i with
//	                 offsetDelta != i, bytes left over after the records
package batch
