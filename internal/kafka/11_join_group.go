package kafka

import (
	"net"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// JoinGroup v0-9
//
// Behavior: the classic group protocol, implemented by the group
// coordinator in the core (internal/group). The call blocks until the
// rebalance completes, so it runs off the connection's read loop.
//
// Version notes: v4 MEMBER_ID_REQUIRED (KIP-394); v5 group.instance.id
// (KIP-345); v6 flexible; v7 protocol type in the response; v8 reason.
func (c *conn) handleJoinGroup(r *request) outcome {
	req := r.kreq.(*kmsg.JoinGroupRequest)
	return outcome{wait: func() outcome {
		resp := c.s.b.Groups().JoinGroup(c.ctx, req, clientID(r), c.clientHost())
		r.noteError(resp.ErrorCode)
		return respond(resp)
	}}
}

func clientID(r *request) string {
	if r.clientID == nil {
		return ""
	}
	return *r.clientID
}

// clientHost is the peer address as Kafka reports it ("/127.0.0.1").
func (c *conn) clientHost() string {
	host, _, err := net.SplitHostPort(c.nc.RemoteAddr().String())
	if err != nil {
		return "/" + c.nc.RemoteAddr().String()
	}
	return "/" + host
}
