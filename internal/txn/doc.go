// Package txn is the transaction coordinator: it owns every transactional
// id's producer id and epoch, the partitions of its ongoing transaction and
// the two-phase end of that transaction, as Apache Kafka 4.x's
// TransactionCoordinator does for clients of transaction protocol v1
// (explicit AddPartitionsToTxn). Front ends call it with plain values and
// map its kerr errors onto their responses.
//
// # A transactional id's states
//
//	InitProducerId: new producer id or epoch+1
//	        │
//	        ▼
//	    ┌───────┐ AddPartitionsToTxn / AddOffsetsToTxn ┌─────────┐
//	    │ Empty │─────────────────────────────────────▶│ Ongoing │◀─┐ more partitions
//	    └───────┘                                      └─────────┘──┘
//	        ▲                                  EndTxn │  │ timeout, or InitProducerId of
//	        │                              commit/abort│  │ a new producer (epoch+1: fenced)
//	        │                                          ▼  ▼
//	  InitProducerId                    PrepareCommit / PrepareAbort   (persisted: the decision)
//	        │                                          │ markers written to every partition
//	        │                                          ▼
//	        └────────────────────────── CompleteCommit / CompleteAbort ──▶ AddPartitions: Ongoing
//
// Every transition is persisted through Store before it is acted on or
// answered. The decision (Prepare*) is durable before any marker is
// written, so after a crash New finishes what was decided: a transaction
// loaded in PrepareCommit or PrepareAbort is completed by writing its
// markers again (a marker written twice is harmless). Ongoing transactions
// loaded at start keep running and time out as any other.
//
// Markers are written synchronously by EndTxn (through Markers, which
// appends a control batch to each partition and fsyncs it), so the client's
// next transaction never sees CONCURRENT_TRANSACTIONS in the normal case.
// If writing them fails, the decision stays in Prepare* and the background
// loop retries; requests meanwhile get CONCURRENT_TRANSACTIONS, which
// clients retry.
//
// # Concurrency
//
// Each transactional id has its own mutex, held across its store writes and
// marker writes so its transitions are ordered; the coordinator's mutex
// guards only the maps and is never held while a transaction's is taken
// for long (lock order: txn.mu, then Coordinator.mu).
//
// Not implemented: transaction protocol v2 (KIP-890 part 2: implicit
// partition adds and an epoch bump per transaction); clients use v1 because
// the broker does not advertise the transaction.version feature.
package txn
