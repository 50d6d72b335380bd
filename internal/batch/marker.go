package batch

import "encoding/binary"

// A transaction marker is a control batch the broker writes, never a
// client: Kafka's MemoryRecords.withEndTransactionMarker. It is a v2 batch
// with attributes transactional|control, the producer's id and epoch, base
// sequence -1, no compression, and one record at offset delta 0 whose
// timestamp is the batch's:
//
//	key    version int16 (0), type int16 (0 ABORT, 1 COMMIT)
//	value  version int16 (0), coordinatorEpoch int32

// Control record types (Kafka's ControlRecordType).
const (
	ControlAbort  int16 = 0
	ControlCommit int16 = 1
)

// EndTxnMarker returns the control batch that commits or aborts the ongoing
// transaction of producerID, stamped with timestamp. Its base offset is 0:
// the log sets it on append.
func EndTxnMarker(producerID int64, producerEpoch int16, commit bool, coordinatorEpoch int32, timestamp int64) []byte {
	be := binary.BigEndian
	typ := ControlAbort
	if commit {
		typ = ControlCommit
	}
	key := be.AppendUint16(be.AppendUint16(nil, 0), uint16(typ))
	value := be.AppendUint32(be.AppendUint16(nil, 0), uint32(coordinatorEpoch))
	rec := AppendRecord(nil, Record{Key: key, Value: value})
	h := Header{
		BatchLength:     int32(HeaderSize - lengthOverhead + len(rec)),
		Magic:           2,
		Attributes:      attrTransactional | attrControl,
		BaseTimestamp:   timestamp,
		MaxTimestamp:    timestamp,
		ProducerID:      producerID,
		ProducerEpoch:   producerEpoch,
		BaseSequence:    -1,
		NumRecords:      1,
		LastOffsetDelta: 0,
	}
	b := append(h.AppendTo(make([]byte, 0, HeaderSize+len(rec))), rec...)
	be.PutUint32(b[offCRC:], Checksum(b))
	return b
}

// ParseEndTxnMarker decodes the key and value of a marker's control record,
// with Kafka's checks (ControlRecordType.parseTypeId,
// EndTransactionMarker.deserializeValue): a negative version or a short
// field is INVALID_RECORD, as is a control type other than abort or commit.
// Later versions are read as version 0, as Kafka does.
func ParseEndTxnMarker(key, value []byte) (commit bool, coordinatorEpoch int32, err error) {
	be := binary.BigEndian
	if len(key) < 4 || int16(be.Uint16(key)) < 0 {
		return false, 0, invalid("control record key of %d bytes is not a version 0 key", len(key))
	}
	switch typ := int16(be.Uint16(key[2:])); typ {
	case ControlAbort, ControlCommit:
		commit = typ == ControlCommit
	default:
		return false, 0, invalid("control record type %d is not a transaction marker", typ)
	}
	if len(value) < 6 || int16(be.Uint16(value)) < 0 {
		return false, 0, invalid("transaction marker value of %d bytes is not a version 0 value", len(value))
	}
	return commit, int32(be.Uint32(value[2:])), nil
}
