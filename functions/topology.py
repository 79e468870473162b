"""How events travel, as data: from the event catalog (events/) and the consumers' declarations
(functions/<folder>/function.py) to every rule, topic, queue and dead-letter queue of one
deployment.

Both worlds are built from `routing()`: the CDK stacks and the local runtime (`devportal up`)
create the same rules, topics, queues and DLQs from it, and a test compares the two.

Routing rule: an event with one consumer goes EventBridge rule -> SQS queue; an event with several
fans out EventBridge rule -> SNS topic -> one SQS queue per consumer (raw delivery, so every
consumer receives the same EventBridge event JSON either way). Every queue has a DLQ."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from devportal.adapters.dead_letters import DeadLetterQueue
from devportal.names import ResourceNames
from events.catalog import EVENTS, EventDefinition
from functions.catalog import consumers
from functions.declaration import Function, Queue

NOTIFIER = "notify"  # the consumer that delivers to subscriptions (functions/notify)
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: dead letters wait two weeks for a redrive


@dataclass(frozen=True)
class QueueSpec:
    consumer: Function
    name: str
    dead_letter_name: str

    @property
    def settings(self) -> Queue:
        assert isinstance(self.consumer.trigger, Queue)
        return self.consumer.trigger


@dataclass(frozen=True)
class TopicSpec:
    name: str
    subscriber_queues: tuple[str, ...]


@dataclass(frozen=True)
class RuleSpec:
    name: str
    event: EventDefinition
    target_kind: Literal["queue", "topic"]
    target_name: str


@dataclass(frozen=True)
class Routing:
    bus: str
    queues: tuple[QueueSpec, ...]
    topics: tuple[TopicSpec, ...]
    rules: tuple[RuleSpec, ...]
    sources_of_queue: dict[str, tuple[str, ...]] = field(default_factory=dict)


def dead_letter_queues(names: ResourceNames) -> list[DeadLetterQueue]:
    """Every DLQ of a deployment with the queue it drains: one per consumer, the notify state
    machine's failed deliveries (back to the notifier, which delivers each to its subscription
    again), plus (locally) one per SNS stand-in queue."""
    plan = routing(names)
    queues = [DeadLetterQueue(q.dead_letter_name, q.name) for q in plan.queues]
    queues.append(DeadLetterQueue(names.failed_deliveries_queue, names.queue(NOTIFIER)))
    queues += [
        DeadLetterQueue(names.fanout_queue(r.event.detail_type) + "-dlq", names.fanout_queue(r.event.detail_type))
        for r in plan.rules
        if r.target_kind == "topic"
    ]
    return queues


def consumers_of(definition: EventDefinition) -> tuple[Function, ...]:
    return tuple(
        consumer
        for consumer in consumers()
        if isinstance(consumer.trigger, Queue) and definition.detail_type in consumer.trigger.detail_types
    )


def fans_out(definition: EventDefinition) -> bool:
    return len(consumers_of(definition)) > 1


def routing(names: ResourceNames) -> Routing:
    """Every rule, topic and queue the catalog and the consumers imply, named for one deployment.
    An event nobody consumes yet gets no rule (it still reaches the bus and its archive)."""
    queues = tuple(
        QueueSpec(consumer=c, name=names.queue(c.name), dead_letter_name=names.dead_letter_queue(c.name))
        for c in consumers()
    )
    topics: list[TopicSpec] = []
    rules: list[RuleSpec] = []
    sources: dict[str, list[str]] = {}
    for event in EVENTS:
        receivers = consumers_of(event)
        for consumer in receivers:
            sources.setdefault(names.queue(consumer.name), []).append(event.detail_type)
        if len(receivers) > 1:
            topic = names.topic(event.detail_type)
            topics.append(TopicSpec(topic, tuple(names.queue(c.name) for c in receivers)))
            rules.append(RuleSpec(names.rule(event.detail_type), event, "topic", topic))
        elif receivers:
            rules.append(RuleSpec(names.rule(event.detail_type), event, "queue", names.queue(receivers[0].name)))
    return Routing(
        bus=names.event_bus,
        queues=queues,
        topics=tuple(topics),
        rules=tuple(rules),
        sources_of_queue={queue: tuple(types) for queue, types in sources.items()},
    )
