//go:build unix

package process

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Consumer groups through clients in other processes: kcat's balanced
// consumer (-G) and librdkafka and kafka-python subscribing from Python.
// Each consumes everything in a group and commits; a second run in the
// same group must find nothing left.

// groupOverrides make a lone member's join complete at once.
var groupOverrides = []brokerOption{
	withOverride("group.initial.rebalance.delay.ms=0"),
	withOverride("group.min.session.timeout.ms=1000"),
}

// produceGroupRecords writes n records round-robin over parts partitions
// and returns each partition's end offset.
func produceGroupRecords(t *testing.T, addr, topic string, parts int32, n int) []int64 {
	t.Helper()
	cl := newClient(t, addr, kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DisableIdempotentWrite())
	createTopic(t, cl, topic, parts)
	rs := make([]*kgo.Record, n)
	ends := make([]int64, parts)
	for i := range rs {
		p := int32(i) % parts
		rs[i] = &kgo.Record{Topic: topic, Partition: p, Value: fmt.Appendf(nil, "record %d", i)}
		ends[p]++
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatalf("producing: %v", err)
	}
	return ends
}

// committed returns the group's committed offset of each partition (-1
// for none) through OffsetFetch.
func committed(t *testing.T, addr, group, topic string, parts int32) []int64 {
	t.Helper()
	cl := newClient(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = group
	rgt := kmsg.NewOffsetFetchRequestGroupTopic()
	rgt.Topic, rgt.TopicID = topic, topicID(t, cl, topic)
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	for p := range parts {
		rgt.Partitions = append(rgt.Partitions, p)
		rt.Partitions = append(rt.Partitions, p)
	}
	rg.Topics = append(rg.Topics, rgt)
	req.Groups = append(req.Groups, rg)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("OffsetFetch: %v", err)
	}
	out := make([]int64, parts)
	for i := range out {
		out[i] = -2 // not in the response
	}
	var ps []kmsg.OffsetFetchResponseGroupTopicPartition
	if len(resp.Groups) == 1 {
		if err := kerr.ErrorForCode(resp.Groups[0].ErrorCode); err != nil {
			t.Fatalf("OffsetFetch: %v", err)
		}
		for _, rt := range resp.Groups[0].Topics {
			ps = append(ps, rt.Partitions...)
		}
	}
	for _, rt := range resp.Topics {
		for _, p := range rt.Partitions {
			ps = append(ps, kmsg.OffsetFetchResponseGroupTopicPartition{Partition: p.Partition, Offset: p.Offset, ErrorCode: p.ErrorCode})
		}
	}
	for _, p := range ps {
		if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
			t.Fatalf("OffsetFetch partition %d: %v", p.Partition, err)
		}
		if p.Partition >= 0 && p.Partition < parts {
			out[p.Partition] = p.Offset
		}
	}
	return out
}

func checkCommitted(t *testing.T, addr, group, topic string, ends []int64) {
	t.Helper()
	if got := committed(t, addr, group, topic, int32(len(ends))); fmt.Sprint(got) != fmt.Sprint(ends) {
		t.Errorf("group %s committed %v, want the end offsets %v", group, got, ends)
	}
}

// kcatGroup runs `kcat -G` until want messages arrived (or, with want 0,
// until a few seconds after its partitions were assigned), stops it with
// SIGTERM so it commits and leaves, and returns partition/offset pairs.
func kcatGroup(t *testing.T, kcat, addr, group, topic string, want int) [][2]int64 {
	t.Helper()
	// -u: unbuffered, or the lines sit in stdio's buffer until exit.
	cmd := exec.Command(kcat, "-u", "-b", addr, "-G", group, topic, "-f", "%p %o\n",
		"-X", "auto.offset.reset=earliest", "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100",
		"-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=300")
	setProcAttr(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderrR, stderrW := io.Pipe()
	cmd.Stderr = stderrW
	if err := cmd.Start(); err != nil {
		t.Fatalf("kcat: %v", err)
	}
	var (
		mu       sync.Mutex
		errText  strings.Builder
		assigned = make(chan struct{})
		once     sync.Once
	)
	go func() {
		sc := bufio.NewScanner(stderrR)
		for sc.Scan() {
			mu.Lock()
			errText.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "assigned:") {
				once.Do(func() { close(assigned) })
			}
		}
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var got [][2]int64
	timeout := time.After(kcatTimeout)
	var idle <-chan time.Time
	fail := func(format string, args ...any) {
		t.Helper()
		cmd.Process.Kill()
		cmd.Wait()
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("kcat -G: "+format+"\nstderr:\n%s", append(args, errText.String())...)
	}
loop:
	for want == 0 || len(got) < want {
		select {
		case l, ok := <-lines:
			if !ok {
				fail("exited early after %d messages", len(got))
			}
			var p, o int64
			if _, err := fmt.Sscanf(l, "%d %d", &p, &o); err != nil {
				fail("bad output line %q", l)
			}
			got = append(got, [2]int64{p, o})
		case <-assigned:
			if want == 0 && idle == nil {
				idle = time.After(3 * time.Second)
			}
			assigned = nil
		case <-idle:
			break loop
		case <-timeout:
			fail("%d of %d messages after %v", len(got), want, kcatTimeout)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for l := range lines { // drain, and count anything after the stop
			var p, o int64
			if _, err := fmt.Sscanf(l, "%d %d", &p, &o); err == nil {
				got = append(got, [2]int64{p, o})
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		stderrW.Close()
		if err != nil {
			mu.Lock()
			t.Logf("kcat -G exit after SIGTERM: %v\nstderr:\n%s", err, errText.String())
			mu.Unlock()
		}
	case <-time.After(15 * time.Second):
		fail("still running 15s after SIGTERM")
	}
	return got
}

// checkAllOnce requires every offset below ends exactly once.
func checkAllOnce(t *testing.T, who string, got [][2]int64, ends []int64) {
	t.Helper()
	seen := make(map[[2]int64]int)
	for _, po := range got {
		seen[po]++
	}
	for p, end := range ends {
		for o := range end {
			if n := seen[[2]int64{int64(p), o}]; n != 1 {
				t.Errorf("%s: partition %d offset %d consumed %d times, want once", who, p, o, n)
			}
		}
	}
	total := 0
	for _, e := range ends {
		total += int(e)
	}
	if len(got) != total {
		t.Errorf("%s: %d messages, want %d", who, len(got), total)
	}
}

func TestGroupKcat(t *testing.T) {
	t.Parallel()
	kcat := kcatPath(t)
	b := startBroker(t, groupOverrides...)
	const topic, group, parts, n = "kcat-group", "kcat-group", 3, 150
	ends := produceGroupRecords(t, b.Addr(), topic, parts, n)
	got := kcatGroup(t, kcat, b.Addr(), group, topic, n)
	checkAllOnce(t, "first kcat -G", got, ends)
	checkCommitted(t, b.Addr(), group, topic, ends)
	if again := kcatGroup(t, kcat, b.Addr(), group, topic, 0); len(again) != 0 {
		t.Errorf("second kcat -G in the group read %d messages, want none (all committed): %v", len(again), again)
	}
}

// groupPyClients are the Python clients the group script drives.
var groupPyClients = []struct{ name, arg, module, aptPkg string }{
	{"confluent-kafka", "confluent", "confluent_kafka", "python3-confluent-kafka"},
	{"kafka-python", "kafkapython", "kafka", "python3-kafka"},
}

func TestGroupPython(t *testing.T) {
	t.Parallel()
	for _, c := range groupPyClients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			requirePythonModule(t, c.module, c.aptPkg)
			b := startBroker(t, groupOverrides...)
			const parts, n = 3, 120
			topic, group := "py-group-"+c.arg, "py-group-"+c.arg
			ends := produceGroupRecords(t, b.Addr(), topic, parts, n)

			got := runGroupScript(t, c.arg, b.Addr(), topic, group, n)
			checkAllOnce(t, c.name+" first run", got, ends)
			checkCommitted(t, b.Addr(), group, topic, ends)
			if again := runGroupScript(t, c.arg, b.Addr(), topic, group, 0); len(again) != 0 {
				t.Errorf("second %s run in the group read %d messages, want none (all committed): %v", c.name, len(again), again)
			}
		})
	}
}

// runGroupScript runs testdata/group_consume.py and returns the
// partition/offset of each message, failing unless it was assigned all
// partitions, committed (when it read anything) and finished.
func runGroupScript(t *testing.T, client, addr, topic, group string, count int) [][2]int64 {
	t.Helper()
	out := run(t, pythonTimeout, "", pythonPath, filepath.Join("testdata", "group_consume.py"),
		client, addr, topic, group, strconv.Itoa(count))
	var got [][2]int64
	var assigned, committedEv, done bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Event      string  `json:"event"`
			Partition  int64   `json:"partition"`
			Offset     int64   `json:"offset"`
			Partitions []int32 `json:"partitions"`
			Code       string  `json:"code"`
			Error      string  `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("group_consume.py: bad line %q: %v\n%s", line, err, out)
		}
		switch e.Event {
		case "assigned":
			assigned = assigned || len(e.Partitions) > 0
		case "message":
			got = append(got, [2]int64{e.Partition, e.Offset})
		case "committed":
			committedEv = true
		case "done":
			done = true
		case "client_error":
			t.Logf("%s client error: %s %s", client, e.Code, e.Error)
		}
	}
	if !assigned || !done || (len(got) > 0 && !committedEv) {
		t.Fatalf("group_consume.py %s: assigned=%v committed=%v done=%v\n%s", client, assigned, committedEv, done, out)
	}
	return got
}
