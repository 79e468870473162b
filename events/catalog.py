"""The event catalog, as data: every event, who produces it, who consumes it, and how it travels.

Both worlds are built from this table. The CDK stacks and the local runtime (`devportal up`) read
`routing()` and create the same rules, topics, queues and dead-letter queues from it; a test
checks that every consumer's handler imports and that every event has a schema in contracts/.

Routing rule: an event with one consumer goes EventBridge rule -> SQS queue; an event with several
fans out EventBridge rule -> SNS topic -> one SQS queue per consumer (raw delivery, so every
consumer receives the same EventBridge event JSON either way). Every queue has a DLQ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from devportal.names import ResourceNames
from events.envelope import DomainEvent
from events.identity import UserSignedIn
from events.registry import ApiRegistrationRejected, ApiSpecSubmitted, ApiVersionRegistered

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: dead letters wait two weeks for a redrive


@dataclass(frozen=True)
class Consumer:
    """A single-purpose function fed by one SQS queue, with Lambda event-source-mapping settings."""

    name: str
    handler: str  # "package.module:function"
    description: str
    kind: Literal["lambda", "workflow-start"] = "lambda"
    batch_size: int = 10
    max_receive_count: int = 5
    visibility_timeout_seconds: int = 60
    timeout_seconds: int = 10


@dataclass(frozen=True)
class EventDefinition:
    model: type[DomainEvent]
    producer: str
    consumers: tuple[str, ...]
    description: str

    @property
    def detail_type(self) -> str:
        return self.model.DETAIL_TYPE

    @property
    def source(self) -> str:
        return self.model.SOURCE

    @property
    def version(self) -> int:
        return self.model.VERSION

    @property
    def fans_out(self) -> bool:
        return len(self.consumers) > 1

    def event_pattern(self) -> dict[str, list[str]]:
        return {"source": [self.source], "detail-type": [self.detail_type]}


CONSUMERS: dict[str, Consumer] = {
    c.name: c
    for c in (
        Consumer(
            name="start-registration",
            handler="temporal_bridge.handlers.start_registration:handler",
            description="Starts ApiRegistrationWorkflow for a submission (deterministic workflow id).",
            kind="workflow-start",
            visibility_timeout_seconds=60,
        ),
        Consumer(
            name="track-submission",
            handler="functions.track_submission.handler:handler",
            description="Records the outcome of a registration on its submission.",
        ),
        Consumer(
            name="record-sign-in",
            handler="functions.record_sign_in.handler:handler",
            description="Moves a user's lastLogin forward when they sign in.",
        ),
        Consumer(
            name="update-catalog",
            handler="functions.update_catalog.handler:handler",
            description="Keeps the catalog entry of an API (owner, latest version, versions) current.",
        ),
    )
}

EVENTS: tuple[EventDefinition, ...] = (
    EventDefinition(
        model=ApiSpecSubmitted,
        producer="functions/submit_spec",
        consumers=("start-registration",),
        description="A spec was accepted for registration; raw bytes are in the specs bucket.",
    ),
    EventDefinition(
        model=ApiVersionRegistered,
        producer="temporal_bridge/ApiRegistrationWorkflow",
        consumers=("track-submission", "update-catalog"),
        description="A version is stored, active and documented.",
    ),
    EventDefinition(
        model=ApiRegistrationRejected,
        producer="temporal_bridge/ApiRegistrationWorkflow",
        consumers=("track-submission",),
        description="A submission was refused, with findings.",
    ),
    EventDefinition(
        model=UserSignedIn,
        producer="functions/login",
        consumers=("record-sign-in",),
        description="A user signed in; their profile's lastLogin follows.",
    ),
)


def event_definition(detail_type: str) -> EventDefinition:
    for definition in EVENTS:
        if definition.detail_type == detail_type:
            return definition
    raise KeyError(detail_type)


@dataclass(frozen=True)
class QueueSpec:
    consumer: Consumer
    name: str
    dead_letter_name: str


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


def routing(names: ResourceNames) -> Routing:
    """Every rule, topic and queue the catalog implies, named for one deployment."""
    queues = tuple(
        QueueSpec(consumer=c, name=names.queue(c.name), dead_letter_name=names.dead_letter_queue(c.name))
        for c in CONSUMERS.values()
    )
    topics: list[TopicSpec] = []
    rules: list[RuleSpec] = []
    sources: dict[str, list[str]] = {}
    for event in EVENTS:
        for consumer in event.consumers:
            sources.setdefault(names.queue(consumer), []).append(event.detail_type)
        if event.fans_out:
            topic = names.topic(event.detail_type)
            topics.append(TopicSpec(topic, tuple(names.queue(c) for c in event.consumers)))
            rules.append(RuleSpec(names.rule(event.detail_type), event, "topic", topic))
        else:
            rules.append(RuleSpec(names.rule(event.detail_type), event, "queue", names.queue(event.consumers[0])))
    return Routing(
        bus=names.event_bus,
        queues=queues,
        topics=tuple(topics),
        rules=tuple(rules),
        sources_of_queue={queue: tuple(types) for queue, types in sources.items()},
    )
