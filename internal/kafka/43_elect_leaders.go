package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
)

// ElectLeaders v0-2
//
// Behavior (as a Kafka 4 controller answers it):
//   - Every partition's one replica is its preferred leader and its leader,
//     so a preferred (0) or unclean (1) election is ELECTION_NOT_NEEDED for
//     every partition asked for; unknown topics and partitions are
//     UNKNOWN_TOPIC_OR_PARTITION, with the controller's messages.
//   - Topics null means every partition, and then, as in Kafka, partitions
//     whose election is not needed are left out: every topic is listed
//     with no partitions.
//   - Another election type fails the request: INVALID_REQUEST for every
//     partition asked for and (v1+) at the top level.
//
// Version notes: v1 election type and top-level error code; v2 flexible.
func (c *conn) handleElectLeaders(r *request) outcome {
	req := r.kreq.(*kmsg.ElectLeadersRequest)
	resp := req.ResponseKind().(*kmsg.ElectLeadersResponse)
	if req.ElectionType != 0 && req.ElectionType != 1 {
		err := &broker.Error{Code: kerr.InvalidRequest, Message: "Unknown election type " + itoa(int(req.ElectionType))}
		resp.ErrorCode = r.code(err)
		resp.Topics = electionResults(r, req.Topics, func(string, int32) error { return err })
		return respond(resp)
	}
	if req.Topics == nil {
		for _, info := range c.s.b.Topics() {
			rt := kmsg.NewElectLeadersResponseTopic()
			rt.Topic = info.Name
			resp.Topics = append(resp.Topics, rt)
		}
		return respond(resp)
	}
	resp.Topics = electionResults(r, req.Topics, c.s.b.ElectLeader)
	return respond(resp)
}

func electionResults(r *request, topics []kmsg.ElectLeadersRequestTopic, elect func(string, int32) error) []kmsg.ElectLeadersResponseTopic {
	var out []kmsg.ElectLeadersResponseTopic
	for _, t := range topics {
		rt := kmsg.NewElectLeadersResponseTopic()
		rt.Topic = t.Topic
		for _, idx := range t.Partitions {
			rp := kmsg.NewElectLeadersResponseTopicPartition()
			err := elect(t.Topic, idx)
			rp.Partition, rp.ErrorCode, rp.ErrorMessage = idx, r.code(err), message(err)
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}
