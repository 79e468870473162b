"""Every AWS resource of the portal, created in moto from the same definitions the CDK stacks use:
the names module, the table shape, and the event catalog's routing.

Idempotent: running it against an already provisioned moto changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from devportal.adapters.dynamodb import INDEXES, PARTITION_KEY, SORT_KEY
from devportal.names import ResourceNames
from events.catalog import DLQ_RETENTION_SECONDS, Routing, routing

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class Provisioned:
    table: str
    buckets: tuple[str, ...]
    bus: str
    rules: int
    topics: int
    queues: int
    stand_ins: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"table {self.table}, {len(self.buckets)} buckets, bus {self.bus}, {self.rules} rules, "
            f"{self.topics} topic(s), {self.queues} queues each with a DLQ"
            + (f", {len(self.stand_ins)} SNS stand-in queue(s)" if self.stand_ins else "")
        )


def provision(
    names: ResourceNames, *, visibility_timeout_seconds: int | None = None, **client_args: Any
) -> Provisioned:
    """`visibility_timeout_seconds` overrides the catalog's per-consumer value, so that a failed
    message is retried within seconds on a laptop rather than after a minute."""
    plan = routing(names)
    _table(boto3.client("dynamodb", **client_args), names.table)
    s3 = boto3.client("s3", **client_args)
    for bucket in (names.specs_bucket, names.docs_bucket):
        _bucket(s3, bucket)
    sqs = boto3.client("sqs", **client_args)
    arns = _queues(sqs, plan, names, visibility_timeout_seconds)
    topic_arns = _topics(boto3.client("sns", **client_args), plan, arns)
    _rules(boto3.client("events", **client_args), plan, names, arns)
    return Provisioned(
        table=names.table,
        buckets=(names.specs_bucket, names.docs_bucket),
        bus=plan.bus,
        rules=len(plan.rules),
        topics=len(topic_arns),
        queues=len(plan.queues),
        stand_ins=tuple(
            names.fanout_queue(rule.event.detail_type) for rule in plan.rules if rule.target_kind == "topic"
        ),
    )


def _table(dynamodb: Any, name: str) -> None:
    attributes = {PARTITION_KEY, SORT_KEY} | {k for pair in INDEXES.values() for k in pair}
    try:
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
            KeySchema=[
                {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": index,
                    "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": sk, "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index, (pk, sk) in INDEXES.items()
            ],
            SSESpecification={"Enabled": True},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise


def _bucket(s3: Any, name: str) -> None:
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def _queue(sqs: SQSClient, name: str, attributes: dict[str, str]) -> str:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def _queue_with_dlq(sqs: SQSClient, name: str, dlq_name: str, visibility: int, max_receive_count: int) -> str:
    dlq_arn = _queue(sqs, dlq_name, {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)})
    return _queue(
        sqs,
        name,
        {
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}),
        },
    )


def _queues(sqs: SQSClient, plan: Routing, names: ResourceNames, visibility: int | None) -> dict[str, str]:
    arns = {
        queue.name: _queue_with_dlq(
            sqs,
            queue.name,
            queue.dead_letter_name,
            visibility or queue.consumer.visibility_timeout_seconds,
            queue.consumer.max_receive_count,
        )
        for queue in plan.queues
    }
    for rule in plan.rules:
        if rule.target_kind == "topic":
            # moto cannot deliver an EventBridge rule to SNS: the rule feeds this queue, and the
            # local runtime's forwarder publishes each message to the topic.
            stand_in = names.fanout_queue(rule.event.detail_type)
            arns[stand_in] = _queue_with_dlq(sqs, stand_in, stand_in + "-dlq", visibility or 30, 5)
    return arns


def _topics(sns: Any, plan: Routing, queue_arns: dict[str, str]) -> dict[str, str]:
    topic_arns = {}
    for topic in plan.topics:
        arn = sns.create_topic(Name=topic.name)["TopicArn"]
        topic_arns[topic.name] = arn
        existing = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=arn).get("Subscriptions", [])}
        for queue in topic.subscriber_queues:
            if queue_arns[queue] not in existing:
                sns.subscribe(
                    TopicArn=arn,
                    Protocol="sqs",
                    Endpoint=queue_arns[queue],
                    Attributes={"RawMessageDelivery": "true"},
                )
    return topic_arns


def _rules(events: Any, plan: Routing, names: ResourceNames, queue_arns: dict[str, str]) -> None:
    try:
        events.create_event_bus(Name=plan.bus)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    for rule in plan.rules:
        events.put_rule(
            Name=rule.name,
            EventBusName=plan.bus,
            EventPattern=json.dumps(rule.event.event_pattern()),
            State="ENABLED",
            Description=rule.event.description,
        )
        target_queue = names.fanout_queue(rule.event.detail_type) if rule.target_kind == "topic" else rule.target_name
        events.put_targets(
            Rule=rule.name,
            EventBusName=plan.bus,
            Targets=[{"Id": "deliver", "Arn": queue_arns[target_queue]}],
        )
