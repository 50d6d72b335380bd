// Package clients holds end-to-end tests that drive a real Samsa broker
// (samsatest.Start) with the three common Go Kafka clients: franz-go (kgo,
// kadm and raw kmsg requests), IBM Sarama and segmentio kafka-go.
//
// Every test starts its own broker in a temporary directory and asserts
// Apache Kafka's behaviour, not Samsa's: a failure here is a compatibility
// bug in the broker unless the test says otherwise. Plain produce tests
// disable idempotence so that a test controls every retry; the txn tests
// use idempotent and transactional producers.
//
// Files:
//
//	helpers_test.go   record model, generator, comparison, kgo helpers
//	franz_test.go     kgo produce/consume: codecs x protocol versions, acks,
//	                  message size limits, tailing the log
//	sarama_test.go    Sarama producer/consumer (codecs x versions), ClusterAdmin
//	kafkago_test.go   kafka-go Writer/Reader/Conn
//	admin_test.go     kadm topic admin, metadata, auto-creation, DescribeCluster
//	offsets_test.go   ListOffsets: start, end, by timestamp, max timestamp
//	restart_test.go   close and reopen the same data directory
//	fetch_test.go     raw Fetch semantics: long poll, limits, sessions, ids,
//	                  offsets out of range, leader epochs, LogAppendTime
//	group_*_test.go   consumer groups: kgo with every balancer under churn and
//	                  crashes, Sarama, kafka-go, static membership, restarts,
//	                  error answers and kadm group admin, KIP-848 and
//	                  online protocol migration
//	txn_franz_test.go kgo transactions under transaction.version 1 and 2:
//	                  isolation levels, fencing
//	txn_eos_test.go   GroupTransactSession exactly-once pipeline under churn,
//	                  a mid-transaction crash and a broker restart
//	txn_sarama_test.go Sarama transactions: commit/abort, consume-transform-
//	                  produce, pending offsets, fencing
//	configs_test.go   DescribeConfigs/AlterConfigs/IncrementalAlterConfigs via
//	                  kadm and Sarama, live effects, persistence
//	compaction_test.go kgo on a compacted topic: latest per key, tombstones,
//	                  groups resuming past removed ranges
//	retention_test.go retention by time and size, kadm DeleteRecords
//	admin_more_test.go the single-replica admin APIs and client quotas
package clients
