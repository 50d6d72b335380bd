package kafka_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// Version checks of the transaction APIs. Each version runs a transaction
// of its own transactional id through the call under test.

func init() {
	versionChecks[24] = checkAddPartitionsToTxn
	versionChecks[25] = checkAddOffsetsToTxn
	versionChecks[26] = checkEndTxn
	versionChecks[28] = checkTxnOffsetCommit
	versionChecks[65] = checkDescribeTransactions
	versionChecks[66] = checkListTransactions
}

// txnProducer is a transactional id initialized through InitProducerId.
type txnProducer struct {
	id    string
	pid   int64
	epoch int16
}

func initTxn(t *testing.T, c *rawConn, id string) txnProducer {
	t.Helper()
	req := kmsg.NewPtrInitProducerIDRequest()
	req.TransactionalID, req.TransactionTimeoutMillis = &id, 60000
	resp := c.roundTrip(req, 5).(*kmsg.InitProducerIDResponse)
	wantCode(t, "InitProducerId "+id, resp.ErrorCode)
	return txnProducer{id, resp.ProducerID, resp.ProducerEpoch}
}

func (p txnProducer) add(t *testing.T, c *rawConn, v int16, topic string, parts ...int32) *kmsg.AddPartitionsToTxnResponse {
	t.Helper()
	req := kmsg.NewPtrAddPartitionsToTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch = p.id, p.pid, p.epoch
	rt := kmsg.NewAddPartitionsToTxnRequestTopic()
	rt.Topic, rt.Partitions = topic, parts
	req.Topics = append(req.Topics, rt)
	return c.roundTrip(req, v).(*kmsg.AddPartitionsToTxnResponse)
}

func (p txnProducer) end(t *testing.T, c *rawConn, v int16, commit bool) int16 {
	t.Helper()
	return p.endResp(t, c, v, commit).ErrorCode
}

func (p txnProducer) endResp(t *testing.T, c *rawConn, v int16, commit bool) *kmsg.EndTxnResponse {
	t.Helper()
	req := kmsg.NewPtrEndTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit = p.id, p.pid, p.epoch, commit
	return c.roundTrip(req, v).(*kmsg.EndTxnResponse)
}

func (p txnProducer) batch(t *testing.T, seq int32, n int) []byte {
	t.Helper()
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{Value: []byte("txn")}
	}
	b, err := batch.Build(batch.Header{Attributes: 0x10, ProducerID: p.pid, ProducerEpoch: p.epoch, BaseSequence: seq, BaseTimestamp: time.Now().UnixMilli()}, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkAddPartitionsToTxn(t *testing.T, c *rawConn, v int16) {
	p := initTxn(t, c, fmt.Sprintf("add-v%d", v))
	resp := p.add(t, c, v, "versions", 0, 1)
	for _, rp := range resp.Topics[0].Partitions {
		wantCode(t, fmt.Sprintf("partition %d", rp.Partition), rp.ErrorCode)
	}
	stale := txnProducer{p.id, p.pid, p.epoch - 1}
	want := kerr.ProducerFenced
	if v < 2 {
		want = kerr.InvalidProducerEpoch
	}
	if code := stale.add(t, c, v, "versions", 0).Topics[0].Partitions[0].ErrorCode; code != want.Code {
		t.Fatalf("stale epoch: %v, want %v", kerr.ErrorForCode(code), want)
	}
	wantCode(t, "abort", p.end(t, c, 3, false))
}

func checkAddOffsetsToTxn(t *testing.T, c *rawConn, v int16) {
	p := initTxn(t, c, fmt.Sprintf("offsets-v%d", v))
	req := kmsg.NewPtrAddOffsetsToTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Group = p.id, p.pid, p.epoch, "txn-group"
	wantCode(t, "AddOffsetsToTxn", c.roundTrip(req, v).(*kmsg.AddOffsetsToTxnResponse).ErrorCode)
	d := describeTxn(t, c, p.id)
	if d.State != "Ongoing" || len(d.Topics) != 1 || d.Topics[0].Topic != "__consumer_offsets" {
		t.Fatalf("after AddOffsetsToTxn: %s %+v", d.State, d.Topics)
	}
	wantCode(t, "abort", p.end(t, c, 3, false))
}

// checkEndTxn commits a transaction with data: the data is visible to a
// read_committed fetch only after the commit, followed by the marker.
func checkEndTxn(t *testing.T, c *rawConn, v int16) {
	p := initTxn(t, c, fmt.Sprintf("end-v%d", v))
	wantCode(t, "add", p.add(t, c, 3, "versions", 1).Topics[0].Partitions[0].ErrorCode)
	before := latestOffset(t, c, "versions", 1, 0)
	resp := c.roundTrip(produceTo("versions", 1, p.batch(t, 0, 2)), 9).(*kmsg.ProduceResponse)
	wantCode(t, "transactional produce", resp.Topics[0].Partitions[0].ErrorCode)
	if lso := latestOffset(t, c, "versions", 1, 1); lso != before {
		t.Fatalf("last stable offset %d during the transaction, want %d", lso, before)
	}
	resp2 := p.endResp(t, c, v, true)
	wantCode(t, "commit", resp2.ErrorCode)
	if v >= 5 && (resp2.ProducerID != p.pid || resp2.ProducerEpoch != p.epoch+1) {
		t.Fatalf("EndTxn v5 continues with %d/%d, want %d/%d (epoch bumped)", resp2.ProducerID, resp2.ProducerEpoch, p.pid, p.epoch+1)
	}
	if lso := latestOffset(t, c, "versions", 1, 1); lso != before+3 {
		t.Fatalf("last stable offset %d after the commit, want %d (2 records and the marker)", lso, before+3)
	}
	if code := p.end(t, c, v, false); code != kerr.InvalidTxnState.Code {
		t.Fatalf("abort after the commit: %v, want INVALID_TXN_STATE", kerr.ErrorForCode(code))
	}
}

func describeTxn(t *testing.T, c *rawConn, id string) kmsg.DescribeTransactionsResponseTransactionState {
	t.Helper()
	req := kmsg.NewPtrDescribeTransactionsRequest()
	req.TransactionalIDs = []string{id}
	resp := c.roundTrip(req, 0).(*kmsg.DescribeTransactionsResponse)
	wantCode(t, "DescribeTransactions", resp.TransactionStates[0].ErrorCode)
	return resp.TransactionStates[0]
}

func checkDescribeTransactions(t *testing.T, c *rawConn, v int16) {
	p := initTxn(t, c, fmt.Sprintf("describe-v%d", v))
	p.add(t, c, 3, "versions", 1, 0)
	req := kmsg.NewPtrDescribeTransactionsRequest()
	req.TransactionalIDs = []string{p.id, "never-seen"}
	resp := c.roundTrip(req, v).(*kmsg.DescribeTransactionsResponse)
	d, unknown := resp.TransactionStates[0], resp.TransactionStates[1]
	if d.ErrorCode != 0 || d.State != "Ongoing" || d.ProducerID != p.pid || d.ProducerEpoch != p.epoch ||
		d.TimeoutMillis != 60000 || d.StartTimestamp <= 0 || len(d.Topics) != 1 || len(d.Topics[0].Partitions) != 2 {
		t.Fatalf("described %+v", d)
	}
	if unknown.ErrorCode != kerr.TransactionalIDNotFound.Code {
		t.Fatalf("unknown id: %v", kerr.ErrorForCode(unknown.ErrorCode))
	}
	wantCode(t, "abort", p.end(t, c, 3, false))
}

func checkListTransactions(t *testing.T, c *rawConn, v int16) {
	p := initTxn(t, c, fmt.Sprintf("list-v%d", v))
	p.add(t, c, 3, "versions", 0)
	req := kmsg.NewPtrListTransactionsRequest()
	req.StateFilters = []string{"Ongoing", "Bogus"}
	req.ProducerIDFilters = []int64{p.pid}
	resp := c.roundTrip(req, v).(*kmsg.ListTransactionsResponse)
	if len(resp.TransactionStates) != 1 || resp.TransactionStates[0].TransactionalID != p.id || resp.TransactionStates[0].TransactionState != "Ongoing" {
		t.Fatalf("listed %+v", resp.TransactionStates)
	}
	if len(resp.UnknownStateFilters) != 1 || resp.UnknownStateFilters[0] != "Bogus" {
		t.Fatalf("unknown state filters %v", resp.UnknownStateFilters)
	}
	if v >= 1 {
		req.DurationFilterMillis = 3_600_000
		if resp := c.roundTrip(req, v).(*kmsg.ListTransactionsResponse); len(resp.TransactionStates) != 0 {
			t.Fatalf("an hour-long duration filter listed %+v", resp.TransactionStates)
		}
	}
	wantCode(t, "abort", p.end(t, c, 3, false))
}

func produceTo(topic string, partition int32, records []byte) *kmsg.ProduceRequest {
	req := produceReq(topic, records)
	req.Topics[0].Partitions[0].Partition = partition
	return req
}

// latestOffset is ListOffsets latest: the high watermark, or with
// isolation 1 (read_committed) the last stable offset.
func latestOffset(t *testing.T, c *rawConn, topic string, partition int32, isolation int8) int64 {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	req.IsolationLevel = isolation
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition, rp.Timestamp = partition, -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	p := c.roundTrip(req, 7).(*kmsg.ListOffsetsResponse).Topics[0].Partitions[0]
	wantCode(t, "ListOffsets", p.ErrorCode)
	return p.Offset
}

// checkTxnOffsetCommit commits an offset in a transaction: refused before
// AddOffsetsToTxn, pending (UNSTABLE_OFFSET_COMMIT to a RequireStable
// fetch) until the commit, then the group's offset.
func checkTxnOffsetCommit(t *testing.T, c *rawConn, v int16) {
	p := initTxn(t, c, fmt.Sprintf("txn-commit-v%d", v))
	group := fmt.Sprintf("txn-group-v%d", v)
	commit := func() int16 {
		req := kmsg.NewPtrTxnOffsetCommitRequest()
		req.TransactionalID, req.Group, req.ProducerID, req.ProducerEpoch = p.id, group, p.pid, p.epoch
		rt := kmsg.NewTxnOffsetCommitRequestTopic()
		rt.Topic = "versions"
		rp := kmsg.NewTxnOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset = 1, 42
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		return c.roundTrip(req, v).(*kmsg.TxnOffsetCommitResponse).Topics[0].Partitions[0].ErrorCode
	}
	if v < 5 {
		// Before transaction protocol v2 the offsets partition must be
		// added first; v5 adds it implicitly.
		if code := commit(); code != kerr.InvalidTxnState.Code {
			t.Fatalf("before AddOffsetsToTxn: %v, want INVALID_TXN_STATE", kerr.ErrorForCode(code))
		}
		add := kmsg.NewPtrAddOffsetsToTxnRequest()
		add.TransactionalID, add.ProducerID, add.ProducerEpoch, add.Group = p.id, p.pid, p.epoch, group
		wantCode(t, "AddOffsetsToTxn", c.roundTrip(add, 3).(*kmsg.AddOffsetsToTxnResponse).ErrorCode)
	}
	wantCode(t, "TxnOffsetCommit", commit())
	if off, code := fetchTxnOffset(t, c, group, true); code != kerr.UnstableOffsetCommit.Code {
		t.Fatalf("stable fetch during the transaction: %d, %v; want UNSTABLE_OFFSET_COMMIT", off, kerr.ErrorForCode(code))
	}
	if off, code := fetchTxnOffset(t, c, group, false); code != 0 || off != -1 {
		t.Fatalf("fetch during the transaction: %d, %v; want -1 (nothing committed yet)", off, kerr.ErrorForCode(code))
	}
	wantCode(t, "commit", p.end(t, c, 3, true))
	if off, code := fetchTxnOffset(t, c, group, true); code != 0 || off != 42 {
		t.Fatalf("fetch after the commit: %d, %v; want 42", off, kerr.ErrorForCode(code))
	}
}

func fetchTxnOffset(t *testing.T, c *rawConn, group string, requireStable bool) (int64, int16) {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group, req.RequireStable = group, requireStable
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic, rt.Partitions = "versions", []int32{1}
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, 7).(*kmsg.OffsetFetchResponse)
	p := resp.Topics[0].Partitions[0]
	return p.Offset, p.ErrorCode
}

// TestTxnBadInput: requests a confused or malicious producer sends get
// Kafka's codes and change nothing.
func TestTxnBadInput(t *testing.T) {
	b, _ := startLogged(t)
	c := dial(t, b.Addr())
	createTopic(t, c, "bad-txn", 1)
	p := initTxn(t, c, "bad")
	unchanged := func(what string) {
		t.Helper()
		if d := describeTxn(t, c, p.id); d.State != "Empty" || len(d.Topics) != 0 || d.ProducerEpoch != p.epoch {
			t.Fatalf("%s changed the transaction: %s epoch %d %+v", what, d.State, d.ProducerEpoch, d.Topics)
		}
	}
	if code := p.end(t, c, 3, true); code != kerr.InvalidTxnState.Code {
		t.Fatalf("EndTxn without a transaction: %v, want INVALID_TXN_STATE", kerr.ErrorForCode(code))
	}
	unchanged("EndTxn without a transaction")

	req := kmsg.NewPtrAddPartitionsToTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch = p.id, p.pid, p.epoch
	for _, topic := range []string{"bad-txn", "no-such-topic"} {
		rt := kmsg.NewAddPartitionsToTxnRequestTopic()
		rt.Topic, rt.Partitions = topic, []int32{0}
		req.Topics = append(req.Topics, rt)
	}
	resp := c.roundTrip(req, 3).(*kmsg.AddPartitionsToTxnResponse)
	codes := map[string]int16{}
	for _, rt := range resp.Topics {
		codes[rt.Topic] = rt.Partitions[0].ErrorCode
	}
	if codes["no-such-topic"] != kerr.UnknownTopicOrPartition.Code || codes["bad-txn"] != kerr.OperationNotAttempted.Code {
		t.Fatalf("AddPartitionsToTxn with an unknown topic: %v", codes)
	}
	unchanged("AddPartitionsToTxn with an unknown topic")

	for _, tc := range []struct {
		name string
		p    txnProducer
		want *kerr.Error
	}{
		{"wrong epoch", txnProducer{p.id, p.pid, p.epoch + 1}, kerr.ProducerFenced},
		{"wrong producer id", txnProducer{p.id, p.pid + 100, p.epoch}, kerr.InvalidProducerIDMapping},
		{"unknown transactional id", txnProducer{"never-initialized", p.pid, p.epoch}, kerr.InvalidProducerIDMapping},
	} {
		if code := tc.p.add(t, c, 3, "bad-txn", 0).Topics[0].Partitions[0].ErrorCode; code != tc.want.Code {
			t.Errorf("AddPartitionsToTxn with %s: %v, want %v", tc.name, kerr.ErrorForCode(code), tc.want)
		}
		if code := tc.p.end(t, c, 3, false); code != tc.want.Code {
			t.Errorf("EndTxn with %s: %v, want %v", tc.name, kerr.ErrorForCode(code), tc.want)
		}
	}
	unchanged("requests of other producers")
	if got := latestOffset(t, c, "bad-txn", 0, 0); got != 0 {
		t.Fatalf("the log end moved to %d", got)
	}
}
