"""SQS pollers that behave like Lambda event source mappings, plus the SNS stand-in forwarders.

Semantics kept from AWS: messages arrive in batches of up to `batch_size`; the handler's
`batchItemFailures` leave those messages on the queue while the rest are deleted; a handler that
raises fails the whole batch; a failed message becomes visible again after the queue's visibility
timeout, and after `maxReceiveCount` receives SQS (moto) moves it to the dead-letter queue."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from devportal.adapters.aws import client_config
from devportal.names import ResourceNames
from devportal_local.config import REGION
from devportal_local.lambda_runtime import LambdaContext, load_handler
from devportal_local.provision import topic_arns
from functions.topology import routing

log = logging.getLogger("devportal.pollers")
WAIT_SECONDS = 2  # long poll; also bounds how long a stop takes


@dataclass(frozen=True)
class PollTarget:
    queue: str
    name: str
    batch_size: int
    deliver: Callable[[list[Any]], set[str]]  # SQS messages -> ids of the failed ones


def lambda_target(queue: str, name: str, handler_ref: str, batch_size: int, timeout: int) -> PollTarget:
    handler = load_handler(handler_ref)
    arn = f"arn:aws:sqs:{REGION}:000000000000:{queue}"

    def deliver(messages: list[dict[str, Any]]) -> set[str]:
        event = {"Records": [lambda_record(m, arn) for m in messages]}
        try:
            result = handler(event, LambdaContext(function_name=name, timeout_seconds=timeout))
        except Exception:
            log.exception("%s failed the whole batch of %d", name, len(messages))
            return {m["MessageId"] for m in messages}
        failures = (result or {}).get("batchItemFailures", [])
        if failures:
            log.warning("%s: %d of %d messages failed", name, len(failures), len(messages))
        return {f["itemIdentifier"] for f in failures}

    return PollTarget(queue, name, batch_size, deliver)


def sns_forward_target(queue: str, topic_arn: str) -> PollTarget:
    sns = boto3.client("sns", config=client_config())

    def deliver(messages: list[dict[str, Any]]) -> set[str]:
        failed = set()
        for message in messages:
            try:
                sns.publish(TopicArn=topic_arn, Message=message["Body"])
            except Exception:
                log.exception("forwarding to %s failed", topic_arn)
                failed.add(message["MessageId"])
        return failed

    return PollTarget(queue, f"forward-to-{topic_arn.rsplit(':', 1)[-1]}", 10, deliver)


def lambda_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    """An SQS message, as ReceiveMessage returns it, in the shape Lambda hands to a handler."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: _lambda_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": REGION,
    }


def _lambda_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A message attribute as Lambda hands it over (`stringValue`, `dataType`...), not as
    ReceiveMessage answers it (`StringValue`, `DataType`)."""
    return {key[0].lower() + key[1:]: item for key, item in value.items()}


class Poller(threading.Thread):
    def __init__(self, target: PollTarget, stop: threading.Event) -> None:
        super().__init__(name=f"poller-{target.name}", daemon=True)
        self.target = target
        self.stop_event = stop
        self.sqs = boto3.client("sqs", config=client_config())
        self.url = self.sqs.get_queue_url(QueueName=target.queue)["QueueUrl"]

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("polling %s failed; retrying", self.target.queue)
                self.stop_event.wait(1.0)

    def poll_once(self) -> None:
        response = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=self.target.batch_size,
            WaitTimeSeconds=WAIT_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return
        failed = self.target.deliver(messages)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )


def build_targets(names: ResourceNames) -> list[PollTarget]:
    plan = routing(names)
    targets = [
        lambda_target(q.name, q.consumer.name, q.consumer.handler, q.settings.batch_size, q.consumer.timeout_seconds)
        for q in plan.queues
    ]
    sns = boto3.client("sns", config=client_config())
    arns = topic_arns(sns)
    for rule in plan.rules:
        if rule.target_kind == "topic":
            targets.append(sns_forward_target(names.fanout_queue(rule.event.detail_type), arns[rule.target_name]))
    return targets


def run_pollers(names: ResourceNames, stop: threading.Event, on_ready: Callable[[], None] | None = None) -> None:
    pollers = [Poller(target, stop) for target in build_targets(names)]
    for poller in pollers:
        poller.start()
    log.info("polling %s", ", ".join(p.target.queue for p in pollers))
    if on_ready is not None:
        on_ready()
    stop.wait()
    for poller in pollers:
        poller.join(timeout=WAIT_SECONDS + 5)
