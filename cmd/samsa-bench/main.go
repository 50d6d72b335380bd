// Command samsa-bench runs the same loads, with the same franz-go client,
// against a Samsa broker and against franz-go's kfake cluster, and prints
// both side by side with the ratio samsa/kfake.
//
//	go run ./cmd/samsa-bench [-size 512] [-runs 3] [-only samsa|kfake] [-rate 50] [-duration 3s]
//	go run ./cmd/samsa-bench -rss-gib 10 -only samsa
//
// Each broker runs in its own process, as users run them, so that the
// client's CPU and garbage collection and the broker's do not share one
// Go runtime:
//
//	samsa   the real binary, built once from ./cmd/samsa of this module
//	        and run as `samsa serve --data-dir DIR --listen ADDR
//	        --admin-listen=` with its defaults (acks=all answers after
//	        fsync); every run gets a fresh temporary data directory
//	kfake   this binary re-executed as `samsa-bench -serve-kfake ADDR`: a
//	        one-broker kfake cluster, which keeps every record in memory
//
// Every run starts a fresh broker process, creates its topics, and measures,
// in order:
//
//	latency      records at a fixed -rate MB/s for -duration to 1 partition;
//	             per record, the time from Produce to its promise (p50, p99)
//	produce 1p   -size MiB of 1 KiB records to a 1-partition topic, acks=all
//	produce 4p   the same over 4 partitions, records spread round robin
//	consume 4p   the produce-4p topic read back from the start
//
// then reads the broker process's RSS (VmRSS, and the peak VmHWM, from
// /proc/PID/status: the broker's alone) and the CPU time the broker and this
// process, the client, used during the loads (from /proc and getrusage), and
// stops the broker with SIGTERM (SIGKILL after 10s). The table shows the
// median of -runs runs of each row on its own; each run is also printed to
// stderr. Below the title a line gives the machine and the filesystem of
// the data directories (os.TempDir, so $TMPDIR chooses it). Broker output
// that is not an Info or Debug log line is copied to stderr as it comes.
// The memory and CPU rows need Linux; elsewhere they read 0.
//
// Client settings, the same for both brokers, chosen so that the client is
// not what limits produce throughput: acks=all, idempotence on (the clients'
// default: every batch goes through the broker's duplicate and sequence
// checks), no compression (values are random bytes), 5 produce requests in
// flight per broker (what kgo uses with idempotence, as Kafka's Java
// client), 1 MiB batches, up to 64 MiB of records buffered,
// and kgo's default 10ms linger: big batches, some linger and several
// requests in flight, as Kafka's own throughput tuning advice goes. Each
// throughput load spreads its records over 2 such clients (2 connections),
// which raised both brokers' numbers over 1 client (see producers in
// loads.go). The latency load uses one client with no linger. The consumer
// uses kgo's default fetch sizes (50 MiB per fetch, 1 MiB per partition).
//
// -rss-gib N adds, after the table, a long run for the target "broker RSS
// under 256 MiB after producing 10 GiB": it starts a fresh Samsa process,
// produces N GiB of 1 KiB records with acks=all to a 4-partition topic with
// the throughput clients, printing throughput and memory after each GiB, and
// reports the broker's RSS and peak RSS at the end against the target. The
// command is `-rss-gib 10 -only samsa`: the long run is Samsa's only (kfake
// would hold it all in memory), and -only samsa keeps kfake out of the table
// before it. It refuses to start unless the data directory's filesystem has
// N+2 GiB free. -cpuprofile profiles this process, the client, throughout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == serveKfakeFlag {
		os.Exit(serveKfake(os.Args[2]))
	}
	os.Exit(run())
}

func run() int {
	sizeMiB := flag.Int("size", 512, "MiB produced per produce load and run")
	runs := flag.Int("runs", 3, "runs per target; the table shows the median")
	only := flag.String("only", "", "run one target only: samsa or kfake")
	rate := flag.Float64("rate", 50, "latency load rate in MB/s (10^6 bytes)")
	duration := flag.Duration("duration", 3*time.Second, "latency load duration")
	rssGiB := flag.Int("rss-gib", 0, "after the table, produce this many GiB to a fresh Samsa and report its RSS (0: off)")
	cpuprofile := flag.String("cpuprofile", "", "write this process's (the client's) CPU profile to `file`")
	flag.Parse()
	switch {
	case *only != "" && *only != "samsa" && *only != "kfake":
		fmt.Fprintf(os.Stderr, "samsa-bench: -only %q: want samsa or kfake\n", *only)
		return 2
	case *runs < 1 || *sizeMiB < 1 || *rate <= 0 || *duration <= 0:
		fmt.Fprintln(os.Stderr, "samsa-bench: -runs, -size, -rate and -duration must be positive")
		return 2
	case *rssGiB < 0 || *rssGiB > 0 && *only == "kfake":
		fmt.Fprintln(os.Stderr, "samsa-bench: -rss-gib wants a positive number of GiB and the samsa target")
		return 2
	}
	fs, err := dataFS()
	if err != nil {
		fmt.Fprintln(os.Stderr, "samsa-bench:", err)
		return 1
	}
	if need := uint64(*rssGiB+2) << 30; *rssGiB > 0 && fs.free < need {
		fmt.Fprintf(os.Stderr, "samsa-bench: -rss-gib %d needs %d GiB free on %s, which has %.1f GiB\n",
			*rssGiB, *rssGiB+2, fs.mount, float64(fs.free)/(1<<30))
		return 1
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "samsa-bench:", err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	// Stop on Ctrl-C too, so that the children are stopped and their data
	// directories removed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tmp, err := os.MkdirTemp("", "samsa-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "samsa-bench:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	targets, err := newTargets(*only, tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, "samsa-bench:", err)
		return 1
	}
	cfg := loadConfig{
		bytes:    int64(*sizeMiB) << 20,
		record:   1024,
		rate:     *rate * 1e6,
		duration: *duration,
	}
	var results []targetResult
	for _, t := range targets {
		r, err := runTarget(ctx, t, cfg, *runs)
		if err != nil {
			fmt.Fprintf(os.Stderr, "samsa-bench: %s: %v\n", t.name, err)
			return 1
		}
		results = append(results, r)
	}
	fmt.Printf("%d MiB per produce load, 1 KiB records, latency at %.0f MB/s for %v, median of %d runs\n",
		*sizeMiB, *rate, *duration, *runs)
	fmt.Printf("machine: %d CPUs, %s/%s, %s; data dir %s\n\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), fs)
	printTable(results)
	if *rssGiB > 0 {
		if err := rssRun(ctx, targets[0], *rssGiB, cfg.record); err != nil {
			fmt.Fprintln(os.Stderr, "samsa-bench: -rss-gib:", err)
			return 1
		}
	}
	return 0
}
