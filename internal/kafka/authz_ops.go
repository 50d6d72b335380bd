package kafka

import "github.com/samsa-streaming/samsa/internal/auth"

// "Authorized operations" fields (Metadata v8+, DescribeGroups v3+,
// DescribeCluster, ConsumerGroupDescribe, DescribeTopicPartitions): a
// bitfield with bit n set when the principal may perform the operation
// with Kafka code n, over the operations Kafka reports for the resource
// type (auth.SupportedOperations), as AuthHelper.authorizedOperations
// computes it. Without an authorizer every one of them is set.

// notRequestedOps is Kafka's value when the client did not ask.
const notRequestedOps = int32(-2147483648)

// authorizedOps is the field for a resource, or notRequestedOps.
func (c *conn) authorizedOps(requested bool, t auth.ResourceType, name string) int32 {
	if !requested {
		return notRequestedOps
	}
	a := c.s.b.Authorizer()
	client := c.client()
	res := auth.Resource{Type: t, Name: name}
	var ops int32
	for _, op := range auth.SupportedOperations(t) {
		if a.Authorize(client, op, res) {
			ops |= 1 << op
		}
	}
	return ops
}

// clusterAuthorizedOps is the cluster's field: 0 without DESCRIBE on the
// cluster, as Kafka answers (Metadata v8-10, DescribeCluster).
func (c *conn) clusterAuthorizedOps(requested bool) int32 {
	if requested && !c.s.b.Authorizer().Authorize(c.client(), auth.OpDescribe, auth.Cluster) {
		return 0
	}
	return c.authorizedOps(requested, auth.ResourceCluster, auth.ClusterName)
}
