"""The kinds of event a team can subscribe to, and what each says in words.

A kind is the name a subscription uses (`api.registered`), the catalog event behind it, whether it
may wait for a daily digest (health alerts never do), and a notice: the subject and lines of an
e-mail, the same facts a webhook's `data` carries whole."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from events.analytics import ApiHealthDegraded, ApiHealthRecovered
from events.envelope import DomainEvent
from events.notify import NotificationFailed
from events.registry import (
    ApiApprovalDecided,
    ApiApprovalRequested,
    ApiRegistrationRejected,
    ApiVersionLifecycleChanged,
    ApiVersionRegistered,
)
from events.testing import TestRunCompleted

MAX_FINDINGS_TOLD = 5

_REASONS = {
    "invalid-spec": "the document is not a valid OpenAPI description",
    "lint-failed": "lint found more than the team's ruleset allows",
    "breaking-change-rejected": "an admin rejected its breaking changes",
    "approval-expired": "nobody approved its breaking changes before the deadline",
    "version-conflict": "that version is already registered with other content",
    "internal-error": "the portal could not finish the registration (it may be sent again as it was)",
}


@dataclass(frozen=True)
class Notice:
    """One event, told: `subject` and `lines` in plain words, `path` the portal page about it."""

    subject: str
    lines: tuple[str, ...]
    path: str


def _api_page(api_id: str) -> str:
    return f"/catalog/api/?id={quote(api_id)}"


def _failed(event: NotificationFailed) -> Notice:
    what = "daily digest" if event.api_id is None else f"notification about {event.api_id}"
    return Notice(
        f"A {event.channel} {what} was not delivered",
        (
            f"Delivery {event.delivery_id} of {event.kind} to subscription {event.subscription_id} failed after "
            f"{event.attempts} attempt(s): {event.error}",
            "It can be delivered again from the team's page once the receiver works.",
        ),
        "/team/",
    )


def _registered(event: ApiVersionRegistered) -> Notice:
    state = "registered as a draft" if event.status == "draft" else "registered and active"
    return Notice(
        f"{event.api_id} {event.version} is {state}",
        (
            f"{event.title} {event.version} ({event.api_id}) is {state}: "
            f"{event.operation_count} operations, OpenAPI {event.openapi_version}.",
            "Its reference documentation is published in the portal.",
        ),
        _api_page(event.api_id),
    )


def _rejected(event: ApiRegistrationRejected) -> Notice:
    lines = [f"{event.api_id} {event.version} was not registered: {_REASONS[event.reason]}."]
    errors = [finding for finding in event.findings if finding.severity == "error"] or list(event.findings)
    if errors:
        lines.append(f"{len(event.findings)}{'+' if event.findings_truncated else ''} findings, first:")
        lines.extend(
            f"- {finding.pointer or '/'}: {finding.message[:300]} ({finding.rule})"
            for finding in errors[:MAX_FINDINGS_TOLD]
        )
    return Notice(
        f"{event.api_id} {event.version} was not registered",
        tuple(lines),
        f"/submission/?id={quote(event.submission_id)}",
    )


def _approval_requested(event: ApiApprovalRequested) -> Notice:
    changes = "1 breaking change" if event.breaking_count == 1 else f"{event.breaking_count} breaking changes"
    consumers = "1 consumer" if event.consumers_affected == 1 else f"{event.consumers_affected} consumers"
    return Notice(
        f"{event.api_id} {event.version} waits for an admin's approval",
        (
            f"{event.api_id} {event.version} has {changes} against {event.base_version} without a major "
            f"version bump; they affect {consumers} that called the changed operations in the last 30 days.",
            f"An admin approves or rejects it by {event.deadline:%Y-%m-%d %H:%M} UTC; after that it is refused.",
        ),
        f"/submission/?id={quote(event.submission_id)}",
    )


def _approval_decided(event: ApiApprovalDecided) -> Notice:
    decision = "approved" if event.approved else "rejected"
    return Notice(
        f"The breaking changes of {event.api_id} {event.version} were {decision}",
        (f"{event.decided_by} {decision} the breaking changes of {event.api_id} {event.version}: {event.reason}",),
        _api_page(event.api_id),
    )


def _lifecycle(event: ApiVersionLifecycleChanged) -> Notice:
    now = event.to_status + (f" (sunset {event.sunset.isoformat()})" if event.sunset else "")
    lines = [f"{event.api_id} {event.version} went from {event.from_status} to {now}, by {event.changed_by}."]
    if event.reason:
        lines.append(f"Why: {event.reason}")
    if event.to_status == "deprecated" and event.sunset:
        lines.append(f"Consumers should move off it before {event.sunset.isoformat()}.")
    return Notice(f"{event.api_id} {event.version} is {now}", tuple(lines), _api_page(event.api_id))


def _test_run(event: TestRunCompleted) -> Notice:
    return Notice(
        f"Contract test of {event.api_id} {event.version}: {event.outcome}",
        (event.summary,),
        f"/test-run/?id={quote(event.run_id)}",
    )


def _degraded(event: ApiHealthDegraded) -> Notice:
    return Notice(f"{event.api_id} is degraded: {event.rule}", (event.summary,), _api_page(event.api_id))


def _recovered(event: ApiHealthRecovered) -> Notice:
    return Notice(f"{event.api_id} recovered: {event.rule}", (event.summary,), _api_page(event.api_id))


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[DomainEvent]
    description: str
    digestible: bool
    tell: Callable[[Any], Notice]

    @property
    def detail_type(self) -> str:
        return self.model.DETAIL_TYPE


KINDS: tuple[Kind, ...] = (
    Kind("api.registered", ApiVersionRegistered, "a version was registered (active or draft)", True, _registered),
    Kind("api.rejected", ApiRegistrationRejected, "a submission was refused, with its findings", True, _rejected),
    Kind(
        "api.approval-requested",
        ApiApprovalRequested,
        "a version's breaking changes wait for an admin",
        True,
        _approval_requested,
    ),
    Kind("api.approval-decided", ApiApprovalDecided, "an admin approved or rejected them", True, _approval_decided),
    Kind(
        "api.lifecycle-changed",
        ApiVersionLifecycleChanged,
        "a version became active, deprecated (with its sunset) or retired",
        True,
        _lifecycle,
    ),
    Kind("test-run.completed", TestRunCompleted, "a contract test run ended", True, _test_run),
    Kind("health.degraded", ApiHealthDegraded, "an API crossed a health line", False, _degraded),
    Kind("health.recovered", ApiHealthRecovered, "an open health alert closed", False, _recovered),
    Kind(
        "notification.failed",
        NotificationFailed,
        "a delivery to another of the team's subscriptions failed for good",
        True,
        _failed,
    ),
)
KIND_NAMES: tuple[str, ...] = tuple(kind.name for kind in KINDS)
BY_NAME: Mapping[str, Kind] = MappingProxyType({kind.name: kind for kind in KINDS})
BY_DETAIL_TYPE: Mapping[str, Kind] = MappingProxyType({kind.detail_type: kind for kind in KINDS})
NOTIFIED_EVENTS: tuple[type[DomainEvent], ...] = tuple(kind.model for kind in KINDS)


def api_of(event: DomainEvent) -> str:
    """The API the event is about; "" for none (a failed daily digest)."""
    api_id = getattr(event, "api_id", None)
    return api_id if isinstance(api_id, str) else ""


def owner_of(event: DomainEvent) -> str | None:
    """The owning team when the event says it (ApiApprovalDecided does not)."""
    owner = getattr(event, "owner", None)
    return owner if isinstance(owner, str) else None
