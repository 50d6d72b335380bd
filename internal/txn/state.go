package txn

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// State is a transaction's state; the values are Kafka's, as stored in
// __transaction_state and shown by DescribeTransactions.
type State int8

const (
	Empty State = iota
	Ongoing
	PrepareCommit
	PrepareAbort
	CompleteCommit
	CompleteAbort
	Dead
	PrepareEpochFence
)

var stateNames = [...]string{"Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort", "Dead", "PrepareEpochFence"}

func (s State) String() string {
	if int(s) < len(stateNames) && s >= 0 {
		return stateNames[s]
	}
	return "Unknown"
}

// ParseState is String's inverse.
func ParseState(name string) (State, bool) {
	i := slices.Index(stateNames[:], name)
	return State(i), i >= 0
}

// TopicPartition names a partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Snapshot is a transactional id's persisted state (Kafka's
// TransactionLogValue).
type Snapshot struct {
	ID            string
	ProducerID    int64
	ProducerEpoch int16
	Timeout       time.Duration
	State         State
	Partitions    []TopicPartition // sorted
	LastUpdate    int64            // unix ms
	Start         int64            // unix ms the transaction began; -1 when none

	// Transaction protocol v2 (KIP-890), Kafka's tagged fields:
	// PrevProducerID is the producer id before an epoch overflow moved the
	// id to a new one, NextProducerID the one a decided transaction moves
	// to when it completes (-1: none); V2 is set once the producer ended a
	// transaction with protocol v2.
	PrevProducerID int64
	NextProducerID int64
	V2             bool
}

// txn is one transactional id. Everything below mu is guarded by it.
type txn struct {
	id string

	mu         sync.Mutex
	pid        int64
	epoch      int16
	lastEpoch  int16 // the epoch before the last InitProducerId bump, for retries
	timeout    time.Duration
	state      State
	partitions map[TopicPartition]struct{}
	lastUpdate int64
	start      int64
	prevPID    int64 // see Snapshot
	nextPID    int64
	v2         bool
	timedOut   bool // the last transaction was aborted on timeout (KIP-588); not persisted
	removed    bool // expired or never persisted: look the id up again
}

func (t *txn) snapshotLocked() Snapshot {
	parts := slices.SortedFunc(maps.Keys(t.partitions), compareTP)
	return Snapshot{
		ID: t.id, ProducerID: t.pid, ProducerEpoch: t.epoch, Timeout: t.timeout, State: t.state,
		Partitions: parts, LastUpdate: t.lastUpdate, Start: t.start,
		PrevProducerID: t.prevPID, NextProducerID: t.nextPID, V2: t.v2,
	}
}

func (t *txn) restoreLocked(s Snapshot) {
	t.pid, t.epoch, t.timeout, t.state = s.ProducerID, s.ProducerEpoch, s.Timeout, s.State
	t.lastUpdate, t.start = s.LastUpdate, s.Start
	t.prevPID, t.nextPID, t.v2 = s.PrevProducerID, s.NextProducerID, s.V2
	t.partitions = make(map[TopicPartition]struct{}, len(s.Partitions))
	for _, tp := range s.Partitions {
		t.partitions[tp] = struct{}{}
	}
}

func compareTP(a, b TopicPartition) int {
	return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
}

// completing reports whether the transaction's end was decided but its
// markers are not all written.
func (s State) completing() bool {
	return s == PrepareCommit || s == PrepareAbort || s == PrepareEpochFence
}
