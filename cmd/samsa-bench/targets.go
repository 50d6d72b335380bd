package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/samsa-streaming/samsa"
)

// target starts a fresh single-broker cluster holding the given topics
// (name -> partitions) and returns its address and a stop function.
type target struct {
	name  string
	start func(topics map[string]int32) (addr string, stop func(), err error)
}

var targets = []target{
	{"samsa", startSamsa},
	{"kfake", startKfake},
}

func startSamsa(topics map[string]int32) (string, func(), error) {
	dir, err := os.MkdirTemp("", "samsa-bench-")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := samsa.Start(ctx, samsa.Options{DataDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func() {
		b.Close()
		os.RemoveAll(dir)
	}
	if err := createTopics(ctx, b.Addr(), topics); err != nil {
		stop()
		return "", nil, err
	}
	return b.Addr(), stop, nil
}

func startKfake(topics map[string]int32) (string, func(), error) {
	opts := []kfake.Opt{kfake.NumBrokers(1)}
	for name, partitions := range topics {
		opts = append(opts, kfake.SeedTopics(partitions, name))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return "", nil, err
	}
	return c.ListenAddrs()[0], c.Close, nil
}

func createTopics(ctx context.Context, addr string, topics map[string]int32) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	for name, partitions := range topics {
		if _, err := adm.CreateTopic(ctx, partitions, 1, nil, name); err != nil {
			return fmt.Errorf("creating topic %s: %w", name, err)
		}
	}
	return nil
}

// memory returns this process's resident set size and its peak, in KiB.
func memory() (rssKB, hwmKB int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rssKB = kb
		case "VmHWM":
			hwmKB = kb
		}
	}
	return rssKB, hwmKB
}
