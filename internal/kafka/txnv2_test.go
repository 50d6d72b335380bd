package kafka_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/samsatest"
)

// TestTransactionVersionFeature: ApiVersions finalizes transaction.version
// at samsa.transaction.version, 2 unless configured.
func TestTransactionVersionFeature(t *testing.T) {
	for _, tc := range []struct {
		opts []samsatest.Option
		want int16
	}{
		{nil, 2},
		{[]samsatest.Option{samsatest.Config("samsa.transaction.version", "1")}, 1},
	} {
		b := samsatest.Start(t, tc.opts...)
		c := dial(t, b.Addr())
		req := kmsg.NewPtrApiVersionsRequest()
		req.ClientSoftwareName, req.ClientSoftwareVersion = "samsa-test", "1.0"
		resp := c.roundTrip(req, 3).(*kmsg.ApiVersionsResponse)
		var got int16 = -1
		for _, f := range resp.FinalizedFeatures {
			if f.Name == "transaction.version" {
				got = f.MaxVersionLevel
			}
		}
		if got != tc.want {
			t.Errorf("finalized transaction.version %d, want %d (features %+v)", got, tc.want, resp.FinalizedFeatures)
		}
	}
}

// TestTxnProtocolV2Produce: a Produce v12+ transactional batch adds its
// partition to the transaction; before v12 it must have been added.
func TestTxnProtocolV2Produce(t *testing.T) {
	b := samsatest.Start(t)
	c := dial(t, b.Addr())
	createTopic(t, c, "v2", 1)
	p := initTxn(t, c, "v2-producer")
	old := c.roundTrip(produceTo("v2", 0, p.batch(t, 0, 1)), 11).(*kmsg.ProduceResponse)
	if code := old.Topics[0].Partitions[0].ErrorCode; code != kerr.InvalidTxnState.Code {
		t.Fatalf("v11 produce outside the transaction: %v, want INVALID_TXN_STATE", kerr.ErrorForCode(code))
	}
	resp := c.roundTrip(produceTo("v2", 0, p.batch(t, 0, 2)), 12).(*kmsg.ProduceResponse)
	wantCode(t, "v12 produce", resp.Topics[0].Partitions[0].ErrorCode)
	d := describeTxn(t, c, p.id)
	if d.State != "Ongoing" || len(d.Topics) != 1 || d.Topics[0].Topic != "v2" {
		t.Fatalf("after a v12 produce: %s %+v", d.State, d.Topics)
	}
	end := p.endResp(t, c, 5, true)
	wantCode(t, "EndTxn v5", end.ErrorCode)
	next := txnProducer{p.id, end.ProducerID, end.ProducerEpoch}
	stale := c.roundTrip(produceTo("v2", 0, p.batch(t, 2, 1)), 12).(*kmsg.ProduceResponse)
	if code := stale.Topics[0].Partitions[0].ErrorCode; code != kerr.InvalidProducerEpoch.Code {
		t.Fatalf("produce with the epoch the transaction ended with: %v, want INVALID_PRODUCER_EPOCH", kerr.ErrorForCode(code))
	}
	resp = c.roundTrip(produceTo("v2", 0, next.batch(t, 0, 1)), 12).(*kmsg.ProduceResponse)
	wantCode(t, "next transaction's produce", resp.Topics[0].Partitions[0].ErrorCode)
	if lso := latestOffset(t, c, "v2", 0, 1); lso != 3 {
		t.Fatalf("last stable offset %d, want 3 (two records and the marker)", lso)
	}
}
