package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"
)

func produceCommand() *command {
	return &command{
		path: "produce", args: "TOPIC", minArgs: 1, maxArgs: 1,
		summary: "produce records from stdin or files, one per line",
		details: `
Each input line is one record. With --format lines (the default) the line is
the value, and -k DELIM splits a key off at the first DELIM, like kcat -K.
With --format json each line is an object:
  {"key": "k1", "value": "v1", "headers": {"h": "x"}, "partition": 0, "timestamp": 1714560000000}
where every field is optional and a non-string key or value is sent as its
JSON text.

Unkeyed records go round-robin; keyed ones to murmur2(key) like the Java
client. A summary (records, bytes, partitions) goes to stderr (to stdout
with --json); progress too when stderr is a terminal. Exits 1 if any record
failed.

Examples:
  echo hello | samsa produce greetings
  printf 'user1:login\nuser2:logout\n' | samsa produce events -k :
  samsa produce events -f events.jsonl --format json -H source=import
  seq 1000000 | samsa produce numbers --acks 1 --compression zstd`,
		setup: func(fs *flagSet) action {
			var o produceOptions
			fs.Var(&o.files, "file", "read records from `FILE` instead of stdin (repeatable; - is stdin)")
			fs.alias("f", "file")
			fs.StringVar(&o.format, "format", "lines", "input format: lines or json")
			fs.StringVar(&o.keyDelim, "key-delimiter", "", "split each line into key and value at the first `DELIM`")
			fs.alias("k", "key-delimiter")
			fs.Var(&o.headers, "header", "header `key=value` on every record, repeatable")
			fs.alias("H", "header")
			fs.IntVar(&o.partition, "partition", -1, "produce to `N` (default: by key hash, round-robin without keys)")
			fs.alias("p", "partition")
			fs.StringVar(&o.acks, "acks", "all", "all, 1 or 0: how many replicas confirm a write")
			fs.StringVar(&o.compression, "compression", "none", "none, gzip, snappy, lz4 or zstd")
			fs.BoolVar(&o.idempotent, "idempotent", true, "exactly-once per partition on retries (needs --acks all)")
			return func(ctx context.Context, s *session, args []string) error {
				opts, err := o.clientOpts(fs)
				if err != nil {
					return err
				}
				return produce(ctx, s, args[0], o, opts)
			}
		},
	}
}

type produceOptions struct {
	files       stringList
	format      string
	keyDelim    string
	headers     keyValues
	partition   int
	acks        string
	compression string
	idempotent  bool
}

// clientOpts turns the flags into franz-go options, or a usage error.
func (o *produceOptions) clientOpts(fs *flagSet) ([]kgo.Opt, error) {
	if o.format != "lines" && o.format != "json" {
		return nil, usagef("--format %q: want lines or json", o.format)
	}
	if o.format == "json" && o.keyDelim != "" {
		return nil, usagef("--key-delimiter applies to --format lines; JSON lines carry their key")
	}
	opts := []kgo.Opt{kgo.RecordPartitioner(partitioner())}
	switch o.acks {
	case "all", "-1":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	default:
		return nil, usagef("--acks %q: want all, 1 or 0", o.acks)
	}
	if o.acks == "1" || o.acks == "0" {
		if fs.given("idempotent") && o.idempotent {
			return nil, usagef("--idempotent needs --acks all")
		}
		o.idempotent = false
	}
	if !o.idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	codec, ok := map[string]kgo.CompressionCodec{
		"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(),
		"lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression(),
	}[o.compression]
	if !ok {
		return nil, usagef("--compression %q: want none, gzip, snappy, lz4 or zstd", o.compression)
	}
	return append(opts, kgo.ProducerBatchCompression(codec)), nil
}

func produce(ctx context.Context, s *session, topic string, o produceOptions, opts []kgo.Opt) error {
	cl, err := s.client(opts...)
	if err != nil {
		return err
	}
	if err := checkTopic(ctx, s, topic, o.partition); err != nil {
		return err
	}
	stats := newProduceStats(topic)
	stopProgress := stats.showProgress(s.env)
	stopWatch := stats.watchStall(cl, s.g.timeout)
	readErr := readAndProduce(ctx, s.env, cl, topic, o, stats)
	// Records already handed to franz-go are delivered or failed even
	// when reading stopped early, so the summary counts every one; the
	// stall watch bounds the wait.
	cl.Flush(context.WithoutCancel(ctx))
	stopWatch()
	stopProgress()
	if err := stats.print(s); err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	return stats.err()
}

// checkTopic fails fast, before reading any input, when the broker is
// unreachable, the topic does not exist or -p is out of range.
func checkTopic(ctx context.Context, s *session, topic string, partition int) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	details, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return err
	}
	d := details[topic]
	if d.Err != nil {
		return fmt.Errorf("topic %s: %w", topic, d.Err)
	}
	if partition >= len(d.Partitions) {
		return fmt.Errorf("topic %s has %d partitions: there is no partition %d", topic, len(d.Partitions), partition)
	}
	return nil
}

func readAndProduce(ctx context.Context, env *Env, cl *kgo.Client, topic string, o produceOptions, stats *produceStats) error {
	files := o.files
	if len(files) == 0 {
		files = stringList{"-"}
	}
	for _, name := range files {
		rr, closeFn, err := openRecordReader(env, name, o)
		if err != nil {
			return err
		}
		err = produceFrom(ctx, cl, topic, rr, stats)
		closeFn()
		if err != nil {
			return err
		}
	}
	return nil
}

func openRecordReader(env *Env, name string, o produceOptions) (*recordReader, func(), error) {
	in, source, closeFn := env.Stdin, "stdin", func() {}
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		in, source, closeFn = f, name, func() { f.Close() }
	}
	var headers []kgo.RecordHeader
	for _, h := range o.headers {
		headers = append(headers, kgo.RecordHeader{Key: h.key, Value: []byte(h.value)})
	}
	rr := &recordReader{
		in: bufio.NewReaderSize(in, 1<<16), source: source, format: o.format,
		keyDelim: []byte(o.keyDelim), headers: headers, partition: int32(o.partition),
	}
	return rr, closeFn, nil
}

func produceFrom(ctx context.Context, cl *kgo.Client, topic string, rr *recordReader, stats *produceStats) error {
	for ctx.Err() == nil {
		rec, err := rr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if stats.isStalled() {
			return nil // the summary says why
		}
		rec.Topic = topic
		stats.add()
		cl.Produce(ctx, rec, stats.done)
	}
	return ctx.Err()
}
