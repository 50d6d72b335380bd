package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

// OffsetFetch v0-10
//
// Behavior: read from the group coordinator (internal/group). A partition
// with nothing committed is offset -1 without error.
//
// Version notes: v2 all partitions (nil topics); v5 leader epoch; v6
// flexible; v7 require stable; v8 several groups per request.
func (c *conn) handleOffsetFetch(r *request) outcome {
	resp := c.s.b.Groups().OffsetFetch(r.kreq.(*kmsg.OffsetFetchRequest))
	r.noteError(resp.ErrorCode)
	for _, g := range resp.Groups {
		r.noteError(g.ErrorCode)
	}
	return respond(resp)
}
