package cli

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// produceStats counts what the broker acknowledged and what failed; the
// produce callbacks update it from franz-go's goroutines.
type produceStats struct {
	topic string
	mu    sync.Mutex
	sent  int64 // records acknowledged
	bytes int64 // their keys, values and headers
	parts map[int32]int64
	fails int64
	first error // the first failure, the one reported

	pending  int64     // handed to franz-go, not yet acknowledged or failed
	progress time.Time // last acknowledgement, or when pending left zero
	stalled  bool      // the watchdog gave up on the broker
}

func newProduceStats(topic string) *produceStats {
	return &produceStats{topic: topic, parts: map[int32]int64{}}
}

// add counts a record about to be produced.
func (st *produceStats) add() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pending == 0 {
		st.progress = time.Now() // idle until now: waiting on input, not on the broker
	}
	st.pending++
}

// done is the kgo promise of every record.
func (st *produceStats) done(r *kgo.Record, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.pending--
	st.progress = time.Now()
	if err != nil {
		st.fails++
		if st.first == nil {
			st.first = err
		}
		return
	}
	st.sent++
	st.bytes += recordBytes(r)
	st.parts[r.Partition]++
}

func recordBytes(r *kgo.Record) int64 {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return int64(n)
}

func (st *produceStats) err() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fails == 0 {
		return nil
	}
	if st.stalled {
		return fmt.Errorf("%d of %s failed: no acknowledgement from the broker within the --timeout", st.fails, plural(st.fails+st.sent, "record"))
	}
	return fmt.Errorf("%d of %s failed; first error: %w", st.fails, plural(st.fails+st.sent, "record"), st.first)
}

// summary is the text form: "produced 3 records (42 B) to orders: p0=2 p1=1".
func (st *produceStats) summary() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var parts []string
	for _, p := range st.partitions() {
		parts = append(parts, fmt.Sprintf("p%d=%d", p, st.parts[p]))
	}
	s := fmt.Sprintf("produced %s (%s) to %s", plural(st.sent, "record"), humanBytes(st.bytes), st.topic)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, " ")
	}
	return s
}

func (st *produceStats) partitions() []int32 {
	ps := make([]int32, 0, len(st.parts))
	for p := range st.parts {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}

type produceSummary struct {
	Topic      string           `json:"topic"`
	Records    int64            `json:"records"`
	Bytes      int64            `json:"bytes"`
	Partitions map[string]int64 `json:"partitions"`
	Failed     int64            `json:"failed"`
	Error      *string          `json:"error"`
}

func (st *produceStats) print(s *session) error {
	if !s.g.json {
		fmt.Fprintf(s.env.Stderr, "samsa: %s\n", st.summary())
		return nil
	}
	st.mu.Lock()
	sum := produceSummary{st.topic, st.sent, st.bytes, map[string]int64{}, st.fails, errString(st.first)}
	for p, n := range st.parts {
		sum.Partitions[fmt.Sprint(p)] = n
	}
	st.mu.Unlock()
	return writeJSON(s.env.Stdout, sum)
}

// watchStall closes cl when records wait and none has been acknowledged
// for timeout: franz-go would otherwise retry forever against a dead
// broker, failing them only on close. (Its RecordDeliveryTimeout counts
// from each record's timestamp, which JSON input may set in the past, so
// it would fail those at once.) The returned func stops the watch.
func (st *produceStats) watchStall(cl *kgo.Client, timeout time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(max(timeout/10, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if st.checkStall(timeout) {
					cl.Close() // fails every buffered record
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

func (st *produceStats) checkStall(timeout time.Duration) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pending > 0 && time.Since(st.progress) > timeout {
		st.stalled = true
	}
	return st.stalled
}

func (st *produceStats) isStalled() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.stalled
}

// showProgress rewrites one stderr line every second while producing, if
// stderr is a terminal; the returned func stops it and clears the line.
func (st *produceStats) showProgress(env *Env) (stop func()) {
	if !env.Interactive {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(env.Stderr, "\r\x1b[K")
				return
			case <-tick.C:
				fmt.Fprintf(env.Stderr, "\r\x1b[K%s, %.0f/s ...", st.summary(), st.rate(start))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// rate is acknowledged records per second since start.
func (st *produceStats) rate(start time.Time) float64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return float64(st.sent) / time.Since(start).Seconds()
}

// humanBytes is a size in B, KiB, MiB or GiB with one decimal.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 2; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMG"[exp])
}

// plural is "1 record", "2 records".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
