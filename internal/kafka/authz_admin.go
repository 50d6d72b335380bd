package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/auth"
)

// Rules of the cluster admin APIs: configs (DESCRIBE_CONFIGS /
// ALTER_CONFIGS on the resource: topic, cluster for broker, broker logger
// and client metrics, group), and the APIs that need one operation on the
// cluster, refused whole with CLUSTER_AUTHORIZATION_FAILED.

// configCode is the refusal of op on a config resource, 0 if allowed or
// of a type the handler refuses anyway.
func (z *authzCheck) configCode(op auth.Operation, t kmsg.ConfigResourceType, name string) int16 {
	switch t {
	case kmsg.ConfigResourceTypeTopic:
		if !z.topic(op, name) {
			return topicDenied
		}
	case kmsg.ConfigResourceTypeBroker, kmsg.ConfigResourceTypeBrokerLogger, kmsg.ConfigResourceTypeClientMetrics:
		if !z.cluster(op) {
			return clusterDenied
		}
	case kmsg.ConfigResourceTypeGroupConfig:
		if !z.group(op, name) {
			return groupDenied
		}
	}
	return 0
}

// configRefusal is a refused config resource.
type configRefusal struct {
	t    kmsg.ConfigResourceType
	name string
	code int16
}

// refuseConfigs takes the resources op is refused on out of *resources,
// except those named twice, which the handler answers INVALID_REQUEST.
func refuseConfigs[T any](z *authzCheck, op auth.Operation, resources *[]T, key func(*T) (kmsg.ConfigResourceType, string)) []configRefusal {
	dups := duplicates(len(*resources), func(i int) string { return resourceKey(key(&(*resources)[i])) })
	var refused []configRefusal
	split(resources, func(res *T) bool {
		t, name := key(res)
		code := z.configCode(op, t, name)
		if code != 0 && !dups[resourceKey(t, name)] {
			refused = append(refused, configRefusal{t, name, code})
			return false
		}
		return true
	})
	return refused
}

func authorizeDescribeConfigs(z *authzCheck, req *kmsg.DescribeConfigsRequest) verdict {
	refused := refuseConfigs(z, auth.OpDescribeConfigs, &req.Resources, func(r *kmsg.DescribeConfigsRequestResource) (kmsg.ConfigResourceType, string) {
		return r.ResourceType, r.ResourceName
	})
	return configPatch(z, refused, func(r kmsg.Response, c configRefusal) {
		resp := r.(*kmsg.DescribeConfigsResponse)
		rr := kmsg.NewDescribeConfigsResponseResource()
		rr.ResourceType, rr.ResourceName, rr.ErrorCode, rr.ErrorMessage = c.t, c.name, c.code, errorMessage(c.code)
		rr.Configs = []kmsg.DescribeConfigsResponseResourceConfig{}
		resp.Resources = append(resp.Resources, rr)
	})
}

func authorizeAlterConfigs(z *authzCheck, req *kmsg.AlterConfigsRequest) verdict {
	refused := refuseConfigs(z, auth.OpAlterConfigs, &req.Resources, func(r *kmsg.AlterConfigsRequestResource) (kmsg.ConfigResourceType, string) {
		return r.ResourceType, r.ResourceName
	})
	return configPatch(z, refused, func(r kmsg.Response, c configRefusal) {
		resp := r.(*kmsg.AlterConfigsResponse)
		rr := kmsg.NewAlterConfigsResponseResource()
		rr.ResourceType, rr.ResourceName, rr.ErrorCode, rr.ErrorMessage = c.t, c.name, c.code, errorMessage(c.code)
		resp.Resources = append(resp.Resources, rr)
	})
}

func authorizeIncrementalAlterConfigs(z *authzCheck, req *kmsg.IncrementalAlterConfigsRequest) verdict {
	refused := refuseConfigs(z, auth.OpAlterConfigs, &req.Resources, func(r *kmsg.IncrementalAlterConfigsRequestResource) (kmsg.ConfigResourceType, string) {
		return r.ResourceType, r.ResourceName
	})
	return configPatch(z, refused, func(r kmsg.Response, c configRefusal) {
		resp := r.(*kmsg.IncrementalAlterConfigsResponse)
		rr := kmsg.NewIncrementalAlterConfigsResponseResource()
		rr.ResourceType, rr.ResourceName, rr.ErrorCode, rr.ErrorMessage = c.t, c.name, c.code, errorMessage(c.code)
		resp.Resources = append(resp.Resources, rr)
	})
}

func configPatch(z *authzCheck, refused []configRefusal, add func(kmsg.Response, configRefusal)) verdict {
	if len(refused) == 0 {
		return verdict{}
	}
	return verdict{patch: func(r kmsg.Response) {
		for _, c := range refused {
			add(r, c)
		}
		z.failed(len(refused))
	}}
}

// clusterRule refuses a request without op on the cluster, answering
// refusal(request) instead.
func clusterRule[R kmsg.Request](op auth.Operation, refusal func(R) kmsg.Response) authzRule {
	return rule(func(z *authzCheck, req R) verdict {
		if z.cluster(op) {
			return verdict{}
		}
		return deny(refusal(req))
	})
}

// Whole-request refusals, shaped as Kafka's getErrorResponse for each API.

func describeLogDirsRefused(req *kmsg.DescribeLogDirsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.DescribeLogDirsResponse)
	resp.ErrorCode = clusterDenied // v3+; before, just no directories
	return resp
}

func electLeadersRefused(req *kmsg.ElectLeadersRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.ElectLeadersResponse)
	resp.ErrorCode = clusterDenied
	for _, t := range req.Topics {
		rt := kmsg.NewElectLeadersResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewElectLeadersResponseTopicPartition()
			rp.Partition, rp.ErrorCode, rp.ErrorMessage = p, clusterDenied, errorMessage(clusterDenied)
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func alterReassignmentsRefused(req *kmsg.AlterPartitionAssignmentsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.AlterPartitionAssignmentsResponse)
	resp.ErrorCode, resp.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
	resp.AllowReplicationFactorChange = req.AllowReplicationFactorChange
	for _, t := range req.Topics {
		rt := kmsg.NewAlterPartitionAssignmentsResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewAlterPartitionAssignmentsResponseTopicPartition()
			rp.Partition, rp.ErrorCode, rp.ErrorMessage = p.Partition, clusterDenied, errorMessage(clusterDenied)
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func listReassignmentsRefused(req *kmsg.ListPartitionReassignmentsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.ListPartitionReassignmentsResponse)
	resp.ErrorCode, resp.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
	return resp
}

func describeQuotasRefused(req *kmsg.DescribeClientQuotasRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.DescribeClientQuotasResponse)
	resp.ErrorCode, resp.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
	return resp
}

func alterQuotasRefused(req *kmsg.AlterClientQuotasRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.AlterClientQuotasResponse)
	for _, e := range req.Entries {
		entry := kmsg.NewAlterClientQuotasResponseEntry()
		entry.ErrorCode, entry.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
		for _, p := range e.Entity {
			ent := kmsg.NewAlterClientQuotasResponseEntryEntity()
			ent.Type, ent.Name = p.Type, p.Name
			entry.Entity = append(entry.Entity, ent)
		}
		resp.Entries = append(resp.Entries, entry)
	}
	return resp
}

func listConfigResourcesRefused(req *kmsg.ListConfigResourcesRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.ListConfigResourcesResponse)
	resp.ErrorCode = clusterDenied
	return resp
}

func describeACLsRefused(req *kmsg.DescribeACLsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.DescribeACLsResponse)
	resp.ErrorCode, resp.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
	return resp
}

func createACLsRefused(req *kmsg.CreateACLsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.CreateACLsResponse)
	for range req.Creations {
		res := kmsg.NewCreateACLsResponseResult()
		res.ErrorCode, res.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
		resp.Results = append(resp.Results, res)
	}
	return resp
}

func deleteACLsRefused(req *kmsg.DeleteACLsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.DeleteACLsResponse)
	for range req.Filters {
		res := kmsg.NewDeleteACLsResponseResult()
		res.ErrorCode, res.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
		resp.Results = append(resp.Results, res)
	}
	return resp
}

func describeScramRefused(req *kmsg.DescribeUserSCRAMCredentialsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.DescribeUserSCRAMCredentialsResponse)
	resp.ErrorCode, resp.ErrorMessage = clusterDenied, errorMessage(clusterDenied)
	return resp
}

func alterScramRefused(req *kmsg.AlterUserSCRAMCredentialsRequest) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.AlterUserSCRAMCredentialsResponse)
	add := func(user string) {
		res := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
		res.User, res.ErrorCode, res.ErrorMessage = user, clusterDenied, errorMessage(clusterDenied)
		resp.Results = append(resp.Results, res)
	}
	for _, d := range req.Deletions {
		add(d.Name)
	}
	for _, u := range req.Upsertions {
		add(u.Name)
	}
	return resp
}
