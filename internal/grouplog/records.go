package grouplog

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/group"
)

// Key and value versions written; see the package doc.
const (
	offsetKeyVersion   int16 = 1 // also the record type in Kafka 3.7+
	groupKeyVersion    int16 = 2
	offsetValueVersion int16 = 3
	groupValueVersion  int16 = 3

	legacyOffsetKeyVersion int16 = 0 // same layout as 1, written before Kafka 3.7
	maxOffsetValueVersion  int16 = 4 // the newest replay decodes (Kafka 4.1)
	maxGroupValueVersion   int16 = 4
)

// ErrTooLong is returned for a string that Kafka's non-flexible record
// schemas cannot hold (more than 32767 bytes). Nothing is written.
var ErrTooLong = errors.New("grouplog: string longer than 32767 bytes")

// checkLen rejects strings kmsg would otherwise encode with a wrapped length.
func checkLen(field, s string) error {
	if len(s) > math.MaxInt16 {
		return fmt.Errorf("%w: %s of %d bytes", ErrTooLong, field, len(s))
	}
	return nil
}

// appendOffsetKey appends the OffsetCommitKey of g and tp to dst.
func appendOffsetKey(dst []byte, g string, tp group.TopicPartition) []byte {
	k := kmsg.OffsetCommitKey{Version: offsetKeyVersion, Group: g, Topic: tp.Topic, Partition: tp.Partition}
	return k.AppendTo(dst)
}

// appendOffsetValue appends the OffsetCommitValue of o to dst.
func appendOffsetValue(dst []byte, o *group.Offset) []byte {
	v := kmsg.OffsetCommitValue{
		Version:         offsetValueVersion,
		Offset:          o.Offset,
		LeaderEpoch:     o.LeaderEpoch,
		CommitTimestamp: o.CommitTimestamp,
	}
	if o.Metadata != nil {
		v.Metadata = *o.Metadata
	}
	return v.AppendTo(dst)
}

// offsetRecordSize is the size of the encoded key and value of o.
func offsetRecordSize(g string, o *group.Offset) int {
	n := 2 + 2 + len(g) + 2 + len(o.Topic) + 4 // key
	n += 2 + 8 + 4 + 2 + 8                     // value
	if o.Metadata != nil {
		n += len(*o.Metadata)
	}
	return n
}

func checkOffset(o *group.Offset) error {
	if err := checkLen("topic", o.Topic); err != nil {
		return err
	}
	if o.Metadata != nil {
		return checkLen("metadata", *o.Metadata)
	}
	return nil
}

// appendGroupKey appends the GroupMetadataKey of g to dst.
func appendGroupKey(dst []byte, g string) []byte {
	k := kmsg.GroupMetadataKey{Version: groupKeyVersion, Group: g}
	return k.AppendTo(dst)
}

// groupValue is the GroupMetadataValue Kafka writes for s. Empty Protocol
// and Leader are written as null, as Kafka writes them for an empty group.
func groupValue(s *group.GroupSnapshot) (kmsg.GroupMetadataValue, error) {
	v := kmsg.GroupMetadataValue{
		Version:               groupValueVersion,
		ProtocolType:          s.ProtocolType,
		Generation:            s.Generation,
		Protocol:              nullable(s.Protocol),
		Leader:                nullable(s.Leader),
		CurrentStateTimestamp: s.StateTimestamp,
		Members:               make([]kmsg.GroupMetadataValueMember, len(s.Members)),
	}
	for _, f := range []struct{ name, s string }{
		{"group", s.Group}, {"protocol type", s.ProtocolType}, {"protocol", s.Protocol}, {"leader", s.Leader},
	} {
		if err := checkLen(f.name, f.s); err != nil {
			return v, err
		}
	}
	for i := range s.Members {
		m := &s.Members[i]
		if err := checkMember(m); err != nil {
			return v, err
		}
		v.Members[i] = kmsg.GroupMetadataValueMember{
			MemberID:               m.MemberID,
			InstanceID:             m.InstanceID,
			ClientID:               m.ClientID,
			ClientHost:             m.ClientHost,
			RebalanceTimeoutMillis: millis(m.RebalanceTimeout),
			SessionTimeoutMillis:   millis(m.SessionTimeout),
			Subscription:           m.Subscription,
			Assignment:             m.Assignment,
		}
	}
	return v, nil
}

func checkMember(m *group.MemberSnapshot) error {
	for _, f := range []struct{ name, s string }{
		{"member id", m.MemberID}, {"client id", m.ClientID}, {"client host", m.ClientHost},
	} {
		if err := checkLen(f.name, f.s); err != nil {
			return err
		}
	}
	if m.InstanceID != nil {
		return checkLen("instance id", *m.InstanceID)
	}
	return nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// millis converts d to the int32 milliseconds of the schema, saturating.
func millis(d time.Duration) int32 {
	return int32(min(max(d.Milliseconds(), math.MinInt32), math.MaxInt32))
}

// snapshotFrom converts a decoded GroupMetadataValue of group g. The value
// may alias the log's read buffer, so byte slices are copied.
func snapshotFrom(g string, v *kmsg.GroupMetadataValue) group.GroupSnapshot {
	s := group.GroupSnapshot{
		Group:          g,
		ProtocolType:   v.ProtocolType,
		Protocol:       deref(v.Protocol),
		Leader:         deref(v.Leader),
		Generation:     v.Generation,
		StateTimestamp: v.CurrentStateTimestamp,
	}
	if len(v.Members) > 0 {
		s.Members = make([]group.MemberSnapshot, len(v.Members))
	}
	for i := range v.Members {
		m := &v.Members[i]
		rebalance := m.RebalanceTimeoutMillis
		if v.Version == 0 {
			rebalance = m.SessionTimeoutMillis // v0 predates KIP-62; Kafka reads it so
		}
		s.Members[i] = group.MemberSnapshot{
			MemberID:         m.MemberID,
			InstanceID:       m.InstanceID,
			ClientID:         m.ClientID,
			ClientHost:       m.ClientHost,
			RebalanceTimeout: time.Duration(rebalance) * time.Millisecond,
			SessionTimeout:   time.Duration(m.SessionTimeoutMillis) * time.Millisecond,
			Subscription:     cloneBytes(m.Subscription),
			Assignment:       cloneBytes(m.Assignment),
		}
	}
	return s
}

// cloneBytes copies b; empty and nil both become nil, as the schema's
// non-nullable bytes cannot tell them apart.
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// offsetFrom converts a decoded OffsetCommitValue for tp.
func offsetFrom(tp group.TopicPartition, v *kmsg.OffsetCommitValue) group.Offset {
	epoch := v.LeaderEpoch
	if v.Version < 3 {
		epoch = -1 // not in the record: Kafka's RecordBatch.NO_PARTITION_LEADER_EPOCH
	}
	md := v.Metadata
	return group.Offset{
		TopicPartition:  tp,
		Offset:          v.Offset,
		LeaderEpoch:     epoch,
		Metadata:        &md,
		CommitTimestamp: v.CommitTimestamp,
	}
}
