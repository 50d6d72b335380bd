package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ListConfigResources v0-1 (ListClientMetricsResources before Kafka 4.1)
//
// Behavior:
//   - v0 lists client metrics resources (KIP-714): Samsa has none.
//   - v1 (KIP-1142) lists the resources of the types asked for (none: all
//     types): every topic (internal ones included) and this node as a
//     broker, as Kafka does. Samsa keeps no client metrics subscriptions
//     and no group configs, so those types list nothing.
//   - Deviation: Kafka also lists each broker as a broker logger; Samsa
//     has no dynamic loggers (DescribeConfigs refuses BROKER_LOGGER), so it
//     lists none rather than resources that cannot be described.
//   - A type other than topic (2), broker (4), broker logger (8), client
//     metrics (16), group (32) fails the request with UNSUPPORTED_VERSION.
//
// Version notes: flexible from v0; v1 resource types.
func (c *conn) handleListConfigResources(r *request) outcome {
	req := r.kreq.(*kmsg.ListConfigResourcesRequest)
	resp := req.ResponseKind().(*kmsg.ListConfigResourcesResponse)
	if req.Version == 0 {
		return respond(resp) // no client metrics resources
	}
	want := map[kmsg.ConfigResourceType]bool{}
	for _, t := range req.ResourceTypes {
		rt := kmsg.ConfigResourceType(t)
		if !listableConfigTypes[rt] {
			resp.ErrorCode = r.code(kerr.UnsupportedVersion)
			return respond(resp)
		}
		want[rt] = true
	}
	all := len(req.ResourceTypes) == 0
	add := func(name string, t kmsg.ConfigResourceType) {
		res := kmsg.NewListConfigResourcesResponseConfigResource()
		res.Name, res.Type = name, int8(t)
		resp.ConfigResources = append(resp.ConfigResources, res)
	}
	if all || want[kmsg.ConfigResourceTypeTopic] {
		for _, info := range c.s.b.Topics() {
			add(info.Name, kmsg.ConfigResourceTypeTopic)
		}
	}
	if all || want[kmsg.ConfigResourceTypeBroker] {
		add(itoa(int(c.s.b.NodeID())), kmsg.ConfigResourceTypeBroker)
	}
	return respond(resp)
}

// listableConfigTypes are the resource types ListConfigResources v1 knows.
var listableConfigTypes = map[kmsg.ConfigResourceType]bool{
	kmsg.ConfigResourceTypeTopic:         true,
	kmsg.ConfigResourceTypeBroker:        true,
	kmsg.ConfigResourceTypeBrokerLogger:  true,
	kmsg.ConfigResourceTypeClientMetrics: true,
	kmsg.ConfigResourceTypeGroupConfig:   true,
}
