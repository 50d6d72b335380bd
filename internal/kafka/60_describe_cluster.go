package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeCluster v0-2
//
// Behavior:
//   - One broker, this node, which is also named as controller.
//   - v1+: endpoint type 1 (brokers) is served; 2 (controllers) gets
//     UNSUPPORTED_ENDPOINT_TYPE as from a Kafka broker; others INVALID_REQUEST.
//
// Version notes: v1 endpoint type; v2 fenced brokers (none here).
func (c *conn) handleDescribeCluster(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeClusterRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.EndpointType = req.EndpointType
	if req.Version >= 1 && req.EndpointType != 1 {
		code := kerr.InvalidRequest
		if req.EndpointType == 2 {
			code = kerr.UnsupportedEndpointType
		}
		resp.ErrorCode = r.code(code)
		return respond(resp)
	}
	b := c.s.b
	resp.ClusterID = b.ClusterID()
	resp.ControllerID = b.NodeID()
	br := kmsg.NewDescribeClusterResponseBroker()
	br.NodeID, br.Host, br.Port = b.NodeID(), c.l.host, c.l.port
	resp.Brokers = []kmsg.DescribeClusterResponseBroker{br}
	resp.ClusterAuthorizedOperations = c.clusterAuthorizedOps(req.IncludeClusterAuthorizedOperations)
	return respond(resp)
}
