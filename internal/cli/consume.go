package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func consumeCommand() *command {
	return &command{
		path: "consume", args: "TOPIC...", minArgs: 1, maxArgs: -1,
		summary: "print records, from where you say, until the end or forever",
		details: `
By default every partition is read from its start to the end offset it had
when the command began, then the command exits (like kcat -e); --follow
keeps waiting for new records until interrupted. Control records of
transactions are never printed.

--offset: start (default), end, N (absolute), -N (the last N of each
partition). --time starts at the first record at or after a time.

--group G consumes as member of group G and commits what it printed: it
resumes from the group's committed offsets, and --offset start|end (or
--time) only says where to begin on partitions without one.

Output (-f):
  text   the value, one per line (default)
  json   {"topic","partition","offset","timestamp","key","value","headers"},
         one object per line; key is null for a null key (also --json)
  a format string, as kcat -f:
         %v or %s value   %k key   %t topic   %p partition   %o offset
         %T timestamp (Unix ms)   %h headers (k=v,k=v)   %K/%S key/value size
         %% a percent sign;  \n \t \r \0 \\ escapes. No newline is added.

Examples:
  samsa consume orders
  samsa consume orders -o -10 -f '%p/%o %k=%v\n'
  samsa consume orders --time 2024-05-01T00:00:00Z -n 100 -f json | jq .value
  samsa consume orders --group audit --follow`,
		setup: func(fs *flagSet) action {
			var o consumeOptions
			fs.StringVar(&o.offset, "offset", "start", "where to start: start, end, `N` or -N")
			fs.alias("o", "offset")
			fs.StringVar(&o.time, "time", "", "start at the first record at or after `TIME` (RFC 3339 or Unix ms)")
			fs.Var(&o.partitions, "partitions", "only these `PARTITIONS` (0,2,4-7)")
			fs.alias("p", "partitions")
			fs.IntVar(&o.count, "count", 0, "exit after `N` records (0: no limit)")
			fs.alias("n", "count")
			fs.StringVar(&o.group, "group", "", "consume as member of `GROUP`, committing what is printed")
			fs.alias("g", "group")
			fs.StringVar(&o.format, "format", "text", "output: text, json or a format string like '%k %v\\n'")
			fs.alias("f", "format")
			fs.BoolVar(&o.follow, "follow", false, "keep waiting for new records instead of exiting at the end")
			fs.StringVar(&o.isolation, "isolation", "read_uncommitted", "read_committed skips aborted and open transactions")
			return func(ctx context.Context, s *session, topics []string) error {
				if s.g.json && !fs.given("format") {
					o.format = "json" // --json, the machine output of every read command
				}
				if err := o.validate(fs); err != nil {
					return err
				}
				return consume(ctx, s, topics, o)
			}
		},
	}
}

type consumeOptions struct {
	offset     string
	time       string
	partitions partitionList
	count      int
	group      string
	format     string
	follow     bool
	isolation  string

	start     startSpec       // from offset and time
	formatter recordFormatter // from format
}

func (o *consumeOptions) validate(fs *flagSet) error {
	var err error
	if o.start, err = parseStart(o.offset, o.time, fs.given("offset")); err != nil {
		return err
	}
	if o.formatter, err = newFormatter(o.format); err != nil {
		return usagef("--format: %v", err)
	}
	switch {
	case o.count < 0:
		return usagef("--count must not be negative")
	case o.isolation != "read_committed" && o.isolation != "read_uncommitted":
		return usagef("--isolation %q: want read_committed or read_uncommitted", o.isolation)
	case o.group != "" && len(o.partitions) > 0:
		return usagef("--partitions cannot be used with --group: the group assigns partitions")
	case o.group != "" && (o.start.kind == "at" || o.start.kind == "fromEnd"):
		return usagef("--offset %s cannot be used with --group: it resumes from committed offsets (reset them with samsa group reset-offsets)", o.offset)
	}
	return nil
}

func (o *consumeOptions) isolationLevel() kgo.IsolationLevel {
	if o.isolation == "read_committed" {
		return kgo.ReadCommitted()
	}
	return kgo.ReadUncommitted()
}

func consume(ctx context.Context, s *session, topics []string, o consumeOptions) error {
	plan, err := planConsume(ctx, s, topics, o)
	if err != nil {
		return err
	}
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	track := newEndTracker(plan, o.follow, o.group != "", stopPolling)
	if track.finished() {
		return nil // nothing to read: every partition is empty from there
	}
	cl, err := s.newClient(consumerOpts(topics, o, plan, track)...)
	if err != nil {
		return err
	}
	c := &consumer{cl: cl, o: o, track: track, out: bufio.NewWriterSize(s.env.Stdout, 1<<16), timeout: s.g.timeout}
	err = consumeLoop(pollCtx, c)
	if ferr := c.out.Flush(); err == nil {
		err = ferr
	}
	if o.group != "" {
		// What was printed is committed even when interrupted.
		commitCtx, cancel := s.deadline(context.WithoutCancel(ctx))
		defer cancel()
		if cerr := cl.CommitMarkedOffsets(commitCtx); err == nil && cerr != nil {
			err = fmt.Errorf("committing offsets of group %s: %w", o.group, cerr)
		}
	}
	return err
}

func consumerOpts(topics []string, o consumeOptions, plan []partitionPlan, track *endTracker) []kgo.Opt {
	// Control records are kept so the end of a partition that finishes
	// with a transaction marker is seen; they are never printed.
	opts := []kgo.Opt{kgo.FetchIsolationLevel(o.isolationLevel()), kgo.KeepControlRecords()}
	if o.group == "" {
		return append(opts, kgo.ConsumePartitions(startOffsets(plan)))
	}
	return append(opts,
		kgo.ConsumerGroup(o.group),
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(o.start.resetOffset()),
		kgo.AutoCommitMarks(),
		kgo.AutoCommitInterval(time.Second), // lag stays current in group describe
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { track.assigned(m) }),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, m map[string][]int32) {
			track.revoked(m)
			cl.CommitMarkedOffsets(ctx) // replaces franz-go's commit on revoke
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { track.revoked(m) }),
	)
}

func startOffsets(plan []partitionPlan) map[string]map[int32]kgo.Offset {
	m := map[string]map[int32]kgo.Offset{}
	for _, p := range plan {
		if m[p.topic] == nil {
			m[p.topic] = map[int32]kgo.Offset{}
		}
		m[p.topic][p.partition] = kgo.NewOffset().At(p.from)
	}
	return m
}

// consumeLoop prints records until the tracker says every partition is
// read, --count records are printed, or ctx ends (interrupt: not an error).
func consumeLoop(ctx context.Context, c *consumer) error {
	for !c.track.finished() {
		fetches, err := c.poll(ctx)
		if err != nil || ctx.Err() != nil {
			return err
		}
		done, err := c.print(fetches)
		if err != nil || done {
			return err
		}
		if err := c.out.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// consumer is the state of one consume: what it prints to, how many so far.
type consumer struct {
	cl      *kgo.Client
	o       consumeOptions
	track   *endTracker
	out     *bufio.Writer
	timeout time.Duration // --timeout: how long a read to the end may stall
	printed int
	buf     []byte
}

// poll waits for the next records. Without --follow every record wanted
// was there at the start, so a poll that brings nothing for --timeout
// means the broker went away: fail rather than hang a script. Before a
// group has assigned partitions, waiting is normal (rebalances take time).
func (c *consumer) poll(ctx context.Context) (kgo.Fetches, error) {
	pollCtx, cancel := ctx, context.CancelFunc(func() {})
	if !c.o.follow {
		pollCtx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	defer cancel()
	var fetches kgo.Fetches
	if c.o.count > 0 {
		fetches = c.cl.PollRecords(pollCtx, c.o.count-c.printed)
	} else {
		fetches = c.cl.PollFetches(pollCtx)
	}
	if ctx.Err() != nil {
		return nil, nil
	}
	if pollCtx.Err() != nil && c.track.stalled() {
		return nil, fmt.Errorf("no records from the broker within %v (--timeout) with %s still unread", c.timeout, c.track.unread())
	}
	return fetches, fetchError(fetches)
}

// print writes the fetched records; done is true once --count is reached.
func (c *consumer) print(fetches kgo.Fetches) (done bool, err error) {
	for it := fetches.RecordIter(); !it.Done(); {
		r := it.Next()
		if c.track.pastEnd(r.Topic, r.Partition, r.Offset) {
			continue
		}
		c.track.seen(r.Topic, r.Partition, r.Offset)
		if !r.Attrs.IsControl() {
			c.buf = c.o.formatter(c.buf[:0], r)
			if _, err := c.out.Write(c.buf); err != nil {
				return false, err
			}
			c.printed++
		}
		if c.o.group != "" {
			c.cl.MarkCommitRecords(r)
		}
		if c.o.count > 0 && c.printed >= c.o.count {
			return true, nil
		}
	}
	return false, nil
}

// fetchError is the first error of a poll that is not the poll's end.
func fetchError(fetches kgo.Fetches) error {
	for _, fe := range fetches.Errors() {
		if errors.Is(fe.Err, context.Canceled) || errors.Is(fe.Err, kgo.ErrClientClosed) {
			continue
		}
		if fe.Topic == "" {
			return fe.Err
		}
		return fmt.Errorf("%s[%d]: %w", fe.Topic, fe.Partition, fe.Err)
	}
	return nil
}
