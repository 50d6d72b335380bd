package kafka

import (
	"fmt"
	"slices"
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
	c.alterEach(r, len(req.Resources),
		func(i int) (kmsg.ConfigResourceType, string) {
			return req.Resources[i].ResourceType, req.Resources[i].ResourceName
		},
		func(i int) error { return c.alterConfigs(req.Resources[i], req.ValidateOnly) },
		func(i int, code int16, msg *string) {
			rr := kmsg.NewAlterConfigsResponseResource()
			rr.ResourceType, rr.ResourceName = req.Resources[i].ResourceType, req.Resources[i].ResourceName
			rr.ErrorCode, rr.ErrorMessage = code, msg
			resp.Resources = append(resp.Resources, rr)
		})
	return respond(resp)
}

// alterEach answers each of n resources of an alter request in order: a
// resource given twice is refused, the others go to alter, and refusals
// are logged.
func (c *conn) alterEach(r *request, n int, resource func(int) (kmsg.ConfigResourceType, string),
	alter func(int) error, answer func(i int, code int16, msg *string)) {
	dups := duplicates(n, func(i int) string { return resourceKey(resource(i)) })
	for i := range n {
		t, name := resource(i)
		var err error = duplicateResource
		if !dups[resourceKey(t, name)] {
			err = alter(i)
		}
		c.logRefusal(t, name, err)
		answer(i, r.code(err), message(err))
	}
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
	// BROKER_LOGGER is an unknown type here: Kafka changes log levels only
	// incrementally.
	return c.alterResource(res.ResourceType, res.ResourceName, alter,
		kmsg.ConfigResourceTypeClientMetrics, kmsg.ConfigResourceTypeGroupConfig)
}

// alterResource applies alter to a topic or this broker; the unsupported
// types are ones Kafka has but Samsa has no configs for, any other type is
// unknown.
func (c *conn) alterResource(t kmsg.ConfigResourceType, name string, alter broker.AlterConfigs, unsupported ...kmsg.ConfigResourceType) error {
	switch {
	case t == kmsg.ConfigResourceTypeTopic:
		return c.s.b.AlterTopicConfigs(name, alter)
	case t == kmsg.ConfigResourceTypeBroker:
		return c.s.b.AlterBrokerConfigs(name, alter)
	case slices.Contains(unsupported, t):
		return unsupportedResource(t)
	}
	return &broker.Error{Code: kerr.InvalidRequest, Message: fmt.Sprintf("Unknown resource type %d", t)}
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
