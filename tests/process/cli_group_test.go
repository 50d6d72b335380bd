//go:build unix

package process

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// describedGroup is the part of `samsa group describe --json` tests read.
type describedGroup struct {
	Group   string `json:"group"`
	State   string `json:"state"`
	Type    string `json:"type"`
	Members []struct {
		MemberID   string             `json:"member_id"`
		ClientID   string             `json:"client_id"`
		Assignment map[string][]int32 `json:"assignment"`
	} `json:"members"`
	Offsets []struct {
		Topic     string `json:"topic"`
		Partition int32  `json:"partition"`
		Committed *int64 `json:"committed_offset"`
		End       *int64 `json:"log_end_offset"`
		Lag       *int64 `json:"lag"`
		MemberID  string `json:"member_id"`
	} `json:"offsets"`
	TotalLag int64 `json:"total_lag"`
}

func describeGroup(t *testing.T, addr, group string) describedGroup {
	t.Helper()
	var ds []describedGroup
	cliJSON(t, addr, &ds, "group", "describe", group)
	if len(ds) != 1 || ds[0].Group != group {
		t.Fatalf("group describe %s: %+v", group, ds)
	}
	return ds[0]
}

// committedSum adds the group's committed offsets (partitions without a
// commit count 0).
func (d describedGroup) committedSum() int64 {
	var n int64
	for _, o := range d.Offsets {
		if o.Committed != nil {
			n += *o.Committed
		}
	}
	return n
}

// groupBroker starts a broker whose groups form without the initial
// rebalance delay, and a topic "g" with 2 partitions of 5 records each.
func groupBroker(t *testing.T) string {
	t.Helper()
	addr := startBroker(t, withOverride("group.initial.rebalance.delay.ms=0")).Addr()
	cliOK(t, addr, "", "topic", "create", "g", "-p", "2")
	cliOK(t, addr, "a\nb\nc\nd\ne\n", "produce", "g", "-p", "0")
	cliOK(t, addr, "f\ng\nh\ni\nj\n", "produce", "g", "-p", "1")
	return addr
}

func TestCLIGroupConsumeDescribeReset(t *testing.T) {
	t.Parallel()
	addr := groupBroker(t)

	if out := cliOK(t, addr, "", "consume", "g", "--group", "billing", "-n", "4"); len(lines(out)) != 4 {
		t.Fatalf("consume --group -n 4 printed:\n%s", out)
	}
	// Lag is counted where the group committed, as kafka-consumer-groups
	// does: the four records may all come from one partition.
	d := describeGroup(t, addr, "billing")
	lag := int64(5*len(d.Offsets) - 4)
	if d.State != "Empty" || d.Type != "classic" || d.committedSum() != 4 || len(d.Offsets) == 0 || d.TotalLag != lag {
		t.Fatalf("after 4 of 10 records: %+v", d)
	}
	for _, o := range d.Offsets {
		if o.End == nil || *o.End != 5 || o.Committed != nil && (o.Lag == nil || *o.Lag != 5-*o.Committed) {
			t.Errorf("offsets row %+v", o)
		}
	}
	human := cliOK(t, addr, "", "group", "describe", "billing")
	for _, want := range []string{"STATE", "Empty", "TOTAL-LAG", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG"} {
		if !strings.Contains(human, want) {
			t.Errorf("group describe lacks %q:\n%s", want, human)
		}
	}
	var listed []struct{ Group, State string }
	cliJSON(t, addr, &listed, "group", "list")
	if len(listed) != 1 || listed[0].Group != "billing" || listed[0].State != "Empty" {
		t.Errorf("group list --json: %+v", listed)
	}

	// Without --execute nothing changes.
	r := samsaCLI(t, addr, "", "group", "reset-offsets", "billing", "--topic", "g", "--to-earliest")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "NEW-OFFSET") || !strings.Contains(r.stderr, "dry run") {
		t.Errorf("dry run:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if d := describeGroup(t, addr, "billing"); d.TotalLag != lag {
		t.Fatalf("dry run changed the offsets: lag %d, was %d", d.TotalLag, lag)
	}

	cliOK(t, addr, "", "group", "reset-offsets", "billing", "--topic", "g", "--to-earliest", "--execute")
	if d := describeGroup(t, addr, "billing"); d.TotalLag != 10 || d.committedSum() != 0 {
		t.Fatalf("after --to-earliest --execute: %+v", d)
	}
	var plan struct {
		Executed bool `json:"executed"`
		Offsets  []struct {
			Partition int32 `json:"partition"`
			New       int64 `json:"new_offset"`
		} `json:"offsets"`
	}
	cliJSON(t, addr, &plan, "group", "reset-offsets", "billing", "--topic", "g:1", "--to-offset", "3", "--execute")
	if !plan.Executed || len(plan.Offsets) != 1 || plan.Offsets[0].Partition != 1 || plan.Offsets[0].New != 3 {
		t.Fatalf("reset --json: %+v", plan)
	}
	cliOK(t, addr, "", "group", "reset-offsets", "billing", "--all-topics", "--shift-by", "1", "--execute")
	if d := describeGroup(t, addr, "billing"); d.committedSum() != 1+4 {
		t.Fatalf("after --to-offset 3 on g:1 then --shift-by 1: %+v", d)
	}

	// The group resumes where the reset left it, and reads to the end.
	if out := cliOK(t, addr, "", "consume", "g", "--group", "billing"); len(lines(out)) != 5 {
		t.Fatalf("consume after reset printed %d records, want 5:\n%s", len(lines(out)), out)
	}
	if d := describeGroup(t, addr, "billing"); d.TotalLag != 0 {
		t.Fatalf("lag after reading to the end: %+v", d)
	}
	cliOK(t, addr, "", "group", "delete", "billing")
	samsaCLI(t, addr, "", "group", "describe", "billing").wantFailure(t, 1, "GROUP_ID_NOT_FOUND")
}

// A group with a live member: describe shows it and its assignment, and
// reset-offsets and delete refuse, as Kafka's tools do.
func TestCLIGroupWithMember(t *testing.T) {
	t.Parallel()
	addr := groupBroker(t)
	follower := startFollower(t, addr, "live")

	var d describedGroup
	waitFor(t, "the group to be Stable with a member", 15*time.Second, func() bool {
		d = describeGroup(t, addr, "live")
		return d.State == "Stable" && len(d.Members) == 1
	})
	if a := d.Members[0].Assignment["g"]; len(a) != 2 || d.Members[0].ClientID == "" {
		t.Errorf("member: %+v", d.Members[0])
	}
	waitFor(t, "the follower to commit all 10 records", 15*time.Second, func() bool {
		return describeGroup(t, addr, "live").committedSum() == 10
	})

	samsaCLI(t, addr, "", "group", "reset-offsets", "live", "--topic", "g", "--to-earliest", "--execute").
		wantFailure(t, 1, "Stable")
	samsaCLI(t, addr, "", "group", "delete", "live").wantFailure(t, 1, "NON_EMPTY_GROUP")

	// A record produced now reaches the follower.
	cliOK(t, addr, "late\n", "produce", "g", "-p", "0")
	if got := follower.waitLine(t); got != "late" {
		t.Errorf("follower printed %q after the first 10, want late", got)
	}
	follower.stop(t)
	if d := describeGroup(t, addr, "live"); d.State != "Empty" || d.TotalLag != 0 {
		t.Errorf("after the follower stopped: %+v", d)
	}
	cliOK(t, addr, "", "group", "delete", "live")
}

// A KIP-848 consumer group is described through ConsumerGroupDescribe:
// classic DescribeGroups does not see it.
func TestCLIGroupKIP848(t *testing.T) {
	t.Parallel()
	addr := groupBroker(t)
	cl := newClient(t, addr, kgo.ConsumerGroup("next"), kgo.ConsumeTopics("g"),
		kgo.ServerSideBalancer(), kgo.Balancers(kgo.RangeBalancer()))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for got := 0; got < 10; {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("franz-go KIP-848 consumer: %v", err)
		}
		got += fs.NumRecords()
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	d := describeGroup(t, addr, "next")
	if d.Type != "consumer" || d.State != "Stable" || len(d.Members) != 1 || len(d.Members[0].Assignment["g"]) != 2 ||
		d.committedSum() != 10 || d.TotalLag != 0 {
		t.Fatalf("KIP-848 group: %+v", d)
	}
	if out := cliOK(t, addr, "", "group", "describe", "next"); !strings.Contains(out, "g[0,1]") {
		t.Errorf("group describe: no assignment g[0,1]:\n%s", out)
	}
	var listed []struct{ Group, Type string }
	cliJSON(t, addr, &listed, "group", "list")
	if len(listed) != 1 || listed[0].Type != "consumer" {
		t.Errorf("group list --json: %+v", listed)
	}
}

func TestCLIGroupBadInput(t *testing.T) {
	t.Parallel()
	addr := groupBroker(t)
	samsaCLI(t, addr, "", "group", "describe", "nosuch").wantFailure(t, 1, "GROUP_ID_NOT_FOUND")
	samsaCLI(t, addr, "", "group", "delete", "nosuch").wantFailure(t, 1, "GROUP_ID_NOT_FOUND")
	samsaCLI(t, addr, "", "group", "reset-offsets", "new", "--topic", "missing", "--to-earliest").
		wantFailure(t, 1, "UNKNOWN_TOPIC_OR_PARTITION")
	samsaCLI(t, addr, "", "group", "reset-offsets", "new", "--topic", "g:9", "--to-earliest").
		wantFailure(t, 1, "no partition 9")
	for _, args := range [][]string{
		{"group", "reset-offsets", "new", "--topic", "g"},
		{"group", "reset-offsets", "new", "--to-earliest", "--to-latest", "--topic", "g"},
		{"group", "reset-offsets", "--to-earliest", "--topic", "g"},
		{"group", "describe"},
	} {
		samsaCLI(t, addr, "", args...).wantFailure(t, 2, "Usage:")
	}
}

// follower is `samsa consume --follow` running in the background.
type follower struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan error
}

func startFollower(t *testing.T, addr, group string) *follower {
	t.Helper()
	cmd := exec.Command(samsaBin, "-b", addr, "consume", "g", "--group", group, "--follow")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &follower{cmd: cmd, lines: make(chan string, 100), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f.lines <- sc.Text()
		}
		f.done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	// The first ten records are there before it starts.
	for range 10 {
		f.waitLine(t)
	}
	return f
}

func (f *follower) waitLine(t *testing.T) string {
	t.Helper()
	select {
	case l := <-f.lines:
		return l
	case <-time.After(15 * time.Second):
		t.Fatal("no record from the follower within 15s")
		return ""
	}
}

// stop interrupts the follower as Ctrl-C would: it must commit, leave the
// group and exit 0.
func (f *follower) stop(t *testing.T) {
	t.Helper()
	f.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-f.done:
		if err != nil {
			t.Fatalf("follower after SIGINT: %v, want exit 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("follower still running 15s after SIGINT")
	}
}
