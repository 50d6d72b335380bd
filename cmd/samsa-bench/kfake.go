package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

// serveKfakeFlag, as the first argument, makes this binary serve a
// one-broker kfake cluster on the address that follows instead of running
// the benchmark. It is not a flag.FlagSet flag so that -h does not list it:
// only the benchmark itself uses it, to run kfake in a child process.
const serveKfakeFlag = "-serve-kfake"

// serveKfake serves kfake, which keeps every record in memory, on addr
// (kfake always listens on 127.0.0.1) until SIGTERM or SIGINT.
func serveKfake(addr string) int {
	host, portText, err := net.SplitHostPort(addr)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || host != "127.0.0.1" {
		fmt.Fprintf(os.Stderr, "samsa-bench: %s %q: want 127.0.0.1:PORT\n", serveKfakeFlag, addr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "samsa-bench: kfake:", err)
		return 1
	}
	<-ctx.Done()
	c.Close()
	return 0
}
