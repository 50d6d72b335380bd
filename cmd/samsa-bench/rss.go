package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// rssTargetMiB is the target: the broker's RSS after producing
// 10 GiB stays under this.
const rssTargetMiB = 256

// rssRun produces gib GiB of records with record-byte values, acks=all, to
// a 4-partition topic on a fresh broker of target t, one GiB (with fresh
// clients) at a time, printing throughput and the broker's memory after
// each GiB and at the end.
func rssRun(ctx context.Context, t target, gib, record int) (err error) {
	b, err := start(ctx, t, map[string]int32{"rss": 4})
	if err != nil {
		return err
	}
	defer func() {
		if serr := b.stop(); err == nil {
			err = serr
		}
	}()
	value := make([]byte, record)
	rand.Read(value)
	began := time.Now()
	for i := range gib {
		gctx, cancel := context.WithTimeout(ctx, runTimeout)
		mibs, err := produce(gctx, b.addr, "rss", 4, 1<<30, value)
		cancel()
		if err != nil {
			return fmt.Errorf("GiB %d: %w", i+1, err)
		}
		m := b.memory()
		fmt.Fprintf(os.Stderr, "rss run: %d GiB produced, this GiB at %.0f MiB/s, broker %s\n", i+1, mibs, m)
	}
	m := b.memory()
	verdict := "met"
	if m.rss>>10 >= rssTargetMiB {
		verdict = "MISSED"
	}
	fmt.Printf("\n%s broker after producing %d GiB (1 KiB records, acks=all, 4 partitions) in %v:\n"+
		"  %s; target RSS under %d MiB: %s\n",
		t.name, gib, time.Since(began).Round(time.Second), m, rssTargetMiB, verdict)
	return nil
}

// filesystem describes where the brokers' data directories go.
type filesystem struct {
	dir, mount, device, fstype string
	free                       uint64 // bytes available to us
}

func (f filesystem) String() string {
	return fmt.Sprintf("%s: %s on %s mounted at %s, %.0f GiB free",
		f.dir, f.fstype, f.device, f.mount, float64(f.free)/(1<<30))
}

// dataFS describes the filesystem of os.TempDir, where the data
// directories are made. The mount is the longest mount point in
// /proc/mounts that holds the directory; off Linux it stays empty.
func dataFS() (filesystem, error) {
	dir, err := filepath.EvalSymlinks(os.TempDir())
	if err != nil {
		return filesystem{}, err
	}
	fs := filesystem{dir: dir, mount: "?", device: "?", fstype: "?"}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return fs, fmt.Errorf("statfs %s: %w", dir, err)
	}
	fs.free = uint64(st.Bavail) * uint64(st.Bsize)
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return fs, nil
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		// device mountpoint fstype options dump pass
		fields := strings.Fields(s.Text())
		if len(fields) < 3 {
			continue
		}
		mount := fields[1]
		within := dir == mount || strings.HasPrefix(dir, strings.TrimSuffix(mount, "/")+"/")
		if within && (fs.mount == "?" || len(mount) >= len(fs.mount)) {
			fs.mount, fs.device, fs.fstype = mount, fields[0], fields[2]
		}
	}
	return fs, nil
}
