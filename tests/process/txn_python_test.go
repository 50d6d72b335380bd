//go:build unix

package process

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Transactions through librdkafka (confluent-kafka-python), a client in
// its own process, against the built binary: a transactional producer's
// committed and aborted transactions as read_committed and
// read_uncommitted consumers see them, and consume-transform-produce with
// send_offsets_to_transaction in a consumer group. testdata/txn_client.py
// does the client side and prints JSON lines; the checks are here.

const txnScript = "txn_client.py"

// txnEvent is any line txn_client.py prints.
type txnEvent struct {
	Event     string           `json:"event"`
	Txn       int              `json:"txn"`
	Index     int              `json:"index"`
	End       string           `json:"end"`
	Partition int32            `json:"partition"`
	Offset    int64            `json:"offset"`
	Value     string           `json:"value"`
	Error     *string          `json:"error"`
	Code      string           `json:"code"`
	Round     string           `json:"round"`
	Sent      map[string]int64 `json:"sent"`
	Committed map[string]int64 `json:"committed"`
}

// runTxnScript runs a txn_client.py command and parses its output; any
// client error callback fails the test.
func runTxnScript(t *testing.T, stdin string, args ...string) []txnEvent {
	t.Helper()
	args = append([]string{filepath.Join("testdata", txnScript)}, args...)
	out := run(t, pythonTimeout, stdin, pythonPath, args...)
	var events []txnEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e txnEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: bad output line %q: %v", txnScript, sc.Text(), err)
		}
		if e.Event == "client_error" {
			t.Errorf("%s %s: client error callback: %s %s", txnScript, args[1], e.Code, *e.Error)
			continue
		}
		events = append(events, e)
	}
	return events
}

// txnRead is what a consume command read: each partition's values in
// offset order as "offset:value", and the end offset it reported.
type txnRead struct {
	values [][]string
	eof    []int64
}

func consumeTxnPython(t *testing.T, addr, topic string, parts int, isolation string) txnRead {
	t.Helper()
	r := txnRead{values: make([][]string, parts), eof: make([]int64, parts)}
	for p := range r.eof {
		r.eof[p] = -1
	}
	for _, e := range runTxnScript(t, "", "consume", addr, topic, strconv.Itoa(parts), isolation) {
		if e.Partition < 0 || int(e.Partition) >= parts {
			t.Fatalf("%s: event for partition %d: %+v", isolation, e.Partition, e)
		}
		switch e.Event {
		case "message":
			r.values[e.Partition] = append(r.values[e.Partition], fmt.Sprintf("%d:%s", e.Offset, e.Value))
		case "eof":
			r.eof[e.Partition] = e.Offset
		}
	}
	return r
}

// checkTxnRead compares what a consumer read with what it should have.
func checkTxnRead(t *testing.T, isolation string, got txnRead, want [][]string, ends []int64) {
	t.Helper()
	for p := range want {
		if !slices.Equal(got.values[p], want[p]) {
			t.Errorf("%s, partition %d:\n got %v\nwant %v", isolation, p, got.values[p], want[p])
		}
		if got.eof[p] != ends[p] {
			t.Errorf("%s, partition %d: end of partition at %d, want %d", isolation, p, got.eof[p], ends[p])
		}
	}
}

func TestTxnPython(t *testing.T) {
	t.Parallel()
	requirePythonModule(t, "confluent_kafka", "python3-confluent-kafka")
	b := startBroker(t, groupOverrides...)
	cl := newClient(t, b.Addr(), kgo.DisableIdempotentWrite())
	t.Run("commit-abort", func(t *testing.T) { testTxnPythonCommitAbort(t, b, cl) })
	t.Run("consume-transform-produce", func(t *testing.T) { testTxnPythonCTP(t, b, cl) })
}

// testTxnPythonCommitAbort: committed and aborted transactions, the last
// one aborted so that a read_committed consumer must skip aborted records
// to reach the end of the partition. Every transaction takes one offset
// per partition it touched for its marker.
func testTxnPythonCommitAbort(t *testing.T, b *broker, cl *kgo.Client) {
	const topic, parts = "txn-py", 2
	createTopic(t, cl, topic, parts)
	type msg struct {
		Partition int32  `json:"partition"`
		Value     string `json:"value"`
	}
	type txn struct {
		End      string `json:"end"`
		Messages []msg  `json:"messages"`
	}
	mk := func(name, end string, partitions ...int32) txn {
		x := txn{End: end}
		for i, p := range partitions {
			x.Messages = append(x.Messages, msg{p, fmt.Sprintf("%s-%d", name, i)})
		}
		return x
	}
	txns := []txn{
		mk("c0", "commit", 0, 1, 0, 1, 1, 0),
		mk("a1", "abort", 1, 0, 0, 1),
		mk("c2", "commit", 1, 1, 1),
		mk("a3", "abort", 0, 1, 0),
	}
	var in strings.Builder
	next := make([]int64, parts)
	offsets := make([][]int64, len(txns)) // expected offset of each message
	var committed, all [parts][]string
	for i, x := range txns {
		line, _ := json.Marshal(x)
		in.Write(append(line, '\n'))
		touched := make(map[int32]bool)
		for _, m := range x.Messages {
			s := fmt.Sprintf("%d:%s", next[m.Partition], m.Value)
			offsets[i] = append(offsets[i], next[m.Partition])
			next[m.Partition]++
			touched[m.Partition] = true
			all[m.Partition] = append(all[m.Partition], s)
			if x.End == "commit" {
				committed[m.Partition] = append(committed[m.Partition], s)
			}
		}
		for p := range touched {
			next[p]++ // the marker
		}
	}

	events := runTxnScript(t, in.String(), "transact", b.Addr(), topic, "py-txn")
	delivered := make(map[[2]int]bool)
	var ended []string
	for _, e := range events {
		switch e.Event {
		case "delivered":
			k := [2]int{e.Txn, e.Index}
			if e.Txn < 0 || e.Txn >= len(txns) || e.Index < 0 || e.Index >= len(txns[e.Txn].Messages) || delivered[k] {
				t.Errorf("delivery report for transaction %d message %d: unknown or repeated", e.Txn, e.Index)
				continue
			}
			delivered[k] = true
			m, want := txns[e.Txn].Messages[e.Index], offsets[e.Txn][e.Index]
			if e.Error != nil || e.Partition != m.Partition || e.Offset != want {
				t.Errorf("transaction %d message %d: delivered to p%d@%d (error %v), want p%d@%d",
					e.Txn, e.Index, e.Partition, e.Offset, e.Error, m.Partition, want)
			}
		case "ended":
			ended = append(ended, fmt.Sprintf("%d:%s", e.Txn, e.End))
		}
	}
	var wantEnded []string
	for i, x := range txns {
		wantEnded = append(wantEnded, fmt.Sprintf("%d:%s", i, x.End))
		for j := range x.Messages {
			if !delivered[[2]int{i, j}] {
				t.Errorf("transaction %d message %d: no delivery report", i, j)
			}
		}
	}
	if !slices.Equal(ended, wantEnded) {
		t.Errorf("transactions ended %v, want %v", ended, wantEnded)
	}
	if ends := listOffsets(t, cl, topic, parts, -1); !slices.Equal(ends, next) {
		t.Errorf("end offsets %v, want %v (records plus one marker per partition per transaction)", ends, next)
	}

	checkTxnRead(t, "read_committed", consumeTxnPython(t, b.Addr(), topic, parts, "read_committed"), committed[:], next)
	checkTxnRead(t, "read_uncommitted", consumeTxnPython(t, b.Addr(), topic, parts, "read_uncommitted"), all[:], next)
}

// testTxnPythonCTP: consume-transform-produce in a consumer group. The
// aborted round's output is in the log but invisible at read_committed and
// its offsets are never committed; the committed round's output and
// offsets appear together.
func testTxnPythonCTP(t *testing.T, b *broker, cl *kgo.Client) {
	const src, sink, group, parts, n = "txn-py-src", "txn-py-sink", "txn-py-ctp", 2, 20
	ends := produceGroupRecords(t, b.Addr(), src, parts, n)
	createTopic(t, cl, sink, parts)

	events := runTxnScript(t, "", "ctp", b.Addr(), src, sink, group, "py-ctp", strconv.Itoa(n))
	produced := map[string]*[parts][]string{"aborted": {}, "committed": {}}
	wantSent := map[string]int64{}
	for p, end := range ends {
		wantSent[strconv.Itoa(p)] = end
	}
	var rounds []string
	for _, e := range events {
		switch e.Event {
		case "produced":
			if pr := produced[e.Round]; pr != nil && e.Partition >= 0 && e.Partition < parts {
				pr[e.Partition] = append(pr[e.Partition], e.Value)
			} else {
				t.Errorf("unexpected %+v", e)
			}
		case "round":
			rounds = append(rounds, e.Round)
			if fmt.Sprint(e.Sent) != fmt.Sprint(wantSent) {
				t.Errorf("round %s: sent offsets %v, want the end offsets %v", e.Round, e.Sent, wantSent)
			}
			want := map[string]int64{"0": -1, "1": -1} // aborted: nothing committed
			if e.Round == "committed" {
				want = wantSent
			}
			if fmt.Sprint(e.Committed) != fmt.Sprint(want) {
				t.Errorf("after round %s the consumer reads committed offsets %v, want %v", e.Round, e.Committed, want)
			}
		}
	}
	if !slices.Equal(rounds, []string{"aborted", "committed"}) {
		t.Fatalf("rounds %v, want [aborted committed]", rounds)
	}
	checkCommitted(t, b.Addr(), group, src, ends)

	// The sink holds each round's records, then its marker.
	var committed, all [parts][]string
	sinkEnds := make([]int64, parts)
	for _, round := range []string{"aborted", "committed"} {
		for p, values := range produced[round] {
			if int64(len(values)) != ends[p] {
				t.Errorf("round %s produced %d records to partition %d, want %d", round, len(values), p, ends[p])
			}
			for _, v := range values {
				s := fmt.Sprintf("%d:%s", sinkEnds[p], v)
				sinkEnds[p]++
				all[p] = append(all[p], s)
				if round == "committed" {
					committed[p] = append(committed[p], s)
				}
			}
			sinkEnds[p]++ // the marker
		}
	}
	checkTxnRead(t, "read_committed", consumeTxnPython(t, b.Addr(), sink, parts, "read_committed"), committed[:], sinkEnds)
	checkTxnRead(t, "read_uncommitted", consumeTxnPython(t, b.Addr(), sink, parts, "read_uncommitted"), all[:], sinkEnds)
}
