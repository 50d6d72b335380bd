package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func clusterInfoCommand() *command {
	return &command{
		path: "cluster info", maxArgs: 0,
		summary: "show the cluster id, controller and brokers",
		details: `
The controller is marked with * in the broker list. --api-versions adds the
Kafka APIs each broker serves, with their version ranges.

Examples:
  samsa cluster info
  samsa cluster info --api-versions
  samsa cluster info --json | jq -r .cluster_id`,
		setup: func(fs *flagSet) action {
			apis := fs.Bool("api-versions", false, "also list the APIs each broker supports and their versions")
			return func(ctx context.Context, s *session, _ []string) error {
				return clusterInfo(ctx, s, *apis)
			}
		},
	}
}

type clusterDescription struct {
	ClusterID   string           `json:"cluster_id"`
	Controller  int32            `json:"controller"`
	Brokers     []brokerInfo     `json:"brokers"`
	APIVersions []brokerVersions `json:"api_versions,omitempty"`
}

type brokerInfo struct {
	ID   int32   `json:"id"`
	Host string  `json:"host"`
	Port int32   `json:"port"`
	Rack *string `json:"rack"`
}

type brokerVersions struct {
	Broker int32        `json:"broker"`
	APIs   []apiVersion `json:"apis"`
	Error  *string      `json:"error,omitempty"`
}

type apiVersion struct {
	Key  int16  `json:"key"`
	Name string `json:"name"`
	Min  int16  `json:"min"`
	Max  int16  `json:"max"`
}

func clusterInfo(ctx context.Context, s *session, withAPIs bool) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	m, err := adm.BrokerMetadata(ctx)
	if err != nil {
		return err
	}
	desc := clusterDescription{ClusterID: m.Cluster, Controller: m.Controller, Brokers: []brokerInfo{}}
	for _, b := range m.Brokers {
		desc.Brokers = append(desc.Brokers, brokerInfo{b.NodeID, b.Host, b.Port, b.Rack})
	}
	if withAPIs {
		vs, err := adm.ApiVersions(ctx)
		if err != nil {
			return err
		}
		desc.APIVersions = apiVersions(vs)
	}
	if s.g.json {
		return writeJSON(s.env.Stdout, desc)
	}
	printCluster(s.env.Stdout, desc)
	return nil
}

func apiVersions(vs kadm.BrokersApiVersions) []brokerVersions {
	var out []brokerVersions
	for _, v := range vs.Sorted() {
		bv := brokerVersions{Broker: v.NodeID, APIs: []apiVersion{}, Error: errString(v.Err)}
		v.EachKeySorted(func(key, lo, hi int16) {
			bv.APIs = append(bv.APIs, apiVersion{key, kmsg.NameForKey(key), lo, hi})
		})
		out = append(out, bv)
	}
	return out
}

func printCluster(w io.Writer, d clusterDescription) {
	t := newTable(w)
	t.row("CLUSTER", d.ClusterID)
	t.row("CONTROLLER", d.Controller)
	t.flush()
	fmt.Fprintln(w)
	t = newTable(w, "BROKER", "HOST", "PORT", "RACK")
	for _, b := range d.Brokers {
		id := fmt.Sprint(b.ID)
		if b.ID == d.Controller {
			id += "*"
		}
		t.row(id, b.Host, b.Port, cell(b.Rack))
	}
	t.flush()
	for _, bv := range d.APIVersions {
		fmt.Fprintf(w, "\nBROKER %d APIS\n", bv.Broker)
		if bv.Error != nil {
			fmt.Fprintf(w, "error: %s\n", *bv.Error)
			continue
		}
		t = newTable(w, "KEY", "API", "MIN", "MAX")
		for _, a := range bv.APIs {
			t.row(a.Key, a.Name, a.Min, a.Max)
		}
		t.flush()
	}
}
