package txn

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

type memStore struct {
	mu    sync.Mutex
	saved map[string]Snapshot
	fail  error
}

func (s *memStore) Save(snap Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.saved[snap.ID] = snap
	return nil
}

func (s *memStore) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.saved, id)
	return nil
}

type marker struct {
	pid    int64
	epoch  int16
	commit bool
	parts  []TopicPartition
}

type memMarkers struct {
	mu      sync.Mutex
	written []marker
	fail    error
}

func (m *memMarkers) WriteMarkers(pid int64, epoch int16, commit bool, parts []TopicPartition) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.written = append(m.written, marker{pid, epoch, commit, parts})
	return nil
}

func (m *memMarkers) last(t *testing.T) marker {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.written) == 0 {
		t.Fatal("no markers written")
	}
	return m.written[len(m.written)-1]
}

type fixture struct {
	c       *Coordinator
	store   *memStore
	markers *memMarkers
	now     time.Time
	nextPID int64
}

func newFixture(t *testing.T, loaded ...Snapshot) *fixture {
	f := &fixture{store: &memStore{saved: make(map[string]Snapshot)}, markers: &memMarkers{}, now: time.UnixMilli(1_000_000), nextPID: 100}
	for _, s := range loaded {
		f.store.saved[s.ID] = s
	}
	f.c = New(Options{
		Store: f.store, Markers: f.markers, Loaded: loaded,
		NewProducerID:      func() (int64, error) { f.nextPID++; return f.nextPID, nil },
		PartitionExists:    func(tp TopicPartition) bool { return tp.Topic != "missing" },
		Now:                func() time.Time { return f.now },
		AbortCheckInterval: time.Hour, // the tests run the passes themselves
	})
	t.Cleanup(f.c.Close)
	return f
}

var tpA, tpB = TopicPartition{"a", 0}, TopicPartition{"b", 1}

func mustInit(t *testing.T, c *Coordinator, id string, pid int64, epoch int16) (int64, int16) {
	t.Helper()
	p, e, err := c.InitProducerID(id, time.Minute, pid, epoch)
	if err != nil {
		t.Fatalf("InitProducerID(%s): %v", id, err)
	}
	return p, e
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) && !(got == nil && want == nil) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
}

func TestInitProducerID(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t1", -1, -1)
	if pid != 101 || epoch != 0 {
		t.Fatalf("new id: producer %d epoch %d, want 101 and 0", pid, epoch)
	}
	if s := f.store.saved["t1"]; s.ProducerID != pid || s.State != Empty || s.Timeout != time.Minute {
		t.Fatalf("persisted %+v", s)
	}
	pid2, epoch2 := mustInit(t, f.c, "t1", -1, -1)
	if pid2 != pid || epoch2 != 1 {
		t.Fatalf("second init: %d/%d, want %d/1", pid2, epoch2, pid)
	}
	// KIP-360: the current producer bumps; a retry of that call gets the
	// same answer; an older one is fenced.
	p3, e3 := mustInit(t, f.c, "t1", pid, 1)
	if p3 != pid || e3 != 2 {
		t.Fatalf("KIP-360 bump: %d/%d", p3, e3)
	}
	if p, e := mustInit(t, f.c, "t1", pid, 1); p != pid || e != 2 {
		t.Fatalf("retry of the bump: %d/%d, want %d/2", p, e, pid)
	}
	_, _, err := f.c.InitProducerID("t1", time.Minute, pid, 0)
	wantErr(t, "stale epoch", err, kerr.ProducerFenced)
	_, _, err = f.c.InitProducerID("", time.Minute, -1, -1)
	wantErr(t, "empty id", err, kerr.InvalidRequest)
	_, _, err = f.c.InitProducerID("t2", 16*time.Minute, -1, -1)
	wantErr(t, "timeout over the max", err, kerr.InvalidTransactionTimeout)
	if _, err := f.c.Describe("t2"); !errors.Is(err, kerr.TransactionalIDNotFound) {
		t.Fatalf("a refused init left state behind: %v", err)
	}
}

func TestCommitAndAbort(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	wantErr(t, "end without a transaction", endV1(f.c, "t", pid, epoch, true), kerr.InvalidTxnState)
	for _, err := range f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpB, tpA}) {
		wantErr(t, "add", err, nil)
	}
	wantErr(t, "verify added", f.c.Verify(pid, epoch, tpA), nil)
	wantErr(t, "verify not added", f.c.Verify(pid, epoch, TopicPartition{"c", 0}), kerr.InvalidTxnState)
	wantErr(t, "verify old epoch", f.c.Verify(pid, epoch-1, tpA), kerr.InvalidProducerEpoch)
	if s := f.store.saved["t"]; s.State != Ongoing || len(s.Partitions) != 2 || s.Start != f.now.UnixMilli() {
		t.Fatalf("persisted %+v", s)
	}
	wantErr(t, "commit", endV1(f.c, "t", pid, epoch, true), nil)
	m := f.markers.last(t)
	if !m.commit || m.pid != pid || m.epoch != epoch || !slices.Equal(m.parts, []TopicPartition{tpA, tpB}) {
		t.Fatalf("markers %+v", m)
	}
	if s := f.store.saved["t"]; s.State != CompleteCommit || len(s.Partitions) != 0 {
		t.Fatalf("persisted %+v", s)
	}
	wantErr(t, "commit retried", endV1(f.c, "t", pid, epoch, true), nil)
	wantErr(t, "abort after commit", endV1(f.c, "t", pid, epoch, false), kerr.InvalidTxnState)
	wantErr(t, "verify after the end", f.c.Verify(pid, epoch, tpA), kerr.InvalidTxnState)

	f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})
	wantErr(t, "abort", endV1(f.c, "t", pid, epoch, false), nil)
	if m := f.markers.last(t); m.commit || !slices.Equal(m.parts, []TopicPartition{tpA}) {
		t.Fatalf("abort markers %+v", m)
	}
	wantErr(t, "wrong producer id", endV1(f.c, "t", pid+1, epoch, false), kerr.InvalidProducerIDMapping)
	wantErr(t, "wrong epoch", endV1(f.c, "t", pid, epoch+1, false), kerr.ProducerFenced)
	wantErr(t, "unknown id", endV1(f.c, "nope", pid, epoch, false), kerr.InvalidProducerIDMapping)
}

func TestAddPartitionsErrors(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	errs := f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA, {"missing", 0}})
	wantErr(t, "known partition next to an unknown one", errs[0], kerr.OperationNotAttempted)
	wantErr(t, "unknown partition", errs[1], kerr.UnknownTopicOrPartition)
	if s := f.store.saved["t"]; s.State != Empty {
		t.Fatalf("a refused add changed the state: %+v", s)
	}
	wantErr(t, "unknown id", f.c.AddPartitions("x", pid, epoch, []TopicPartition{tpA})[0], kerr.InvalidProducerIDMapping)
	wantErr(t, "fenced", f.c.AddPartitions("t", pid, epoch+1, []TopicPartition{tpA})[0], kerr.ProducerFenced)
}

// TestFencingAbortsTheOngoingTransaction: a new producer of the same id
// aborts the old producer's transaction with a bumped epoch.
func TestFencingAbortsTheOngoingTransaction(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})
	pid2, epoch2 := mustInit(t, f.c, "t", -1, -1)
	m := f.markers.last(t)
	if m.commit || m.epoch != epoch+1 || !slices.Equal(m.parts, []TopicPartition{tpA}) {
		t.Fatalf("fencing markers %+v, want an abort at epoch %d", m, epoch+1)
	}
	if pid2 != pid || epoch2 != epoch+2 {
		t.Fatalf("new producer %d/%d, want %d/%d", pid2, epoch2, pid, epoch+2)
	}
	wantErr(t, "old producer adds", f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})[0], kerr.ProducerFenced)
	wantErr(t, "old producer commits", endV1(f.c, "t", pid, epoch, true), kerr.ProducerFenced)
}

func TestTimeoutAborts(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})
	f.now = f.now.Add(time.Minute)
	f.c.abortTimedOut()
	if s := f.store.saved["t"]; s.State != Ongoing {
		t.Fatalf("aborted at exactly the timeout: %+v", s)
	}
	f.now = f.now.Add(time.Millisecond)
	f.c.abortTimedOut()
	if s := f.store.saved["t"]; s.State != CompleteAbort || s.ProducerEpoch != epoch+1 {
		t.Fatalf("after the timeout: %+v", s)
	}
	wantErr(t, "timed-out producer commits", endV1(f.c, "t", pid, epoch, true), kerr.ProducerFenced)
}

// TestMarkersRetried: when markers cannot be written the decision stands,
// retries of EndTxn are CONCURRENT_TRANSACTIONS, and the background pass
// completes it.
func TestMarkersRetried(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})
	f.markers.fail = errors.New("disk full")
	wantErr(t, "commit", endV1(f.c, "t", pid, epoch, true), nil)
	if s := f.store.saved["t"]; s.State != PrepareCommit {
		t.Fatalf("persisted %+v", s)
	}
	wantErr(t, "commit retried", endV1(f.c, "t", pid, epoch, true), kerr.ConcurrentTransactions)
	wantErr(t, "add meanwhile", f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})[0], kerr.ConcurrentTransactions)
	f.markers.fail = nil
	f.c.completeDecided()
	if s := f.store.saved["t"]; s.State != CompleteCommit {
		t.Fatalf("after the retry: %+v", s)
	}
}

// TestLoadedDecisionsComplete: a transaction that was decided before a
// restart is completed by New.
func TestLoadedDecisionsComplete(t *testing.T) {
	f := newFixture(t, Snapshot{ID: "t", ProducerID: 7, ProducerEpoch: 3, Timeout: time.Minute, State: PrepareAbort,
		Partitions: []TopicPartition{tpB}, Start: 5, PrevProducerID: -1, NextProducerID: -1})
	if m := f.markers.last(t); m.commit || m.pid != 7 || m.epoch != 3 {
		t.Fatalf("markers %+v", m)
	}
	if s := f.store.saved["t"]; s.State != CompleteAbort {
		t.Fatalf("persisted %+v", s)
	}
	pid, epoch := mustInit(t, f.c, "t", 7, 3)
	if pid != 7 || epoch != 4 {
		t.Fatalf("init after restart: %d/%d", pid, epoch)
	}
}

func TestStoreFailureChangesNothing(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	f.store.fail = errors.New("disk gone")
	wantErr(t, "add", f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})[0], kerr.CoordinatorNotAvailable)
	_, _, err := f.c.InitProducerID("t", time.Minute, -1, -1)
	wantErr(t, "init", err, kerr.CoordinatorNotAvailable)
	f.store.fail = nil
	s, err := f.c.Describe("t")
	if err != nil || s.State != Empty || s.ProducerEpoch != epoch || len(s.Partitions) != 0 {
		t.Fatalf("state after failed writes: %+v, %v", s, err)
	}
}

func TestExpiryAndListing(t *testing.T) {
	f := newFixture(t)
	pid, _ := mustInit(t, f.c, "idle", -1, -1)
	p2, e2 := mustInit(t, f.c, "busy", -1, -1)
	f.c.AddPartitions("busy", p2, e2, []TopicPartition{tpA})
	if got := f.c.List(ListFilter{States: []State{Ongoing}, MinDurationMs: -1}); len(got) != 1 || got[0].ID != "busy" {
		t.Fatalf("ongoing: %+v", got)
	}
	if got := f.c.List(ListFilter{ProducerIDs: []int64{pid}, MinDurationMs: -1}); len(got) != 1 || got[0].ID != "idle" {
		t.Fatalf("by producer id: %+v", got)
	}
	f.now = f.now.Add(2 * time.Second)
	if got := f.c.List(ListFilter{States: []State{Ongoing}, MinDurationMs: 3000}); len(got) != 0 {
		t.Fatalf("duration filter: %+v", got)
	}
	f.now = f.now.Add(DefaultIDExpiration)
	f.c.expireIDs()
	if _, err := f.c.Describe("idle"); !errors.Is(err, kerr.TransactionalIDNotFound) {
		t.Fatalf("idle id not expired: %v", err)
	}
	if _, ok := f.store.saved["idle"]; ok {
		t.Fatal("expired id still persisted")
	}
	if _, err := f.c.Describe("busy"); err != nil {
		t.Fatalf("an ongoing transaction expired: %v", err)
	}
}

// endV1 is EndTxn with transaction protocol v1.
func endV1(c *Coordinator, id string, pid int64, epoch int16, commit bool) error {
	_, _, err := c.EndTxn(id, pid, epoch, commit, false)
	return err
}

// TestTimedOutProducerRecovers: after its transaction timed out, the
// producer claims the bumped epoch with InitProducerId and its old epoch
// (KIP-588); a producer fenced by a new one cannot.
func TestTimedOutProducerRecovers(t *testing.T) {
	f := newFixture(t)
	pid, epoch := mustInit(t, f.c, "t", -1, -1)
	f.c.AddPartitions("t", pid, epoch, []TopicPartition{tpA})
	f.now = f.now.Add(time.Minute + time.Millisecond)
	f.c.abortTimedOut()
	wantErr(t, "commit after the timeout", endV1(f.c, "t", pid, epoch, true), kerr.ProducerFenced)
	p2, e2 := mustInit(t, f.c, "t", pid, epoch)
	if p2 != pid || e2 != epoch+2 {
		t.Fatalf("recovering producer got %d/%d, want %d/%d", p2, e2, pid, epoch+2)
	}
	_, _, err := f.c.InitProducerID("t", time.Minute, pid, epoch)
	wantErr(t, "the old epoch again", err, kerr.ProducerFenced)

	f.c.AddPartitions("t", pid, e2, []TopicPartition{tpA})
	mustInit(t, f.c, "t", -1, -1) // a new producer fences the transaction
	_, _, err = f.c.InitProducerID("t", time.Minute, pid, e2)
	wantErr(t, "the fenced producer claims the epoch", err, kerr.ProducerFenced)
}
