package kafka

import (
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// Client byte-rate quotas (KIP-13, KIP-55), throttled as KIP-219 has
// Kafka do it; the core (broker/quotaenforce.go) finds the quota and
// measures the rate, this file answers and mutes.
//
// Behavior:
//   - Produce: the request's size counts against producer_byte_rate once
//     its batches are appended. Over the quota the response still carries
//     the results, with ThrottleMillis set, and the connection is muted
//     for that long. acks=0 has no response but is muted all the same
//     (Kafka closes an acks=0 connection for errors, not for quotas).
//   - Fetch: max bytes is capped at what the quota window allows (10 s of
//     quota), min bytes at that cap, as in Kafka. The response's record
//     bytes count against consumer_byte_rate; over the quota the answer is
//     empty (no partitions, its bytes not counted) with ThrottleMillis,
//     and the connection is muted. A full fetch answered so opens no
//     session (SessionID 0); an incremental one keeps its session, whose
//     epoch has moved on.
//   - Muted: the connection's next request is read but not handled until
//     the mute ends. Clients that throttle themselves (Produce v6+, Fetch
//     v8+) wait before sending it and never meet the mute; older ones and
//     pipelined requests are held back by it.
//
// Deviations: Kafka counts a fetch response's whole encoded size, Samsa its
// record bytes (a few dozen bytes less per partition); Kafka records a
// produce once its response is ready (after the fsync for acks=all),
// Samsa at append, so that the mute stops the next pipelined request.

// connThrottle is a connection's quota mute.
type connThrottle struct {
	until atomic.Int64 // unix nanoseconds; no request is handled before
}

// mute holds the connection's next requests back for d from now, unless
// an earlier throttle already holds them longer.
func (c *conn) mute(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := c.throttle.until.Load()
		if cur >= until || c.throttle.until.CompareAndSwap(cur, until) {
			return
		}
	}
}

// awaitUnmute is the read loop's hook before it handles a request: it
// returns when the connection's mute ends, or at once when the connection
// is closing (the request is then handled like any read before a close).
func (c *conn) awaitUnmute() {
	wait := time.Until(time.Unix(0, c.throttle.until.Load()))
	if wait <= 0 {
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-c.ctx.Done():
	}
}

// throttleFor mutes the connection for d and returns d for a response's
// ThrottleMillis.
func (c *conn) throttleFor(d time.Duration) int32 {
	if d <= 0 {
		return 0
	}
	c.mute(d)
	return int32(d.Milliseconds())
}

// quotaClient is who r is accounted to: the connection's principal (its
// name: User:ANONYMOUS is the user ANONYMOUS, reached by /users/<default>
// or a quota for that name, as in Kafka) and the request's client id.
func (c *conn) quotaClient(r *request) broker.QuotaClient {
	qc := broker.QuotaClient{User: c.principal().Name}
	if r.clientID != nil {
		qc.ClientID = *r.clientID
	}
	return qc
}

// throttleProduce accounts a produce request against the client's quota
// and returns the ThrottleMillis of its response.
func (c *conn) throttleProduce(r *request) int32 {
	return c.throttleFor(c.s.b.ProduceQuota(c.quotaClient(r)).Record(len(r.frame)))
}

// fetchQuota is the quota r's response counts against.
func (c *conn) fetchQuota(r *request) broker.ClientQuota {
	return c.s.b.FetchQuota(c.quotaClient(r))
}

// fetchBytesUnderQuota is the fetch's min and max bytes capped at what the
// quota window allows.
func fetchBytesUnderQuota(q broker.ClientQuota, req *kmsg.FetchRequest) (minBytes, maxBytes int32) {
	maxBytes = min(req.MaxBytes, q.MaxBytes())
	return min(req.MinBytes, maxBytes), maxBytes
}

// fetchResponseUnderQuota accounts a fetch's record bytes against its
// quota and answers: the response as usual within the quota, an empty
// throttled one over it.
func (c *conn) fetchResponseUnderQuota(q broker.ClientQuota, r *request, req *kmsg.FetchRequest, plan *fetchPlan, results []broker.FetchResult) outcome {
	bytes := 0
	for i := range results {
		bytes += results[i].Records.Len()
	}
	throttle := q.Record(bytes)
	if throttle <= 0 {
		return c.fetchResponse(r, req, plan, results)
	}
	for i := range results {
		results[i].Records.Release()
	}
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	resp.ThrottleMillis = c.throttleFor(throttle)
	switch {
	case plan.incremental:
		resp.SessionID = plan.session.id
	case plan.session != nil:
		c.s.sessions.remove(plan.session.id) // never told to the client
	}
	return respond(resp)
}
