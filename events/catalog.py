"""The event catalog: every event the portal emits, as a contract - its model (and so its JSON
Schema in contracts/events/), its source and detail-type, who produces it and what it means.

Only contracts live here. Who consumes an event, and through which queues, rules and topics it
travels, is declared by the consumers (functions/<folder>/function.py) and laid out by
functions.topology, which both worlds build from.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.analytics import (
    ApiDailyReportPublished,
    ApiHealthDegraded,
    ApiHealthRecovered,
    ApiTrafficStarted,
    ApiUsageRecorded,
)
from events.envelope import DomainEvent
from events.identity import UserSignedIn
from events.notify import NotificationFailed
from events.registry import (
    ApiApprovalDecided,
    ApiApprovalRequested,
    ApiRegistrationRejected,
    ApiSpecSubmitted,
    ApiVersionLifecycleChanged,
    ApiVersionRegistered,
)
from events.testing import TestRunCompleted, TestRunRequested


@dataclass(frozen=True)
class EventDefinition:
    model: type[DomainEvent]
    producer: str
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

    def event_pattern(self) -> dict[str, list[str]]:
        return {"source": [self.source], "detail-type": [self.detail_type]}


EVENTS: tuple[EventDefinition, ...] = (
    EventDefinition(
        model=ApiSpecSubmitted,
        producer="functions/submit_spec",
        description="A spec was accepted for registration; raw bytes are in the specs bucket.",
    ),
    EventDefinition(
        model=ApiVersionRegistered,
        producer="temporal_bridge/ApiRegistrationWorkflow",
        description="A version is stored, active and documented.",
    ),
    EventDefinition(
        model=ApiRegistrationRejected,
        producer="temporal_bridge/ApiRegistrationWorkflow",
        description="A submission was refused, with findings.",
    ),
    EventDefinition(
        model=ApiApprovalRequested,
        producer="temporal_bridge/ApiRegistrationWorkflow",
        description="A version's breaking changes wait for an admin's approval, until a deadline.",
    ),
    EventDefinition(
        model=ApiApprovalDecided,
        producer="functions/approve_version, functions/reject_version",
        description="An admin approved or rejected a version's breaking changes; its workflow is told.",
    ),
    EventDefinition(
        model=ApiVersionLifecycleChanged,
        producer="functions/change_version_lifecycle",
        description="A version became active, deprecated (with its sunset date) or retired.",
    ),
    EventDefinition(
        model=ApiUsageRecorded,
        producer="services (PutEvents with the same contract) and functions/record_usage",
        description="Calls to a cataloged API that a team's service reported, checked one by one.",
    ),
    EventDefinition(
        model=ApiTrafficStarted,
        producer="functions/aggregate_usage",
        description="The first usage of a cataloged API was counted; its health checks and daily reports start.",
    ),
    EventDefinition(
        model=ApiHealthDegraded,
        producer="temporal_bridge/ApiHealthWorkflow",
        description="An hour of an API crossed a health line (error rate, p99 latency, traffic), with the evidence.",
    ),
    EventDefinition(
        model=ApiHealthRecovered,
        producer="temporal_bridge/ApiHealthWorkflow",
        description="An open health alert closed: a later hour was back under 80 % of its line.",
    ),
    EventDefinition(
        model=ApiDailyReportPublished,
        producer="temporal_bridge/ApiAnalyticsWorkflow",
        description="An API's report of one day (UTC) is kept: its headline and figures; the whole report by its day.",
    ),
    EventDefinition(
        model=TestRunRequested,
        producer=(
            "functions/request_test_run, functions/test_after_registration, temporal_bridge/ScheduledTestRunWorkflow"
        ),
        description="A contract test run of a registered version against a live base URL was asked for; it is queued.",
    ),
    EventDefinition(
        model=TestRunCompleted,
        producer="temporal_bridge/TestOrchestrationWorkflow",
        description="A contract test run ended (passed, failed, cancelled or error), with its score and coverage.",
    ),
    EventDefinition(
        model=NotificationFailed,
        producer="functions/finish_delivery (the notify state machine)",
        description="A delivery to a subscription failed for good; its event waits in the failed-deliveries queue.",
    ),
    EventDefinition(
        model=UserSignedIn,
        producer="functions/login",
        description="A user signed in; their profile's lastLogin follows.",
    ),
)


def event_definition(detail_type: str) -> EventDefinition:
    for definition in EVENTS:
        if definition.detail_type == detail_type:
            return definition
    raise KeyError(detail_type)
