package cli

import (
	"context"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func groupCommands() []*command {
	return []*command{groupListCommand(), groupDescribeCommand(), groupResetOffsetsCommand(), groupDeleteCommand()}
}

func groupListCommand() *command {
	return &command{
		path: "group list", maxArgs: 0,
		summary: "list consumer groups",
		details: `
TYPE is classic (JoinGroup/SyncGroup) or consumer (KIP-848), when the broker
says (ListGroups v5+).

Examples:
  samsa group list
  samsa group list --json | jq -r '.[] | select(.state == "Empty") | .group'`,
		setup: func(*flagSet) action { return listGroups },
	}
}

type listedGroup struct {
	Group        string `json:"group"`
	Coordinator  int32  `json:"coordinator"`
	State        string `json:"state"`
	Type         string `json:"type"`
	ProtocolType string `json:"protocol_type"`
}

// listGroups asks every broker (each lists the groups it coordinates) with
// a raw ListGroups, because kadm leaves out the group type.
func listGroups(ctx context.Context, s *session, _ []string) error {
	cl, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	rows := []listedGroup{}
	for _, shard := range cl.RequestSharded(ctx, kmsg.NewPtrListGroupsRequest()) {
		if shard.Err != nil {
			return shard.Err
		}
		resp := shard.Resp.(*kmsg.ListGroupsResponse)
		if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
			return err
		}
		for _, g := range resp.Groups {
			rows = append(rows, listedGroup{g.Group, shard.Meta.NodeID, g.GroupState, g.GroupType, g.ProtocolType})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Group < rows[j].Group })
	if s.g.json {
		return writeJSON(s.env.Stdout, rows)
	}
	t := newTable(s.env.Stdout, "GROUP", "COORDINATOR", "STATE", "TYPE", "PROTOCOL-TYPE")
	for _, r := range rows {
		t.row(r.Group, r.Coordinator, r.State, r.Type, r.ProtocolType)
	}
	t.flush()
	return nil
}

func groupDeleteCommand() *command {
	return &command{
		path: "group delete", args: "GROUP...", minArgs: 1, maxArgs: -1,
		summary: "delete consumer groups and their committed offsets",
		details: `
Only a group without members can be deleted (NON_EMPTY_GROUP otherwise).

Example:
  samsa group delete billing`,
		setup: func(*flagSet) action { return deleteGroups },
	}
}

func deleteGroups(ctx context.Context, s *session, names []string) error {
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	resps, err := adm.DeleteGroups(ctx, names...)
	if err != nil {
		return err
	}
	var results []result
	for _, g := range names {
		r, err := resps.On(g, nil)
		if err == nil {
			err = withMessage(r.Err, r.ErrMessage)
		}
		results = append(results, result{g, err})
	}
	return s.printResults("GROUP", results, summarize("delete group", results))
}
