package kafka

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/config"
)

// DescribeConfigs v1-4
//
// Behavior:
//   - TOPIC: every topic config with its effective value and source; an
//     unknown topic is UNKNOWN_TOPIC_OR_PARTITION (no message), an invalid
//     name INVALID_TOPIC_EXCEPTION.
//   - BROKER named by this node's id: every broker property, read-only
//     unless it is dynamic (config.IsDynamic), null when it has no value.
//     BROKER "" lists only the cluster-wide dynamic defaults. Another id,
//     or a name that is not a number, is INVALID_REQUEST.
//   - BROKER_LOGGER, CLIENT_METRICS, GROUP and unknown types are
//     INVALID_REQUEST for that resource (Kafka describes the first three;
//     Samsa has no such configs).
//   - ConfigNames null or empty asks for all; names the resource lacks are
//     left out, as Kafka does.
//   - Synonyms (when asked): the topic override, then the broker property
//     and the ones it derives from, by layer (this broker's dynamic, the
//     cluster-wide dynamic, static, built-in default), Kafka's order.
//   - Sensitive (PASSWORD) values are null.
//
// Version notes: v0 (IsDefault) is gone from Kafka 4; v1 synonyms and
// source; v3 config type and documentation; v4 flexible.
func (c *conn) handleDescribeConfigs(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeConfigsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeConfigsResponse)
	for _, res := range req.Resources {
		rr := kmsg.NewDescribeConfigsResponseResource()
		rr.ResourceType, rr.ResourceName = res.ResourceType, res.ResourceName
		entries, err := c.describeConfigs(res)
		rr.ErrorCode, rr.ErrorMessage = r.code(err), message(err)
		for _, e := range entries {
			if len(res.ConfigNames) == 0 || slices.Contains(res.ConfigNames, e.Name) {
				rr.Configs = append(rr.Configs, describedConfig(e, req))
			}
		}
		resp.Resources = append(resp.Resources, rr)
	}
	return respond(resp)
}

func (c *conn) describeConfigs(res kmsg.DescribeConfigsRequestResource) ([]config.Entry, error) {
	switch res.ResourceType {
	case kmsg.ConfigResourceTypeTopic:
		return c.s.b.DescribeTopicConfigs(res.ResourceName)
	case kmsg.ConfigResourceTypeBroker:
		return c.s.b.DescribeBrokerConfigs(res.ResourceName)
	}
	return nil, unsupportedResource(res.ResourceType)
}

// unsupportedResource answers resource types Samsa has no configs for.
func unsupportedResource(t kmsg.ConfigResourceType) error {
	return &broker.Error{Code: kerr.InvalidRequest, Message: "Unsupported resource type: " + t.String()}
}

func describedConfig(e config.Entry, req *kmsg.DescribeConfigsRequest) kmsg.DescribeConfigsResponseResourceConfig {
	rc := kmsg.NewDescribeConfigsResponseResourceConfig()
	rc.Name, rc.Value, rc.ReadOnly, rc.IsSensitive = e.Name, e.Value, e.ReadOnly, e.Sensitive
	rc.Source = kmsg.ConfigSource(e.Source)
	rc.ConfigType = configType(e.Type)
	if req.IncludeSynonyms {
		for _, s := range e.Synonyms {
			syn := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
			syn.Name, syn.Value, syn.Source = s.Name, s.Value, kmsg.ConfigSource(s.Source)
			rc.ConfigSynonyms = append(rc.ConfigSynonyms, syn)
		}
	}
	if req.IncludeDocumentation {
		doc := e.Doc
		rc.Documentation = &doc
	}
	return rc
}

// configType maps a property type to DescribeConfigs' ConfigType.
func configType(t config.Type) kmsg.ConfigType {
	switch t {
	case config.Boolean:
		return kmsg.ConfigTypeBoolean
	case config.Int:
		return kmsg.ConfigTypeInt
	case config.Long:
		return kmsg.ConfigTypeLong
	case config.Double:
		return kmsg.ConfigTypeDouble
	case config.String:
		return kmsg.ConfigTypeString
	case config.List:
		return kmsg.ConfigTypeList
	case config.Password:
		return kmsg.ConfigTypePassword
	}
	return kmsg.ConfigTypeUnknown
}
