package kafka

import (
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/config"
)

// AlterConfigs v0-2
//
// Behavior:
//   - Replaces the whole set of a resource's configs: keys not given are
//     removed (topic overrides, or one scope's dynamic broker configs).
//   - TOPIC: unknown or unsupported names and bad values are
//     INVALID_CONFIG; an unknown topic UNKNOWN_TOPIC_OR_PARTITION (checked
//     after the configs, as Kafka's controller does). Changes persist in
//     topics.json and apply to the live partitions at once.
//   - BROKER "" (cluster-wide defaults) or this node's id: only dynamic
//     properties; others are INVALID_REQUEST "Cannot update these configs
//     dynamically", and so are bad values (Kafka wraps them so, KAFKA-13609);
//     another broker id is INVALID_REQUEST. Changes persist in
//     broker_configs.json and apply to every topic at once.
//   - A resource given twice is INVALID_REQUEST for each; a key given twice
//     in one resource, or a null value, is INVALID_REQUEST for it.
//   - BROKER_LOGGER and unknown types are INVALID_REQUEST, as in Kafka;
//     so are CLIENT_METRICS and GROUP, which Samsa has no configs for.
//   - ValidateOnly checks everything and changes nothing.
//
// Version notes: v1 throttles after the response; v2 flexible.
func (c *conn) handleAlterConfigs(r *request) outcome {
	req := r.kreq.(*kmsg.AlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.AlterConfigsResponse)
	dups := duplicates(len(req.Resources), func(i int) string {
		return resourceKey(req.Resources[i].ResourceType, req.Resources[i].ResourceName)
	})
	for _, res := range req.Resources {
		rr := kmsg.NewAlterConfigsResponseResource()
		rr.ResourceType, rr.ResourceName = res.ResourceType, res.ResourceName
		var err error
		if dups[resourceKey(res.ResourceType, res.ResourceName)] {
			err = duplicateResource
		} else {
			err = c.alterConfigs(res, req.ValidateOnly)
		}
		c.logRefusal(res.ResourceType, res.ResourceName, err)
		rr.ErrorCode, rr.ErrorMessage = r.code(err), message(err)
		resp.Resources = append(resp.Resources, rr)
	}
	return respond(resp)
}

func (c *conn) alterConfigs(res kmsg.AlterConfigsRequestResource, validateOnly bool) error {
	alter := broker.AlterConfigs{Replace: true, ValidateOnly: validateOnly}
	var nulls []string
	for _, cfg := range res.Configs {
		if cfg.Value == nil {
			nulls = append(nulls, cfg.Name)
			continue
		}
		alter.Ops = append(alter.Ops, config.Op{Name: cfg.Name, Type: config.OpSet, Value: *cfg.Value})
	}
	if err := checkConfigNames(len(res.Configs), func(i int) string { return res.Configs[i].Name }, nulls); err != nil {
		return err
	}
	switch res.ResourceType {
	case kmsg.ConfigResourceTypeTopic:
		return c.s.b.AlterTopicConfigs(res.ResourceName, alter)
	case kmsg.ConfigResourceTypeBroker:
		return c.s.b.AlterBrokerConfigs(res.ResourceName, alter)
	case kmsg.ConfigResourceTypeClientMetrics, kmsg.ConfigResourceTypeGroupConfig:
		return unsupportedResource(res.ResourceType)
	}
	// BROKER_LOGGER too: Kafka changes log levels only incrementally.
	return &broker.Error{Code: kerr.InvalidRequest, Message: fmt.Sprintf("Unknown resource type %d", res.ResourceType)}
}

var duplicateResource = &broker.Error{Code: kerr.InvalidRequest, Message: "Each resource must appear at most once."}

func resourceKey(t kmsg.ConfigResourceType, name string) string {
	return fmt.Sprintf("%d/%s", t, name)
}

// checkConfigNames applies the checks Kafka's ConfigAdminManager makes on
// the broker before anything else: no name twice, no null value where one
// is needed.
func checkConfigNames(n int, name func(int) string, nulls []string) error {
	if len(duplicates(n, name)) > 0 {
		return &broker.Error{Code: kerr.InvalidRequest, Message: "Error due to duplicate config keys"}
	}
	if len(nulls) > 0 {
		return &broker.Error{Code: kerr.InvalidRequest, Message: "Null value not supported for : " + strings.Join(nulls, ", ")}
	}
	return nil
}

// logRefusal logs a refused change; the broker core logs applied ones.
func (c *conn) logRefusal(t kmsg.ConfigResourceType, name string, err error) {
	if err != nil {
		c.lg.Info("config change refused", "type", t.String(), "resource", name, "err", err)
	}
}
