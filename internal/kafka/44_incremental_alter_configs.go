package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/config"
)

// IncrementalAlterConfigs v0-1
//
// Behavior:
//   - Applies SET, DELETE, APPEND and SUBTRACT to a resource's configs in
//     order. APPEND/SUBTRACT work on LIST configs (cleanup.policy,
//     log.cleanup.policy), starting from the built-in default when the
//     config is not set; on other configs they are INVALID_CONFIG. An
//     operation Kafka does not define is INVALID_REQUEST.
//   - A null value is INVALID_REQUEST except for DELETE.
//   - Resources, validation, errors, persistence and live application are
//     as for AlterConfigs (33_alter_configs.go).
//   - BROKER_LOGGER (Kafka's log4j levels), CLIENT_METRICS, GROUP and
//     unknown types are INVALID_REQUEST: Samsa has no such configs.
//
// Version notes: v1 flexible.
func (c *conn) handleIncrementalAlterConfigs(r *request) outcome {
	req := r.kreq.(*kmsg.IncrementalAlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
	c.alterEach(r, len(req.Resources),
		func(i int) (kmsg.ConfigResourceType, string) {
			return req.Resources[i].ResourceType, req.Resources[i].ResourceName
		},
		func(i int) error { return c.incrementalAlterConfigs(req.Resources[i], req.ValidateOnly) },
		func(i int, code int16, msg *string) {
			rr := kmsg.NewIncrementalAlterConfigsResponseResource()
			rr.ResourceType, rr.ResourceName = req.Resources[i].ResourceType, req.Resources[i].ResourceName
			rr.ErrorCode, rr.ErrorMessage = code, msg
			resp.Resources = append(resp.Resources, rr)
		})
	return respond(resp)
}

func (c *conn) incrementalAlterConfigs(res kmsg.IncrementalAlterConfigsRequestResource, validateOnly bool) error {
	alter := broker.AlterConfigs{ValidateOnly: validateOnly}
	var nulls []string
	for _, cfg := range res.Configs {
		op := config.Op{Name: cfg.Name, Type: config.OpType(cfg.Op)}
		switch {
		case cfg.Value != nil:
			op.Value = *cfg.Value
		case op.Type != config.OpDelete:
			nulls = append(nulls, cfg.Name)
		}
		alter.Ops = append(alter.Ops, op)
	}
	if err := checkConfigNames(len(res.Configs), func(i int) string { return res.Configs[i].Name }, nulls); err != nil {
		return err
	}
	return c.alterResource(res.ResourceType, res.ResourceName, alter,
		kmsg.ConfigResourceTypeBrokerLogger, kmsg.ConfigResourceTypeClientMetrics, kmsg.ConfigResourceTypeGroupConfig)
}
