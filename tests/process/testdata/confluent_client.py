#!/usr/bin/python3
"""Drive librdkafka, through confluent-kafka-python, for the Go tests.

Every command prints JSON lines on stdout, one object per event, and exits
non-zero with a traceback on anything unexpected. Keys, values and header
values are UTF-8 strings or null.

  produce BOOTSTRAP TOPIC CODEC
                             CODEC is none, gzip, snappy, lz4 or zstd;
                             messages on stdin as JSON lines:
                             {"partition": 0, "key": "k", "value": null, "headers": [["h", "v"]]}
  consume BOOTSTRAP TOPIC PARTITIONS COUNT
  admin BOOTSTRAP            operations on stdin as JSON lines:
                             {"op": "create", "topic": "t", "partitions": 3, "replication": 1, "validate_only": false}
                             {"op": "delete", "topic": "t"}
                             {"op": "list"}
"""

import json
import os
import re
import sys
import time

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError,
                             KafkaException, Producer, TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic


def emit(**event):
    print(json.dumps(event), flush=True)


def text(b):
    return None if b is None else b.decode("utf-8")


def raw(s):
    return None if s is None else s.encode("utf-8")


GROUP_LINE = re.compile(r"oordinator|Sent (OffsetFetch|OffsetCommit|JoinGroup|SyncGroup|Heartbeat|LeaveGroup)")


class LogCatcher:
    """A logging.Logger stand-in: librdkafka's log lines about the group
    coordinator or group requests are printed as events, so the Go test can
    tell whether an assign()-only consumer still uses group APIs."""

    def __init__(self):
        self.seen = set()  # librdkafka repeats the same line in a tight loop

    def log(self, level, fmt, *args):
        line = fmt % args if args else fmt
        if GROUP_LINE.search(line) and line not in self.seen:
            self.seen.add(line)
            emit(event="log", level=level, line=line)


def error_cb(err):
    emit(event="client_error", code=err.name(), error=err.str())


def produce(bootstrap, topic, compression):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "compression.codec": compression,
        "acks": "all",
        # The broker has no InitProducerId yet; this is also the default.
        "enable.idempotence": False,
        "linger.ms": 20,
        "error_cb": error_cb,
    })
    msgs = [json.loads(line) for line in sys.stdin if line.strip()]
    delivered = 0

    def report(index):
        def cb(err, msg):
            nonlocal delivered
            delivered += 1
            emit(event="delivered", index=index, partition=msg.partition(),
                 offset=msg.offset(), error=None if err is None else err.name())
        return cb

    for i, m in enumerate(msgs):
        headers = [(k, raw(v)) for k, v in m.get("headers") or []]
        p.produce(topic, key=raw(m["key"]), value=raw(m["value"]), partition=m["partition"],
                  headers=headers or None, on_delivery=report(i))
        p.poll(0)
    remaining = p.flush(30)
    emit(event="flushed", remaining=remaining, delivered=delivered)


def consume(bootstrap, topic, partitions, count):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        # librdkafka wants a group id even for assign(); with auto commit
        # off and no subscribe() no group request should be needed.
        "group.id": "samsa-process-test",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        "check.crcs": True,
        "error_cb": error_cb,
        # cgrp and protocol debug feed LogCatcher: coordinator state and
        # every request sent.
        "debug": "cgrp,protocol",
        "logger": LogCatcher(),
    })
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    got, eof = 0, set()
    deadline = time.monotonic() + 30
    while (got < count or len(eof) < partitions) and time.monotonic() < deadline:
        msg = c.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                eof.add(msg.partition())
                continue
            raise KafkaException(msg.error())
        got += 1
        eof.discard(msg.partition())
        ts_type, ts = msg.timestamp()
        emit(event="message", partition=msg.partition(), offset=msg.offset(),
             key=text(msg.key()), value=text(msg.value()),
             headers=[[k, text(v)] for k, v in msg.headers() or []],
             timestamp_type=ts_type, timestamp=ts)
    emit(event="done", count=got, eof=sorted(eof))
    c.close()


def admin(bootstrap):
    a = AdminClient({"bootstrap.servers": bootstrap, "error_cb": error_cb})
    for line in sys.stdin:
        if not line.strip():
            continue
        op = json.loads(line)
        if op["op"] == "create":
            t = NewTopic(op["topic"], num_partitions=op["partitions"],
                         replication_factor=op.get("replication", 1))
            fut = a.create_topics([t], operation_timeout=10, request_timeout=15,
                                  validate_only=op.get("validate_only", False))[op["topic"]]
            emit(op="create", topic=op["topic"], error=result_error(fut))
        elif op["op"] == "delete":
            fut = a.delete_topics([op["topic"]], operation_timeout=10, request_timeout=15)[op["topic"]]
            emit(op="delete", topic=op["topic"], error=result_error(fut))
        elif op["op"] == "list":
            md = a.list_topics(timeout=15)
            emit(op="list", topics={name: len(t.partitions) for name, t in md.topics.items()},
                 errors={name: t.error.name() for name, t in md.topics.items() if t.error})
        else:
            raise ValueError("unknown op %r" % op["op"])


def result_error(fut):
    try:
        fut.result(timeout=30)
        return None
    except KafkaException as e:
        return e.args[0].name()


def main(argv):
    cmd = argv[1]
    if cmd == "produce":
        produce(argv[2], argv[3], argv[4])
    elif cmd == "consume":
        consume(argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif cmd == "admin":
        admin(argv[2])
    else:
        raise SystemExit(__doc__)
    # confluent-kafka-python before 1.8.2 (Debian 12 ships 1.7.0) does not
    # take a reference to None for each null header value Message.headers()
    # returns (confluentinc/confluent-kafka-python#1191), so interpreter
    # shutdown aborts with "deallocating None". Skip the shutdown: all
    # output is flushed and the client is closed.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
