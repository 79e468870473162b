"""The bus, and every rule, topic, queue and dead-letter queue the event catalog implies; each
event's JSON Schema in an EventBridge schema registry; an archive of every portal event for replay."""

from __future__ import annotations

import json

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from devportal.names import ResourceNames
from events.catalog import EVENTS
from events.schemas import registry_schema
from functions.topology import DLQ_RETENTION_SECONDS, routing

EVENT_SOURCE_PREFIX = "devportal."


class EventsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        key: kms.IKey,
        archive_days: int,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        plan = routing(names)
        self.bus = events.EventBus(self, "Bus", event_bus_name=plan.bus)
        self.archive = self.bus.archive(
            "Archive",
            archive_name=f"{names.prefix}-events",
            description="Every portal event, for replay after a consumer fix",
            event_pattern=events.EventPattern(source=events.Match.prefix(EVENT_SOURCE_PREFIX)),
            retention=Duration.days(archive_days),
        )
        self.schema_registry = eventschemas.CfnRegistry(
            self,
            "SchemaRegistry",
            registry_name=f"{names.prefix}-events",
            description="devportal event schemas, generated from contracts/events/",
        )
        for definition in EVENTS:
            eventschemas.CfnSchema(
                self,
                f"Schema-{definition.detail_type}",
                registry_name=self.schema_registry.attr_registry_name,
                schema_name=f"{definition.source}@{definition.detail_type}",
                type="JSONSchemaDraft4",
                description=definition.description,
                content=json.dumps(registry_schema(definition), sort_keys=True),
            )
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for spec in plan.queues:
            dead = sqs.Queue(
                self,
                f"Dlq-{spec.consumer.name}",
                queue_name=spec.dead_letter_name,
                retention_period=Duration.seconds(DLQ_RETENTION_SECONDS),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            self.dead_letter_queues[spec.name] = dead
            self.queues[spec.name] = sqs.Queue(
                self,
                f"Queue-{spec.consumer.name}",
                queue_name=spec.name,
                visibility_timeout=Duration.seconds(spec.settings.visibility_timeout_seconds),
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=spec.settings.max_receive_count, queue=dead),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
        # What the notify state machine could not deliver; a redrive hands it back to the notifier.
        self.failed_deliveries = sqs.Queue(
            self,
            "FailedDeliveries",
            queue_name=names.failed_deliveries_queue,
            retention_period=Duration.seconds(DLQ_RETENTION_SECONDS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.topics: dict[str, sns.Topic] = {}
        for topic_spec in plan.topics:
            topic = sns.Topic(
                self, f"Topic-{topic_spec.name}", topic_name=topic_spec.name, enforce_ssl=True, master_key=key
            )
            for queue_name in topic_spec.subscriber_queues:
                topic.add_subscription(
                    subscriptions.SqsSubscription(self.queues[queue_name], raw_message_delivery=True)
                )
            self.topics[topic_spec.name] = topic
        for rule_spec in plan.rules:
            target: events.IRuleTarget = (
                targets.SnsTopic(self.topics[rule_spec.target_name])
                if rule_spec.target_kind == "topic"
                else targets.SqsQueue(self.queues[rule_spec.target_name])
            )
            pattern = rule_spec.event.event_pattern()
            events.Rule(
                self,
                f"Rule-{rule_spec.name}",
                rule_name=rule_spec.name,
                event_bus=self.bus,
                description=rule_spec.event.description,
                event_pattern=events.EventPattern(source=pattern["source"], detail_type=pattern["detail-type"]),
                targets=[target],
            )
