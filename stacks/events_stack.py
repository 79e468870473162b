"""The bus, and every rule, topic, queue and dead-letter queue the event catalog implies."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from devportal.names import ResourceNames
from events.catalog import DLQ_RETENTION_SECONDS, routing


class EventsStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, names: ResourceNames, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        plan = routing(names)
        self.bus = events.EventBus(self, "Bus", event_bus_name=plan.bus)
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
                visibility_timeout=Duration.seconds(spec.consumer.visibility_timeout_seconds),
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=spec.consumer.max_receive_count, queue=dead),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
        self.topics: dict[str, sns.Topic] = {}
        for topic_spec in plan.topics:
            topic = sns.Topic(self, f"Topic-{topic_spec.name}", topic_name=topic_spec.name, enforce_ssl=True)
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
