"""Events travel as the catalog says: bus -> rule -> queue, or bus -> rule -> topic -> queues."""

from __future__ import annotations

import json

from devportal.adapters.eventbridge import EventBridgePublisher
from devportal_local.config import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, REGION
from devportal_local.pollers import build_targets
from devportal_local.provision import provision
from events.envelope import new_event
from events.parsing import parse_event
from functions.topology import routing
from tests.support.aws import AwsWorld
from tests.unit.test_events import REGISTERED, SUBMITTED


def test_provisioning_creates_the_catalog_and_is_idempotent(aws: AwsWorld) -> None:
    again = provision(
        aws.names,
        visibility_timeout_seconds=1,
        endpoint_url=aws.endpoint,
        region_name=REGION,
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
    )
    plan = routing(aws.names)
    queues = aws.client("sqs").list_queues(QueueNamePrefix=aws.names.prefix)["QueueUrls"]
    expected = (
        {q.name for q in plan.queues}
        | {q.dead_letter_name for q in plan.queues}
        | set(again.stand_ins)
        | {s + "-dlq" for s in again.stand_ins}
        | {aws.names.failed_deliveries_queue}  # what the notify state machine could not deliver
    )
    assert {url.rsplit("/", 1)[1] for url in queues} == expected
    rules = aws.client("events").list_rules(EventBusName=aws.names.event_bus)["Rules"]
    assert {r["Name"] for r in rules} == {r.name for r in plan.rules}
    for queue in plan.queues:
        attributes = aws.client("sqs").get_queue_attributes(
            QueueUrl=aws.queue_url(queue.name), AttributeNames=["RedrivePolicy"]
        )["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(":" + queue.dead_letter_name)
        assert redrive["maxReceiveCount"] == queue.settings.max_receive_count
    pages = aws.client("sns").get_paginator("list_subscriptions").paginate()  # the server is shared: 100 a page
    ours = [s for page in pages for s in page["Subscriptions"] if aws.names.prefix in s["TopicArn"]]
    # subscribed once each, though provisioned twice
    assert len(ours) == sum(len(topic.subscriber_queues) for topic in plan.topics)


def test_single_consumer_event_goes_straight_to_its_queue(aws: AwsWorld) -> None:
    event = new_event(SUBMITTED, correlation_id="c-1", producer="test")
    EventBridgePublisher(aws.names.event_bus).publish([event])
    (message,) = aws.drain(aws.names.queue("start-registration"))
    assert parse_event(message["Body"]) == event
    assert aws.drain(aws.names.queue("track-submission"), wait_seconds=0) == []


def test_fan_out_event_reaches_every_consumer_through_the_topic(aws: AwsWorld) -> None:
    event = new_event(REGISTERED, correlation_id="c-2", producer="test")
    EventBridgePublisher(aws.names.event_bus).publish([event])
    # moto cannot deliver a rule to SNS: the stand-in queue holds it, the forwarder publishes it on
    forwarder = next(t for t in build_targets(aws.names) if t.queue == aws.names.fanout_queue("ApiVersionRegistered"))
    held = aws.drain(forwarder.queue)
    assert len(held) == 1
    assert forwarder.deliver(held) == set()
    for consumer in ("track-submission", "update-catalog"):
        (message,) = aws.drain(aws.names.queue(consumer))
        assert parse_event(message["Body"]) == event  # raw delivery: the same EventBridge JSON
