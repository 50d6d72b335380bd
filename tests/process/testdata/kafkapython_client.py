#!/usr/bin/python3
"""Drive kafka-python (2.0.x, pure Python) for the Go tests.

Same commands and JSON-lines output as confluent_client.py:

  produce BOOTSTRAP TOPIC CODEC   CODEC is none, gzip, snappy, lz4 or zstd;
                                  messages on stdin as JSON lines
  consume BOOTSTRAP TOPIC PARTITIONS COUNT
  admin BOOTSTRAP                 operations on stdin as JSON lines
  codecs                          prints which codecs this install can use

kafka-python 2.0.2 predates Kafka 4 but needs no api_version pin: it probes
with ApiVersions v0 and settles on (2, 4, 0), which uses Produce v7,
Fetch v10, ListOffsets v1 and Metadata v1, all inside what Samsa serves.
"""

import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError


def emit(**event):
    print(json.dumps(event), flush=True)


def text(b):
    return None if b is None else b.decode("utf-8")


def raw(s):
    return None if s is None else s.encode("utf-8")


def codecs():
    """gzip is in the standard library; the others need optional modules
    (python3-snappy, python3-lz4, python3-zstandard on Debian)."""
    from kafka import codec
    return {
        "none": True,
        "gzip": codec.has_gzip(),
        "snappy": codec.has_snappy(),
        "lz4": codec.has_lz4(),
        "zstd": codec.has_zstd(),
    }


def produce(bootstrap, topic, compression):
    p = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        compression_type=None if compression == "none" else compression,
        linger_ms=20,
        # No retries: a retried batch could land twice, and the Go test
        # checks exact offsets.
        retries=0,
    )
    msgs = [json.loads(line) for line in sys.stdin if line.strip()]
    futures = []
    for m in msgs:
        headers = [(k, raw(v)) for k, v in m.get("headers") or []]
        futures.append(p.send(topic, key=raw(m["key"]), value=raw(m["value"]),
                              partition=m["partition"], headers=headers))
    p.flush(timeout=30)
    for i, f in enumerate(futures):
        try:
            md = f.get(timeout=30)
            emit(event="delivered", index=i, partition=md.partition, offset=md.offset, error=None)
        except KafkaError as e:
            emit(event="delivered", index=i, partition=-1, offset=-1, error=type(e).__name__)
    emit(event="flushed", remaining=0, delivered=len(futures))
    p.close(timeout=10)


def consume(bootstrap, topic, partitions, count):
    c = KafkaConsumer(
        bootstrap_servers=bootstrap,
        # No group: assign() and seek, nothing committed, no coordinator.
        group_id=None,
        enable_auto_commit=False,
        check_crcs=True,
    )
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    c.assign(tps)
    c.seek_to_beginning()
    got = 0
    deadline = time.monotonic() + 30
    while got < count and time.monotonic() < deadline:
        for tp, records in c.poll(timeout_ms=500).items():
            for r in records:
                got += 1
                emit(event="message", partition=r.partition, offset=r.offset,
                     key=text(r.key), value=text(r.value),
                     headers=[[k, text(v)] for k, v in r.headers or []],
                     timestamp_type=r.timestamp_type, timestamp=r.timestamp)
    ends = c.end_offsets(tps)
    emit(event="done", count=got, ends={str(tp.partition): o for tp, o in ends.items()})
    c.close()


def admin(bootstrap):
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    for line in sys.stdin:
        if not line.strip():
            continue
        op = json.loads(line)
        if op["op"] == "create":
            t = NewTopic(op["topic"], op["partitions"], op.get("replication", 1))
            err = call(lambda: a.create_topics([t], timeout_ms=10000,
                                               validate_only=op.get("validate_only", False)))
            emit(op="create", topic=op["topic"], error=err)
        elif op["op"] == "delete":
            err = call(lambda: a.delete_topics([op["topic"]], timeout_ms=10000))
            emit(op="delete", topic=op["topic"], error=err)
        elif op["op"] == "list":
            names = a.list_topics()
            topics = {t["topic"]: len(t["partitions"]) for t in a.describe_topics(names)} if names else {}
            emit(op="list", topics=topics, errors={})
        else:
            raise ValueError("unknown op %r" % op["op"])
    a.close()


def call(fn):
    """kafka-python raises the first per-topic error as an exception whose
    class carries Kafka's error name."""
    try:
        fn()
        return None
    except KafkaError as e:
        return getattr(e, "message", type(e).__name__)


def main(argv):
    cmd = argv[1]
    if cmd == "produce":
        produce(argv[2], argv[3], argv[4])
    elif cmd == "consume":
        consume(argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif cmd == "admin":
        admin(argv[2])
    elif cmd == "codecs":
        print(json.dumps(codecs()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
