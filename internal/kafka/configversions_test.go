package kafka_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Version checks of the config APIs. Each version alters its own topic, so
// the shared "versions" topic keeps the broker's defaults.

func init() {
	versionChecks[32] = checkDescribeConfigs
	versionChecks[33] = checkAlterConfigs
	versionChecks[44] = checkIncrementalAlterConfigs
}

// describeTopicConfig returns one config of a topic as DescribeConfigs v
// reports it.
func describeTopicConfig(t *testing.T, c *rawConn, topic, name string, v int16) kmsg.DescribeConfigsResponseResourceConfig {
	t.Helper()
	req := kmsg.NewPtrDescribeConfigsRequest()
	req.IncludeSynonyms, req.IncludeDocumentation = true, true
	res := kmsg.NewDescribeConfigsRequestResource()
	res.ResourceType, res.ResourceName, res.ConfigNames = kmsg.ConfigResourceTypeTopic, topic, []string{name, "no.such.config"}
	req.Resources = append(req.Resources, res)
	resp := c.roundTrip(req, v).(*kmsg.DescribeConfigsResponse)
	if len(resp.Resources) != 1 {
		t.Fatalf("%d resources", len(resp.Resources))
	}
	rr := resp.Resources[0]
	wantCode(t, "describe", rr.ErrorCode)
	if len(rr.Configs) != 1 || rr.Configs[0].Name != name {
		t.Fatalf("asked for %s and an unknown name, got %+v", name, rr.Configs)
	}
	return rr.Configs[0]
}

func checkDescribeConfigs(t *testing.T, c *rawConn, v int16) {
	got := describeTopicConfig(t, c, "versions", "retention.ms", v)
	if got.Value == nil || *got.Value != "604800000" || got.Source != kmsg.ConfigSourceDefaultConfig || got.ReadOnly {
		t.Fatalf("retention.ms = %+v, want the 7 day default, not read-only", got)
	}
	if v >= 3 && (got.ConfigType != kmsg.ConfigTypeLong || got.Documentation == nil) {
		t.Fatalf("v%d: type %v, documentation %v", v, got.ConfigType, got.Documentation)
	}
	policy := describeTopicConfig(t, c, "versions", "cleanup.policy", v)
	if len(policy.ConfigSynonyms) != 1 || policy.ConfigSynonyms[0].Name != "log.cleanup.policy" {
		t.Fatalf("cleanup.policy synonyms %+v, want the default log.cleanup.policy", policy.ConfigSynonyms)
	}
}

func checkAlterConfigs(t *testing.T, c *rawConn, v int16) {
	topic := fmt.Sprintf("altered-v%d", v)
	createTopic(t, c, topic, 1)
	req := kmsg.NewPtrAlterConfigsRequest()
	res := kmsg.NewAlterConfigsRequestResource()
	res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeTopic, topic
	value := "3600000"
	cfg := kmsg.NewAlterConfigsRequestResourceConfig()
	cfg.Name, cfg.Value = "retention.ms", &value
	res.Configs = append(res.Configs, cfg)
	req.Resources = append(req.Resources, res)
	resp := c.roundTrip(req, v).(*kmsg.AlterConfigsResponse)
	if len(resp.Resources) != 1 || resp.Resources[0].ResourceName != topic {
		t.Fatalf("resources %+v", resp.Resources)
	}
	wantCode(t, "alter", resp.Resources[0].ErrorCode)
	got := describeTopicConfig(t, c, topic, "retention.ms", 4)
	if got.Value == nil || *got.Value != value || got.Source != kmsg.ConfigSourceDynamicTopicConfig {
		t.Fatalf("after AlterConfigs v%d: %+v", v, got)
	}
}

func checkIncrementalAlterConfigs(t *testing.T, c *rawConn, v int16) {
	topic := fmt.Sprintf("incremental-v%d", v)
	createTopic(t, c, topic, 1)
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	res := kmsg.NewIncrementalAlterConfigsRequestResource()
	res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeTopic, topic
	value := "compact"
	cfg := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	cfg.Name, cfg.Op, cfg.Value = "cleanup.policy", kmsg.IncrementalAlterConfigOpAppend, &value
	res.Configs = append(res.Configs, cfg)
	req.Resources = append(req.Resources, res)
	resp := c.roundTrip(req, v).(*kmsg.IncrementalAlterConfigsResponse)
	if len(resp.Resources) != 1 {
		t.Fatalf("resources %+v", resp.Resources)
	}
	if code := resp.Resources[0].ErrorCode; code != 0 {
		t.Fatalf("APPEND compact: %v %v", kerr.ErrorForCode(code), resp.Resources[0].ErrorMessage)
	}
	got := describeTopicConfig(t, c, topic, "cleanup.policy", 4)
	if got.Value == nil || *got.Value != "delete,compact" {
		t.Fatalf("cleanup.policy after APPEND compact to the default: %+v", got)
	}
}
