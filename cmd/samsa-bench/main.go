// Command samsa-bench runs the same loads, with the same franz-go client,
// against an embedded Samsa broker and against franz-go's in-memory kfake
// cluster, and prints both side by side with the ratio samsa/kfake.
//
//	go run ./cmd/samsa-bench [-size 256] [-runs 3] [-only samsa|kfake] [-rate 50] [-duration 3s]
//
// Every run starts a fresh broker (Samsa in a new temporary directory, with
// its defaults: acks=all answers after fsync) and measures, in order:
//
//	latency      records at a fixed -rate MB/s for -duration to 1 partition;
//	             per record, the time from Produce to its promise (p50, p99)
//	produce 1p   -size MiB of 1 KiB records to a 1-partition topic, acks=all
//	produce 4p   the same over 4 partitions, records spread round robin
//	consume 4p   the produce-4p topic read back from the start
//
// The table shows the median of -runs runs. Client settings, the same for
// both brokers: idempotence off (Samsa has no InitProducerId yet), no
// compression (values are random bytes), up to 5 produce requests in flight
// (allowed without idempotence; Kafka's Java default), 1 MiB batches,
// kgo's default 10ms linger for throughput and no linger for latency, kgo's
// default fetch sizes (50 MiB per fetch, 1 MiB per partition).
//
// Both brokers run inside this process, so the RSS printed (VmRSS and the
// peak VmHWM from /proc/self/status, sampled after a target's last run
// while its broker is still up) includes the client. Samsa runs first, so
// its peak does not include kfake's (which keeps all data in memory).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"time"
)

func main() {
	sizeMiB := flag.Int("size", 256, "MiB produced per produce load and run")
	runs := flag.Int("runs", 3, "runs per target; the table shows the median")
	only := flag.String("only", "", "run one target only: samsa or kfake")
	rate := flag.Float64("rate", 50, "latency load rate in MB/s (10^6 bytes)")
	duration := flag.Duration("duration", 3*time.Second, "latency load duration")
	flag.Parse()
	if *only != "" && *only != "samsa" && *only != "kfake" {
		fmt.Fprintf(os.Stderr, "samsa-bench: -only %q: want samsa or kfake\n", *only)
		os.Exit(2)
	}
	if *runs < 1 || *sizeMiB < 1 || *rate <= 0 || *duration <= 0 {
		fmt.Fprintln(os.Stderr, "samsa-bench: -runs, -size, -rate and -duration must be positive")
		os.Exit(2)
	}

	cfg := loadConfig{
		bytes:    int64(*sizeMiB) << 20,
		record:   1024,
		rate:     *rate * 1e6,
		duration: *duration,
	}
	var results []targetResult
	for _, t := range targets {
		if *only != "" && *only != t.name {
			continue
		}
		r, err := runTarget(t, cfg, *runs)
		if err != nil {
			fmt.Fprintf(os.Stderr, "samsa-bench: %s: %v\n", t.name, err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	fmt.Printf("%d MiB per produce load, 1 KiB records, latency at %.0f MB/s for %v, median of %d runs\n\n",
		*sizeMiB, *rate, *duration, *runs)
	printTable(results)
}

// targetResult is the median of a target's runs, plus memory use.
type targetResult struct {
	name         string
	median       result
	rssKB, hwmKB int64
}

func runTarget(t target, cfg loadConfig, runs int) (targetResult, error) {
	var all []result
	tr := targetResult{name: t.name}
	for i := range runs {
		last := i == runs-1
		r, err := runOnce(t, cfg, func() {
			if last {
				tr.rssKB, tr.hwmKB = memory()
			}
		})
		if err != nil {
			return tr, fmt.Errorf("run %d: %w", i+1, err)
		}
		fmt.Fprintf(os.Stderr, "%s run %d: %s\n", t.name, i+1, r)
		all = append(all, r)
		// Return the stopped broker's memory (kfake's holds every record)
		// so that it does not weigh on the next run's garbage collection.
		debug.FreeOSMemory()
	}
	tr.median = medianOf(all)
	return tr, nil
}

func medianOf(rs []result) result {
	pick := func(f func(result) float64) float64 {
		vs := make([]float64, len(rs))
		for i, r := range rs {
			vs[i] = f(r)
		}
		slices.Sort(vs)
		if n := len(vs); n%2 == 0 {
			return (vs[n/2-1] + vs[n/2]) / 2
		}
		return vs[len(vs)/2]
	}
	return result{
		produce1: pick(func(r result) float64 { return r.produce1 }),
		produce4: pick(func(r result) float64 { return r.produce4 }),
		consume4: pick(func(r result) float64 { return r.consume4 }),
		p50:      time.Duration(pick(func(r result) float64 { return float64(r.p50) })),
		p99:      time.Duration(pick(func(r result) float64 { return float64(r.p99) })),
	}
}

func printTable(rs []targetResult) {
	fmt.Printf("%-30s", "")
	for _, r := range rs {
		fmt.Printf("%10s", r.name)
	}
	if len(rs) == 2 {
		fmt.Printf("%13s", "samsa/kfake")
	}
	fmt.Println()
	row := func(name, format string, f func(targetResult) float64) {
		fmt.Printf("%-30s", name)
		for _, r := range rs {
			fmt.Printf("%10s", fmt.Sprintf(format, f(r)))
		}
		if len(rs) == 2 && f(rs[1]) != 0 {
			fmt.Printf("%13.2f", f(rs[0])/f(rs[1]))
		}
		fmt.Println()
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	row("produce 1p (MiB/s)", "%.0f", func(r targetResult) float64 { return r.median.produce1 })
	row("produce 4p (MiB/s)", "%.0f", func(r targetResult) float64 { return r.median.produce4 })
	row("consume 4p (MiB/s)", "%.0f", func(r targetResult) float64 { return r.median.consume4 })
	row("produce latency p50 (ms)", "%.2f", func(r targetResult) float64 { return ms(r.median.p50) })
	row("produce latency p99 (ms)", "%.2f", func(r targetResult) float64 { return ms(r.median.p99) })
	row("process RSS after runs (MiB)", "%.0f", func(r targetResult) float64 { return float64(r.rssKB) / 1024 })
	row("process peak RSS (MiB)", "%.0f", func(r targetResult) float64 { return float64(r.hwmKB) / 1024 })
}
