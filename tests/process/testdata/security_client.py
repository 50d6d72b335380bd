#!/usr/bin/python3
"""Log in to a secured Samsa listener with a Python client, for the Go tests.

  security_client.py CLIENT BOOTSTRAP TOPIC SETTINGS

CLIENT is "confluent" (librdkafka through confluent-kafka-python) or
"kafka-python". SETTINGS is a JSON object of the client's own security
settings (librdkafka properties, or kafka-python keyword arguments); for
confluent, "samsa.oauth.token" is an OAUTHBEARER token handed to
librdkafka through its oauth_cb, valid for "samsa.oauth.expiry" (unix s).

Produces three messages to partition 0 of TOPIC, then reads partition 0
from the beginning until it has seen them. Prints JSON lines:

  {"event": "delivered", "value": "..."}   per produced message
  {"event": "message", "value": "..."}     per consumed message
  {"event": "done"}
  {"event": "auth_error", "error": "..."}  authentication failed (exit 3)
"""

import json
import sys
import time


def emit(**event):
    print(json.dumps(event), flush=True)


def auth_failed(error):
    emit(event="auth_error", error=str(error))
    sys.exit(3)


def confluent(bootstrap, topic, settings):
    from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError,
                                 Producer, TopicPartition)

    def error_cb(err):
        if err.code() in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED) or err.fatal():
            auth_failed(err.str())

    token = settings.pop("samsa.oauth.token", None)
    expiry = settings.pop("samsa.oauth.expiry", 0)
    if token is not None:
        settings["oauth_cb"] = lambda _config: (token, float(expiry))
    base = dict(settings, **{"bootstrap.servers": bootstrap, "error_cb": error_cb})
    p = Producer(dict(base, **{"acks": "all", "enable.idempotence": False}))
    values = ["secure-%d" % i for i in range(3)]
    for v in values:
        p.produce(topic, value=v.encode(), partition=0,
                  on_delivery=lambda err, msg: err and auth_failed(err.str()) or emit(event="delivered", value=msg.value().decode()))
    deadline = time.time() + 30
    while len(p) and time.time() < deadline:
        p.poll(0.2)
    if len(p):
        raise SystemExit("messages not delivered in 30s")
    c = Consumer(dict(base, **{"group.id": "security-test", "enable.auto.commit": False}))
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    seen = set()
    while not set(values) <= seen and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        seen.add(m.value().decode())
        emit(event="message", value=m.value().decode())
    c.close()
    emit(event="done")


def kafka_python(bootstrap, topic, settings):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.errors import KafkaError, NoBrokersAvailable

    try:
        p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=0, **settings)
    except (NoBrokersAvailable, KafkaError) as e:
        auth_failed(e)
    values = ["secure-%d" % i for i in range(3)]
    for v in values:
        p.send(topic, value=v.encode(), partition=0).get(timeout=30)
        emit(event="delivered", value=v)
    p.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000, **settings)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    c.seek_to_beginning(tp)
    seen = set()
    for m in c:
        seen.add(m.value.decode())
        emit(event="message", value=m.value.decode())
        if set(values) <= seen:
            break
    c.close()
    emit(event="done")


def main(argv):
    client, bootstrap, topic, settings = argv[1], argv[2], argv[3], json.loads(argv[4])
    if client == "confluent":
        confluent(bootstrap, topic, settings)
    elif client == "kafka-python":
        kafka_python(bootstrap, topic, settings)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
