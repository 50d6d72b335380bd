// Package partition is one partition's state above its log: it assigns
// offsets, stamps broker-owned batch fields, moves the high watermark,
// group-commits fsyncs for acks=all, and wakes fetches waiting for data.
// It is also the partition leader's side of Kafka's idempotent and
// transactional producers (producers.go, txn.go): producer state,
// transaction markers, the last stable offset and the aborted transaction
// index (txnindex.go) that read_committed fetches use.
//
// For topics whose cleanup.policy includes compact it is also the log
// cleaner's per-partition half (cleaner.go): it decides what compaction
// keeps (the latest record per key, tombstones until delete.retention.ms,
// transactional data by Kafka's rules) and commitlog rewrites the segments.
//
// Appends (data and markers) are serialized by the partition; reads run
// concurrently with them and never see past the high watermark, or the
// last stable offset for read_committed. With a single replica the high
// watermark is the log end offset once the write has reached the OS, as in
// Kafka with replication factor 1.
//
// Files in the partition directory besides the log's (see commitlog):
//
//	00000000000000001500.snapshot   producer state at offset 1500 (snapshot.go)
//	aborted.txnindex                aborted transactions (txnindex.go)
//	cleaner.checkpoint              where the last cleaning stopped (cleancheckpoint.go)
package partition
