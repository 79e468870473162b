"""Operating the queues: inspect dead-letter queues and redrive them (`devportal dlq`).

Works the same against moto and AWS (the client's endpoint decides). Redrive sends a copy to the
source queue before deleting it from the DLQ, so a crash in between duplicates a message (which
every consumer tolerates) but never loses one. SQS's own StartMessageMoveTask would do the same
in AWS; moto does not implement it, and one code path for both worlds is worth more."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    source: str  # the queue its messages came from, and go back to


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receive_count: int
    first_received_ms: int | None
    summary: str


@dataclass(frozen=True)
class DeadLetterReport:
    queue: DeadLetterQueue
    depth: int
    samples: list[DeadLetter]


def _url(sqs: SQSClient, name: str) -> str | None:
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return None


def inspect(sqs: SQSClient, queues: Iterable[DeadLetterQueue], *, samples: int = 5) -> Iterator[DeadLetterReport]:
    """Depth and a sample of each DLQ that exists; the sample's messages stay where they are."""
    for queue in queues:
        url = _url(sqs, queue.name)
        if url is None:
            continue
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        depth = int(attributes["Attributes"].get("ApproximateNumberOfMessages", "0"))
        peeked: list[DeadLetter] = []
        if depth and samples:
            # VisibilityTimeout=0: a look that leaves the messages where they are.
            response = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(samples, 10),
                VisibilityTimeout=0,
                AttributeNames=["All"],
            )
            peeked = [_describe(m) for m in response.get("Messages", [])]
        yield DeadLetterReport(queue, depth, peeked)


def _describe(message: Any) -> DeadLetter:
    attributes = message.get("Attributes", {})
    try:
        body = json.loads(message["Body"])
        detail = body.get("detail", {}).get("data", {})
        summary = f"{body.get('detail-type', '?')} " + " ".join(
            f"{k}={detail[k]}" for k in ("apiId", "version", "submissionId") if k in detail
        )
    except (ValueError, AttributeError):
        summary = "not an event: " + message["Body"][:80]
    first = attributes.get("ApproximateFirstReceiveTimestamp")
    return DeadLetter(
        message_id=message["MessageId"],
        receive_count=int(attributes.get("ApproximateReceiveCount", "0")),
        first_received_ms=int(first) if first else None,
        summary=summary.strip(),
    )


def redrive(sqs: SQSClient, queue: DeadLetterQueue, *, limit: int | None = None) -> int:
    """Move messages from the DLQ back to its source queue; returns how many moved."""
    dlq_url, source_url = _url(sqs, queue.name), _url(sqs, queue.source)
    if dlq_url is None or source_url is None:
        return 0
    moved = 0
    while limit is None or moved < limit:
        batch = min(10, limit - moved) if limit is not None else 10
        response = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=batch,
            VisibilityTimeout=60,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            break
        entries: list[SendMessageBatchRequestEntryTypeDef] = []
        for index, message in enumerate(messages):
            entry: SendMessageBatchRequestEntryTypeDef = {"Id": str(index), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        sent = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
        delivered = {int(entry["Id"]) for entry in sent.get("Successful", [])}
        if delivered:
            sqs.delete_message_batch(
                QueueUrl=dlq_url,
                Entries=[{"Id": str(i), "ReceiptHandle": messages[i]["ReceiptHandle"]} for i in sorted(delivered)],
            )
        moved += len(delivered)
        if len(delivered) < len(messages):
            failed = [e.get("Message", e.get("Code")) for e in sent.get("Failed", [])]
            raise RuntimeError(f"{len(failed)} message(s) could not be sent back to {queue.source}: {failed}")
    return moved
