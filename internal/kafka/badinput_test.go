package kafka_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa"
	"github.com/samsa-streaming/samsa/internal/batch"
	"github.com/samsa-streaming/samsa/samsatest"
)

// plainBatch builds a valid non-idempotent batch of n small records.
func plainBatch(t testing.TB, n int) []byte {
	t.Helper()
	h := batch.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: time.Now().UnixMilli()}
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{Key: []byte{byte(i)}, Value: []byte("value")}
	}
	b, err := batch.Build(h, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func produceReq(topic string, records []byte) *kmsg.ProduceRequest {
	req := kmsg.NewPtrProduceRequest()
	req.Acks = -1
	req.TimeoutMillis = 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = records
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

func produceCode(t testing.TB, c *rawConn, topic string, records []byte) (int16, int64) {
	t.Helper()
	resp := c.roundTrip(produceReq(topic, records), 9).(*kmsg.ProduceResponse)
	p := resp.Topics[0].Partitions[0]
	return p.ErrorCode, p.BaseOffset
}

func endOffset(t testing.TB, c *rawConn, topic string) int64 {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Timestamp = -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, 7).(*kmsg.ListOffsetsResponse)
	p := resp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 {
		t.Fatalf("ListOffsets: %v", kerr.ErrorForCode(p.ErrorCode))
	}
	return p.Offset
}

// startLogged starts a broker whose logs the test can search.
func startLogged(t *testing.T, opts ...samsatest.Option) (*samsa.Broker, *logBuffer) {
	logs := &logBuffer{}
	b := samsatest.Start(t, append(opts, samsatest.Logger(logs.logger()))...)
	return b, logs
}

// TestBadFramesCloseConnection checks each malformed frame closes only its
// own connection, is logged, and leaves stored data alone.
func TestBadFramesCloseConnection(t *testing.T) {
	b, logs := startLogged(t, samsatest.Config("socket.request.max.bytes", "1048576"))
	good := dial(t, b.Addr())
	if code, _ := produceCode(t, good, "bad-input", plainBatch(t, 3)); code != 0 {
		t.Fatalf("setup produce: %v", kerr.ErrorForCode(code))
	}

	metadataV12 := frame(kmsg.NewPtrMetadataRequest(), 12, 1)
	tests := []struct {
		name  string
		bytes []byte
		log   []string
	}{
		{"negative length", []byte{0xff, 0xff, 0xff, 0xfe}, []string{"level=WARN", "bad request size"}},
		{"huge length", binary.BigEndian.AppendUint32(nil, 1<<30), []string{"level=WARN", "bad request size"}},
		{"over socket.request.max.bytes", binary.BigEndian.AppendUint32(nil, 1048577), []string{"level=WARN", "bad request size"}},
		{"unknown api key", frameWithKey(9999, 0), []string{"level=WARN", "unknown api key", "api_key=9999"}},
		{"unsupported version", frame(produceReq("bad-input", plainBatch(t, 1)), 2, 1), []string{"level=WARN", "unsupported api version", "api=Produce", "version=2"}},
		{"garbage body", append(metadataV12[:len(metadataV12)-1:len(metadataV12)-1], 0xff, 0xff, 0xff, 0xff, 0x0f), []string{"level=WARN", "malformed request body", "api=Metadata"}},
		{"header shorter than fixed part", []byte{0, 0, 0, 3, 0, 3, 0}, []string{"level=WARN", "unparseable request header"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, b.Addr())
			fixLength(tt.bytes)
			c.write(tt.bytes)
			c.expectClosed()
			logs.waitFor(t, tt.log...)
			if got := endOffset(t, good, "bad-input"); got != 3 {
				t.Fatalf("end offset %d after bad frame, want 3", got)
			}
		})
	}
}

// fixLength sets the size prefix of a hand-built frame whose first four
// bytes are a placeholder of zero; frames with explicit sizes are left.
func fixLength(b []byte) {
	if len(b) > 4 && binary.BigEndian.Uint32(b) == 0 {
		binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	}
}

func frameWithKey(key, version int16) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(key))
	b = binary.BigEndian.AppendUint16(b, uint16(version))
	b = binary.BigEndian.AppendUint32(b, 1)
	b = binary.BigEndian.AppendUint16(b, 0xffff) // null client id
	return b
}

func TestTruncatedFrame(t *testing.T) {
	b, logs := startLogged(t)
	c := dial(t, b.Addr())
	full := frame(kmsg.NewPtrMetadataRequest(), 12, 1)
	c.write(full[:len(full)-3])
	c.c.(interface{ CloseWrite() error }).CloseWrite()
	c.expectClosed()
	logs.waitFor(t, "connection closed mid-request")
	// Another connection is unaffected.
	other := dial(t, b.Addr())
	resp := other.roundTrip(kmsg.NewPtrMetadataRequest(), 12).(*kmsg.MetadataResponse)
	if len(resp.Brokers) != 1 {
		t.Fatalf("metadata on a fresh connection: %d brokers", len(resp.Brokers))
	}
}

func TestApiVersionsUnsupportedVersion(t *testing.T) {
	b := samsatest.Start(t)
	c := dial(t, b.Addr())
	// A version from the future: the body may be anything, the broker
	// answers v0 with UNSUPPORTED_VERSION and its key list (KIP-511).
	raw := frameWithKey(18, 99)
	raw = append(raw, 0) // header v2 tags
	raw = append(raw, 0xde, 0xad)
	fixLength(raw)
	c.write(raw)
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.Version = 0
	if err := resp.ReadFrom(c.readResponse(1, false)); err != nil {
		t.Fatal(err)
	}
	if resp.ErrorCode != kerr.UnsupportedVersion.Code {
		t.Fatalf("error code %d, want UNSUPPORTED_VERSION", resp.ErrorCode)
	}
	var found bool
	for _, k := range resp.ApiKeys {
		found = found || (k.ApiKey == 18 && k.MinVersion == 0 && k.MaxVersion >= 3)
	}
	if !found {
		t.Fatalf("key list %+v lacks ApiVersions", resp.ApiKeys)
	}
}

func TestProduceRejectsBadBatches(t *testing.T) {
	b, logs := startLogged(t)
	c := dial(t, b.Addr())
	if code, _ := produceCode(t, c, "batches", plainBatch(t, 2)); code != 0 {
		t.Fatalf("setup produce: %v", kerr.ErrorForCode(code))
	}
	badCRC := plainBatch(t, 2)
	badCRC[len(badCRC)-1] ^= 0xff
	lyingCount := plainBatch(t, 3)
	binary.BigEndian.PutUint32(lyingCount[57:], 5) // recordCount 5, lastOffsetDelta 2
	binary.BigEndian.PutUint32(lyingCount[17:], batch.Checksum(lyingCount))
	twoBatches := append(plainBatch(t, 1), plainBatch(t, 1)...)
	truncated := plainBatch(t, 2)
	truncated = truncated[:len(truncated)-4]

	tests := []struct {
		name    string
		topic   string
		records []byte
		want    *kerr.Error
	}{
		{"wrong crc", "batches", badCRC, kerr.CorruptMessage},
		{"record count lies", "batches", lyingCount, kerr.InvalidRecord},
		{"two batches", "batches", twoBatches, kerr.InvalidRecord},
		{"truncated batch", "batches", truncated, kerr.CorruptMessage},
		{"short garbage", "batches", []byte{1, 2, 3}, kerr.CorruptMessage},
		{"invalid topic name", "bad/topic", plainBatch(t, 1), kerr.InvalidTopicException},
		{"topic name too long", string(make([]byte, 250)), plainBatch(t, 1), kerr.InvalidTopicException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, offset := produceCode(t, c, tt.topic, tt.records)
			if code != tt.want.Code {
				t.Fatalf("error %v, want %v", kerr.ErrorForCode(code), tt.want)
			}
			if offset != -1 {
				t.Errorf("base offset %d on error, want -1", offset)
			}
			if got := endOffset(t, c, "batches"); got != 2 {
				t.Fatalf("end offset %d, want 2: a rejected batch changed the log", got)
			}
		})
	}
	logs.waitFor(t, "level=INFO", "produce rejected", "topic=batches")
}

func TestFetchOutOfRange(t *testing.T) {
	b := samsatest.Start(t)
	c := dial(t, b.Addr())
	if code, _ := produceCode(t, c, "oor", plainBatch(t, 4)); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	for _, offset := range []int64{5, 1000, -7} {
		req := kmsg.NewPtrFetchRequest()
		req.MaxWaitMillis, req.MaxBytes = 100, 1<<20
		rt := kmsg.NewFetchRequestTopic()
		rt.Topic = "oor"
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.FetchOffset, rp.PartitionMaxBytes = offset, 1<<20
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp := c.roundTrip(req, 12).(*kmsg.FetchResponse)
		p := resp.Topics[0].Partitions[0]
		if p.ErrorCode != kerr.OffsetOutOfRange.Code {
			t.Errorf("offset %d: error %v, want OFFSET_OUT_OF_RANGE", offset, kerr.ErrorForCode(p.ErrorCode))
		}
		if p.HighWatermark != 4 || len(p.RecordBatches) != 0 {
			t.Errorf("offset %d: hwm %d, %d record bytes", offset, p.HighWatermark, len(p.RecordBatches))
		}
	}
}
