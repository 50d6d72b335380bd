#!/usr/bin/python3
"""Drive librdkafka's transactions, through confluent-kafka-python, for the Go tests.

Every command prints JSON lines on stdout, one object per event, and exits
non-zero with a traceback on anything unexpected. Values are UTF-8 strings.

  transact BOOTSTRAP TOPIC TXNID
        one transaction per JSON line on stdin, run in order by one
        transactional producer (init_transactions once):
        {"end": "commit", "messages": [{"partition": 0, "value": "v"}]}
        "end" is commit or abort; every message is delivered (flush) before
        the transaction ends, so an aborted one is in the log too. Prints
        {"event": "delivered", "txn": i, "index": j, "partition": p, "offset": o, "error": null}
        and {"event": "ended", "txn": i, "end": "commit"}.
  consume BOOTSTRAP TOPIC PARTITIONS ISOLATION
        ISOLATION is read_committed or read_uncommitted. Reads every
        partition from the start until librdkafka reports its end (the last
        stable offset at read_committed); prints each message
        {"event": "message", "partition": p, "offset": o, "value": v}, then
        {"event": "eof", "partition": p, "offset": o} with the end offset.
  ctp BOOTSTRAP SOURCE SINK GROUP TXNID COUNT
        consume-transform-produce in consumer group GROUP (subscribe): two
        rounds each read COUNT records of SOURCE, write ROUND/value to the
        same partition of SINK and send the consumer's positions with
        send_offsets_to_transaction. Round "aborted" aborts and rewinds the
        consumer to the committed offsets; round "committed" commits. After
        each round prints {"event": "round", "round": r, "sent": {p: o},
        "committed": {p: o}} (committed offsets as the consumer reads them,
        -1 for none); each record written as {"event": "produced", ...}.
"""

import json
import os
import sys
import time

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError,
                             KafkaException, Producer, TopicPartition)

DEADLINE = 30.0


def emit(**event):
    print(json.dumps(event), flush=True)


def error_cb(err):
    emit(event="client_error", code=err.name(), error=err.str())


def new_producer(bootstrap, txnid):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": txnid,
        "transaction.timeout.ms": 10000,
        "linger.ms": 5,
        "error_cb": error_cb,
    })
    p.init_transactions(30)
    return p


def transact(bootstrap, topic, txnid):
    p = new_producer(bootstrap, txnid)
    for i, line in enumerate(l for l in sys.stdin if l.strip()):
        txn = json.loads(line)
        p.begin_transaction()

        def report(index, i=i):
            def cb(err, msg):
                emit(event="delivered", txn=i, index=index, partition=msg.partition(),
                     offset=msg.offset(), error=None if err is None else err.name())
            return cb

        for j, m in enumerate(txn["messages"]):
            p.produce(topic, value=m["value"].encode("utf-8"), partition=m["partition"], on_delivery=report(j))
            p.poll(0)
        remaining = p.flush(DEADLINE)
        if remaining:
            raise RuntimeError("%d messages of transaction %d undelivered" % (remaining, i))
        if txn["end"] == "commit":
            p.commit_transaction(DEADLINE)
        elif txn["end"] == "abort":
            p.abort_transaction(DEADLINE)
        else:
            raise ValueError("unknown end %r" % txn["end"])
        emit(event="ended", txn=i, end=txn["end"])


def consume(bootstrap, topic, partitions, isolation):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "samsa-txn-test",  # required by librdkafka; assign() only
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        "isolation.level": isolation,
        "check.crcs": True,
        "error_cb": error_cb,
    })
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    eof = {}
    deadline = time.monotonic() + DEADLINE
    while len(eof) < partitions:
        if time.monotonic() > deadline:
            raise RuntimeError("end of partition reached on %s only" % sorted(eof))
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                eof[msg.partition()] = msg.offset()
                continue
            raise KafkaException(msg.error())
        eof.pop(msg.partition(), None)
        emit(event="message", partition=msg.partition(), offset=msg.offset(),
             value=msg.value().decode("utf-8"))
    for p in sorted(eof):
        emit(event="eof", partition=p, offset=eof[p])
    c.close()


def committed_offsets(c, assignment):
    return {str(tp.partition): (tp.offset if tp.offset >= 0 else -1)
            for tp in c.committed(assignment, timeout=DEADLINE)}


def ctp(bootstrap, source, sink, group, txnid, count):
    p = new_producer(bootstrap, txnid)
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 300,
        "error_cb": error_cb,
    })
    c.subscribe([source])
    for rnd in ("aborted", "committed"):
        p.begin_transaction()
        got = 0
        deadline = time.monotonic() + DEADLINE
        while got < count:
            if time.monotonic() > deadline:
                raise RuntimeError("round %s: %d of %d records read" % (rnd, got, count))
            msg = c.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            got += 1
            value = "%s/%s" % (rnd, msg.value().decode("utf-8"))
            p.produce(sink, value=value.encode("utf-8"), partition=msg.partition())
            emit(event="produced", round=rnd, partition=msg.partition(), value=value)
        # Delivered before the end, so the aborted round's records are in
        # the log too (abort_transaction would drop those not yet sent).
        remaining = p.flush(DEADLINE)
        if remaining:
            raise RuntimeError("round %s: %d records undelivered" % (rnd, remaining))
        assignment = c.assignment()
        positions = c.position(assignment)
        p.send_offsets_to_transaction(positions, c.consumer_group_metadata(), DEADLINE)
        sent = {str(tp.partition): tp.offset for tp in positions}
        if rnd == "aborted":
            p.abort_transaction(DEADLINE)
            # Start again from the committed offsets, as an application
            # must after an abort.
            for tp in c.committed(assignment, timeout=DEADLINE):
                c.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_BEGINNING))
        else:
            p.commit_transaction(DEADLINE)
        emit(event="round", round=rnd, sent=sent, committed=committed_offsets(c, assignment))
    c.close()


def main(argv):
    cmd = argv[1]
    if cmd == "transact":
        transact(argv[2], argv[3], argv[4])
    elif cmd == "consume":
        consume(argv[2], argv[3], int(argv[4]), argv[5])
    elif cmd == "ctp":
        ctp(argv[2], argv[3], argv[4], argv[5], argv[6], int(argv[7]))
    else:
        raise SystemExit(__doc__)
    # As in confluent_client.py: skip interpreter shutdown, which
    # confluent-kafka-python before 1.8.2 can abort in.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
