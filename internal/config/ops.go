package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// OpType is an IncrementalAlterConfigs operation, numbered as on the wire.
type OpType int8

const (
	OpSet      OpType = 0
	OpDelete   OpType = 1
	OpAppend   OpType = 2 // add items to a LIST config, skipping ones present
	OpSubtract OpType = 3 // remove items from a LIST config
)

func (o OpType) String() string {
	switch o {
	case OpSet:
		return "SET"
	case OpDelete:
		return "DELETE"
	case OpAppend:
		return "APPEND"
	case OpSubtract:
		return "SUBTRACT"
	}
	return fmt.Sprintf("OpType(%d)", int8(o))
}

// Op is one change to one config.
type Op struct {
	Name  string
	Type  OpType
	Value string // ignored by OpDelete
}

// ApplyTopicOps returns a copy of a topic's overrides with ops applied, in
// order. APPEND and SUBTRACT on a config without an override start from its
// built-in default, as Kafka's controller does (not from the broker's
// setting). The result still needs validating (ValidateTopicOverrides).
func ApplyTopicOps(overrides map[string]string, ops []Op) (map[string]string, error) {
	return applyOps(overrides, ops, func(op Op) (string, error) {
		d, ok := topicDef(op.Name)
		if !ok || d.Type != List {
			return "", &Error{Kind: NotList, Msg: fmt.Sprintf("Can't %s to key %s because its type is not LIST.", op.Type, op.Name)}
		}
		return brokerDefaults()[d.BrokerSynonym], nil
	})
}

// ApplyBrokerOps returns a copy of one scope's dynamic broker configs with
// ops applied, in order, as Kafka's ConfigAdminManager does. The result
// still needs validating (CheckDynamic).
func ApplyBrokerOps(dynamic map[string]string, ops []Op) (map[string]string, error) {
	return applyOps(dynamic, ops, func(op Op) (string, error) {
		d, ok := lookupBrokerDef(op.Name)
		if !ok || d.typ != List {
			return "", &Error{Kind: NotList, Msg: fmt.Sprintf("Config value %s is not allowed for config key: %s", opVerb(op.Type), op.Name)}
		}
		return d.def, nil
	})
}

func opVerb(o OpType) string {
	if o == OpAppend {
		return "append"
	}
	return "subtract"
}

// applyOps applies ops to a copy of current. listDefault returns the value
// a LIST config starts from when current lacks it, or an error if the
// config is not a LIST.
func applyOps(current map[string]string, ops []Op, listDefault func(Op) (string, error)) (map[string]string, error) {
	out := maps.Clone(current)
	if out == nil {
		out = make(map[string]string)
	}
	for _, op := range ops {
		switch op.Type {
		case OpSet:
			out[op.Name] = op.Value
		case OpDelete:
			delete(out, op.Name)
		case OpAppend, OpSubtract:
			def, err := listDefault(op)
			if err != nil {
				return nil, err
			}
			old, ok := out[op.Name]
			if !ok {
				old = def
			}
			out[op.Name] = strings.Join(editList(SplitList(old), SplitList(op.Value), op.Type == OpAppend), ",")
		default:
			return nil, &Error{Kind: InvalidOp, Msg: fmt.Sprintf("Unknown operations type %d", int8(op.Type))}
		}
	}
	return out, nil
}

// editList appends the items not yet in list, or removes them from it.
func editList(list, items []string, add bool) []string {
	for _, it := range items {
		has := slices.Contains(list, it)
		switch {
		case add && !has:
			list = append(list, it)
		case !add && has:
			list = slices.DeleteFunc(list, func(s string) bool { return s == it })
		}
	}
	return list
}
