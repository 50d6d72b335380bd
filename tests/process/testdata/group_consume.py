#!/usr/bin/python3
"""Consume in a consumer group (subscribe, not assign) for the Go tests.

  group_consume.py CLIENT BOOTSTRAP TOPIC GROUP COUNT

CLIENT is confluent (librdkafka) or kafkapython. The consumer subscribes,
waits for its assignment, reads until it has COUNT messages (or, with
COUNT 0, polls for a few seconds after the assignment to show there is
nothing left), commits synchronously and closes (leaving the group).
Prints JSON lines: {"event": "assigned", "partitions": [...]},
{"event": "message", "partition": p, "offset": o}, {"event": "committed"},
{"event": "done", "count": n}.
"""

import json
import sys
import time

IDLE_AFTER_ASSIGN = 3.0
DEADLINE = 40.0


def emit(**event):
    print(json.dumps(event), flush=True)


def confluent(bootstrap, topic, group, count):
    from confluent_kafka import Consumer, KafkaException

    assigned = []

    def on_assign(consumer, partitions):
        assigned.append(time.monotonic())
        emit(event="assigned", partitions=sorted(p.partition for p in partitions))

    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 300,
        "error_cb": lambda err: emit(event="client_error", code=err.name(), error=err.str()),
    })
    c.subscribe([topic], on_assign=on_assign)
    got = 0
    start = time.monotonic()
    while time.monotonic() - start < DEADLINE:
        if count == 0 and assigned and time.monotonic() - assigned[0] > IDLE_AFTER_ASSIGN:
            break
        if count and got >= count:
            break
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            raise KafkaException(m.error())
        got += 1
        emit(event="message", partition=m.partition(), offset=m.offset())
    if got:
        c.commit(asynchronous=False)
        emit(event="committed")
    c.close()
    emit(event="done", count=got)


def kafkapython(bootstrap, topic, group, count):
    from kafka import KafkaConsumer
    from kafka.consumer.subscription_state import ConsumerRebalanceListener

    assigned = []

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            pass

        def on_partitions_assigned(self, partitions):
            assigned.append(time.monotonic())
            emit(event="assigned", partitions=sorted(p.partition for p in partitions))

    c = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=300,
    )
    c.subscribe([topic], listener=Listener())
    got = 0
    start = time.monotonic()
    while time.monotonic() - start < DEADLINE:
        if count == 0 and assigned and time.monotonic() - assigned[0] > IDLE_AFTER_ASSIGN:
            break
        if count and got >= count:
            break
        for tp, records in c.poll(timeout_ms=200, max_records=count - got if count else 500).items():
            for r in records:
                got += 1
                emit(event="message", partition=r.partition, offset=r.offset)
    if got:
        c.commit()
        emit(event="committed")
    c.close()
    emit(event="done", count=got)


def main():
    client, bootstrap, topic, group, count = sys.argv[1:6]
    {"confluent": confluent, "kafkapython": kafkapython}[client](bootstrap, topic, group, int(count))


if __name__ == "__main__":
    main()
