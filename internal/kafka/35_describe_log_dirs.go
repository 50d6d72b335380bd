package kafka

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeLogDirs v1-5
//
// Behavior:
//   - One log directory, the data directory (absolute path), holding every
//     partition: its size in bytes (its segments), offset lag 0 (one
//     replica), never a future log.
//   - Topics null describes every partition; otherwise only those asked
//     for that exist, and topics with none of them are left out.
//   - v4+: total and usable bytes of the directory's file system (statfs);
//     if it cannot be read the directory is KAFKA_STORAGE_ERROR.
//
// Version notes: v0 is gone in Kafka 4; v2 flexible; v3 top-level error
// code; v4 volume sizes; v5 (Kafka 4.3, KIP-1066) cordoned flag, always
// false.
func (c *conn) handleDescribeLogDirs(r *request) outcome {
	req := r.kreq.(*kmsg.DescribeLogDirsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeLogDirsResponse)
	var want map[string][]int32
	if req.Topics != nil {
		want = make(map[string][]int32, len(req.Topics))
		for _, t := range req.Topics {
			want[t.Topic] = append(want[t.Topic], t.Partitions...)
		}
	}
	dir := c.s.b.DescribeLogDirs(want)
	rd := kmsg.NewDescribeLogDirsResponseDir()
	rd.Dir, rd.ErrorCode = dir.Path, r.code(dir.Err)
	if dir.Err == nil {
		rd.TotalBytes, rd.UsableBytes = dir.TotalBytes, dir.UsableBytes
	}
	for _, t := range dir.Topics {
		rt := kmsg.NewDescribeLogDirsResponseDirTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewDescribeLogDirsResponseDirTopicPartition()
			rp.Partition, rp.Size, rp.OffsetLag = p.Partition, p.Size, p.OffsetLag
			rt.Partitions = append(rt.Partitions, rp)
		}
		rd.Topics = append(rd.Topics, rt)
	}
	resp.Dirs = []kmsg.DescribeLogDirsResponseDir{rd}
	return respond(resp)
}
