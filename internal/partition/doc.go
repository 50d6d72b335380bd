// Package partition is one partition's state above its log: it assigns
// offsets, stamps broker-owned batch fields, moves the high watermark,
// group-commits fsyncs for acks=all, and wakes fetches waiting for data.
//
// Appends are serialized by the partition; reads run concurrently with them
// and never see past the high watermark. With a single replica the high
// watermark is the log end offset once the write has reached the OS, as in
// Kafka with replication factor 1.
package partition
