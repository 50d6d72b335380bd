package kafka_test

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// Version checks of the idempotent producer APIs.

func init() {
	versionChecks[22] = checkInitProducerID
	versionChecks[61] = checkDescribeProducers
}

func initProducerID(t *testing.T, c *rawConn, v int16) (int64, int16) {
	t.Helper()
	req := kmsg.NewPtrInitProducerIDRequest()
	resp := c.roundTrip(req, v).(*kmsg.InitProducerIDResponse)
	if resp.ErrorCode != 0 || resp.ProducerID < 0 || resp.ProducerEpoch != 0 {
		t.Fatalf("InitProducerId v%d: %v, id %d epoch %d", v, kerr.ErrorForCode(resp.ErrorCode), resp.ProducerID, resp.ProducerEpoch)
	}
	return resp.ProducerID, resp.ProducerEpoch
}

func idempotentBatch(t testing.TB, id int64, epoch int16, seq int32, n int) []byte {
	t.Helper()
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{Value: []byte("idempotent")}
	}
	b, err := batch.Build(batch.Header{ProducerID: id, ProducerEpoch: epoch, BaseSequence: seq, BaseTimestamp: time.Now().UnixMilli()}, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkInitProducerID gets a fresh id at v, produces with it and retries
// the batch: the retry is answered with the first offset.
func checkInitProducerID(t *testing.T, c *rawConn, v int16) {
	id, epoch := initProducerID(t, c, v)
	again, _ := initProducerID(t, c, v)
	if again == id {
		t.Fatalf("two InitProducerId calls returned the same id %d", id)
	}
	b := idempotentBatch(t, id, epoch, 0, 2)
	code, first := produceCode(t, c, "versions", b)
	wantCode(t, "produce", code)
	code, retried := produceCode(t, c, "versions", idempotentBatch(t, id, epoch, 0, 2))
	if code != 0 || retried != first {
		t.Fatalf("retry: %v at %d, want the original offset %d", kerr.ErrorForCode(code), retried, first)
	}
}

func checkDescribeProducers(t *testing.T, c *rawConn, v int16) {
	id, epoch := initProducerID(t, c, 4)
	code, _ := produceCode(t, c, "versions", idempotentBatch(t, id, epoch, 0, 3))
	wantCode(t, "produce", code)
	req := kmsg.NewPtrDescribeProducersRequest()
	rt := kmsg.NewDescribeProducersRequestTopic()
	rt.Topic, rt.Partitions = "versions", []int32{0, 99}
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, v).(*kmsg.DescribeProducersResponse)
	ps := resp.Topics[0].Partitions
	if len(ps) != 2 || ps[1].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("partitions %+v; want 0 and an unknown 99", ps)
	}
	wantCode(t, "partition 0", ps[0].ErrorCode)
	for _, ap := range ps[0].ActiveProducers {
		if ap.ProducerID == id {
			if ap.LastSequence != 2 || ap.ProducerEpoch != int32(epoch) {
				t.Fatalf("producer %d: last sequence %d epoch %d, want 2 and %d", id, ap.LastSequence, ap.ProducerEpoch, epoch)
			}
			return
		}
	}
	t.Fatalf("producer %d not described: %+v", id, ps[0].ActiveProducers)
}

// TestIdempotentBadInput: sequence gaps, old epochs and malformed
// InitProducerId requests get Kafka's codes and leave the log alone.
func TestIdempotentBadInput(t *testing.T) {
	b, logs := startLogged(t)
	c := dial(t, b.Addr())
	id, epoch := initProducerID(t, c, 5)
	code, _ := produceCode(t, c, "idem", idempotentBatch(t, id, epoch+1, 0, 2))
	wantCode(t, "setup produce", code)
	tests := []struct {
		name    string
		records []byte
		want    *kerr.Error
	}{
		{"sequence gap", idempotentBatch(t, id, epoch+1, 3, 1), kerr.OutOfOrderSequenceNumber},
		{"old epoch", idempotentBatch(t, id, epoch, 2, 1), kerr.InvalidProducerEpoch},
		{"new epoch not at sequence 0", idempotentBatch(t, id, epoch+2, 2, 1), kerr.OutOfOrderSequenceNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, offset := produceCode(t, c, "idem", tt.records)
			if code != tt.want.Code || offset != -1 {
				t.Fatalf("error %v at %d, want %v at -1", kerr.ErrorForCode(code), offset, tt.want)
			}
			if got := endOffset(t, c, "idem"); got != 2 {
				t.Fatalf("end offset %d, want 2: a rejected batch changed the log", got)
			}
		})
	}
	logs.waitFor(t, "level=INFO", "produce rejected", "topic=idem")

	half := kmsg.NewPtrInitProducerIDRequest()
	half.ProducerID = id
	if resp := c.roundTrip(half, 5).(*kmsg.InitProducerIDResponse); resp.ErrorCode != kerr.InvalidRequest.Code {
		t.Errorf("producer id without epoch: %v, want INVALID_REQUEST", kerr.ErrorForCode(resp.ErrorCode))
	}
	txn := kmsg.NewPtrInitProducerIDRequest()
	txnID := "no-timeout"
	txn.TransactionalID = &txnID
	if resp := c.roundTrip(txn, 5).(*kmsg.InitProducerIDResponse); resp.ErrorCode != kerr.InvalidTransactionTimeout.Code || resp.ProducerID != -1 {
		t.Errorf("transactional id without a timeout: %v id %d, want INVALID_TRANSACTION_TIMEOUT and -1", kerr.ErrorForCode(resp.ErrorCode), resp.ProducerID)
	}
	txnID = ""
	txn.TransactionTimeoutMillis = 1000
	if resp := c.roundTrip(txn, 5).(*kmsg.InitProducerIDResponse); resp.ErrorCode != kerr.InvalidRequest.Code {
		t.Errorf("empty transactional id: %v, want INVALID_REQUEST", kerr.ErrorForCode(resp.ErrorCode))
	}
}
