package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"
)

// targetResult is the median of a target's runs.
type targetResult struct {
	name   string
	median result
}

func runTarget(ctx context.Context, t target, cfg loadConfig, runs int) (targetResult, error) {
	var all []result
	for i := range runs {
		r, err := runOnce(ctx, t, cfg)
		if err != nil {
			return targetResult{}, fmt.Errorf("run %d: %w", i+1, err)
		}
		fmt.Fprintf(os.Stderr, "%s run %d: %s\n", t.name, i+1, r)
		all = append(all, r)
	}
	return targetResult{name: t.name, median: medianOf(all)}, nil
}

// medianOf takes the median of every measurement on its own.
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
	duration := func(f func(result) time.Duration) time.Duration {
		return time.Duration(pick(func(r result) float64 { return float64(f(r)) }))
	}
	return result{
		produce1:  pick(func(r result) float64 { return r.produce1 }),
		produce4:  pick(func(r result) float64 { return r.produce4 }),
		consume4:  pick(func(r result) float64 { return r.consume4 }),
		p50:       duration(func(r result) time.Duration { return r.p50 }),
		p99:       duration(func(r result) time.Duration { return r.p99 }),
		rssKB:     int64(pick(func(r result) float64 { return float64(r.rssKB) })),
		hwmKB:     int64(pick(func(r result) float64 { return float64(r.hwmKB) })),
		brokerCPU: duration(func(r result) time.Duration { return r.brokerCPU }),
		clientCPU: duration(func(r result) time.Duration { return r.clientCPU }),
	}
}

func printTable(rs []targetResult) {
	fmt.Printf("%-32s", "")
	for _, r := range rs {
		fmt.Printf("%10s", r.name)
	}
	if len(rs) == 2 {
		fmt.Printf("%13s", "samsa/kfake")
	}
	fmt.Println()
	row := func(name, format string, f func(result) float64) {
		fmt.Printf("%-32s", name)
		for _, r := range rs {
			fmt.Printf("%10s", fmt.Sprintf(format, f(r.median)))
		}
		if len(rs) == 2 && f(rs[1].median) != 0 {
			fmt.Printf("%13.2f", f(rs[0].median)/f(rs[1].median))
		}
		fmt.Println()
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	row("produce 1p (MiB/s)", "%.0f", func(r result) float64 { return r.produce1 })
	row("produce 4p (MiB/s)", "%.0f", func(r result) float64 { return r.produce4 })
	row("consume 4p (MiB/s)", "%.0f", func(r result) float64 { return r.consume4 })
	row("produce latency p50 (ms)", "%.2f", func(r result) float64 { return ms(r.p50) })
	row("produce latency p99 (ms)", "%.2f", func(r result) float64 { return ms(r.p99) })
	row("broker RSS after loads (MiB)", "%.0f", func(r result) float64 { return float64(r.rssKB) / 1024 })
	row("broker peak RSS (MiB)", "%.0f", func(r result) float64 { return float64(r.hwmKB) / 1024 })
	row("broker CPU per run (s)", "%.1f", func(r result) float64 { return r.brokerCPU.Seconds() })
	row("client CPU per run (s)", "%.1f", func(r result) float64 { return r.clientCPU.Seconds() })
}
