//go:build unix

package process

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCLIClusterInfo(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	addr := b.Addr()

	out := cliOK(t, addr, "", "cluster", "info")
	for _, want := range []string{"CLUSTER", "CONTROLLER", "BROKER", "127.0.0.1", strconv.Itoa(b.port)} {
		if !strings.Contains(out, want) {
			t.Errorf("cluster info lacks %q:\n%s", want, out)
		}
	}
	var info struct {
		ClusterID  string `json:"cluster_id"`
		Controller int32  `json:"controller"`
		Brokers    []struct {
			ID   int32  `json:"id"`
			Host string `json:"host"`
			Port int    `json:"port"`
		} `json:"brokers"`
		APIVersions []struct {
			APIs []struct {
				Key      int16  `json:"key"`
				Name     string `json:"name"`
				Min, Max int16
			} `json:"apis"`
		} `json:"api_versions"`
	}
	cliJSON(t, addr, &info, "cluster", "info", "--api-versions")
	if info.ClusterID == "" || len(info.Brokers) != 1 || info.Brokers[0].Port != b.port || info.Controller != info.Brokers[0].ID {
		t.Fatalf("cluster info --json: %+v", info)
	}
	if len(info.APIVersions) != 1 || len(info.APIVersions[0].APIs) == 0 {
		t.Fatalf("no API versions: %+v", info.APIVersions)
	}
	produce := info.APIVersions[0].APIs[0]
	if produce.Key != 0 || produce.Name != "Produce" || produce.Max < 3 {
		t.Errorf("first API: %+v, want Produce", produce)
	}
	if out := cliOK(t, addr, "", "cluster", "info", "--api-versions"); !strings.Contains(out, "ApiVersions") {
		t.Errorf("cluster info --api-versions lacks ApiVersions:\n%s", out)
	}
}

// Nothing listens: every command fails with exit 1 and "cannot connect",
// well within its --timeout.
func TestCLIBrokerDown(t *testing.T) {
	t.Parallel()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	for _, args := range [][]string{
		{"cluster", "info"},
		{"topic", "list"},
		{"topic", "create", "t"},
		{"group", "describe", "g"},
		{"produce", "t"},
		{"consume", "t"},
	} {
		start := time.Now()
		r := samsaCLI(t, addr, "x\n", append(args, "--timeout", "3s")...)
		r.wantFailure(t, 1, "cannot connect to "+addr)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("samsa %v took %v with --timeout 3s", args, d)
		}
	}
}

// A broker that goes away while a client waits on it: the command ends
// within its --timeout with exit 1, not hanging.
func TestCLIBrokerStopsAnswering(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and never answer
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	r := samsaCLI(t, ln.Addr().String(), "", "topic", "list", "--timeout", "1s")
	r.wantFailure(t, 1, "cannot connect")
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("topic list against a silent listener took %v with --timeout 1s", d)
	}
}

func TestCLIHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"--help"}, {"topic", "--help"}, {"consume", "--help"}, {"help", "group", "reset-offsets"}} {
		out := cliOK(t, "127.0.0.1:1", "", args...)
		if !strings.Contains(out, "Usage:") {
			t.Errorf("samsa %v: no usage on stdout:\n%s", args, out)
		}
	}
	if out := cliOK(t, "127.0.0.1:1", "", "consume", "--help"); !strings.Contains(out, "Examples:") {
		t.Errorf("consume --help has no examples:\n%s", out)
	}
	samsaCLI(t, "127.0.0.1:1", "", "frobnicate").wantFailure(t, 2, `unknown command "frobnicate"`)
	samsaCLI(t, "127.0.0.1:1", "", "cluster", "info", "--nope").wantFailure(t, 2, "Usage:")
}
