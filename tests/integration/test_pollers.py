"""SQS pollers behave like Lambda event source mappings; dead letters can be redriven."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from devportal.adapters import dead_letters
from devportal_local.pollers import Poller, lambda_target
from functions.topology import dead_letter_queues
from tests.support.aws import AwsWorld

# What the handler below does with a message body, set by each test.
BEHAVIOUR: dict[str, str] = {}
SEEN: list[list[str]] = []


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bodies = [r["body"] for r in event["Records"]]
    SEEN.append(bodies)
    if any(BEHAVIOUR.get(b) == "crash" for b in bodies):
        raise RuntimeError("the whole batch fails")
    return {
        "batchItemFailures": [
            {"itemIdentifier": r["messageId"]} for r in event["Records"] if BEHAVIOUR.get(r["body"]) == "fail"
        ]
    }


@pytest.fixture(autouse=True)
def _reset() -> None:
    BEHAVIOUR.clear()
    SEEN.clear()


def poller(aws: AwsWorld, consumer: str = "track-submission", batch_size: int = 10) -> Poller:
    target = lambda_target(aws.names.queue(consumer), consumer, f"{__name__}:handler", batch_size, 10)
    return Poller(target, threading.Event())


def send(aws: AwsWorld, consumer: str, *bodies: str) -> None:
    url = aws.queue_url(aws.names.queue(consumer))
    for body in bodies:
        aws.client("sqs").send_message(QueueUrl=url, MessageBody=body)


def depth(aws: AwsWorld, queue: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_batches_and_partial_failures(aws: AwsWorld) -> None:
    send(aws, "track-submission", "ok-1", "bad", "ok-2")
    BEHAVIOUR["bad"] = "fail"
    p = poller(aws)
    p.poll_once()
    assert sorted(SEEN[0]) == ["bad", "ok-1", "ok-2"]  # one batch
    time.sleep(1.2)  # the failed one is visible again after the 1 s visibility timeout
    p.poll_once()
    assert SEEN[1] == ["bad"]  # the successes were deleted, only the failure came back


def test_a_raising_handler_fails_the_whole_batch(aws: AwsWorld) -> None:
    send(aws, "track-submission", "a", "b")
    BEHAVIOUR["a"] = "crash"
    p = poller(aws)
    p.poll_once()
    BEHAVIOUR.clear()
    time.sleep(1.2)
    p.poll_once()
    assert sorted(SEEN[1]) == ["a", "b"]


def test_poison_message_lands_in_the_dlq_and_redrives(aws: AwsWorld) -> None:
    consumer = "update-catalog"
    queue, dlq = aws.names.queue(consumer), aws.names.dead_letter_queue(consumer)
    send(aws, consumer, "poison")
    BEHAVIOUR["poison"] = "fail"
    p = poller(aws, consumer)
    deadline = time.monotonic() + 30
    while depth(aws, dlq) == 0:  # maxReceiveCount (5) receives, 1 s apart
        assert time.monotonic() < deadline, "the poison message never reached the DLQ"
        p.poll_once()
    assert len(SEEN) == 5
    assert depth(aws, queue) == 0

    sqs = aws.client("sqs")
    (report,) = [r for r in dead_letters.inspect(sqs, dead_letter_queues(aws.names)) if r.queue.name == dlq]
    assert report.depth == 1
    assert report.samples[0].receive_count >= 5
    assert depth(aws, dlq) == 1  # inspecting left it there

    # Once the cause is fixed, a redrive processes it: nothing was lost
    BEHAVIOUR.clear()
    (dead,) = [q for q in dead_letter_queues(aws.names) if q.name == dlq]
    assert dead_letters.redrive(sqs, dead) == 1
    assert depth(aws, dlq) == 0
    p.poll_once()
    assert SEEN[-1] == ["poison"]
    assert depth(aws, queue) == 0
