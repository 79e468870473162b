"""Breaking changes wait for an admin: a new version is compared with the API's latest active one;
what breaks consumers (ERR) and is not a major version bump waits in the registration workflow for
an approval or a rejection, or its deadline (7 days), which rejects it.

Decisions are kept per change (its fingerprint: rule, operation, logical location), so a version
submitted again with the same breaking changes is not asked about twice: approved changes pass, a
rejected one rejects it again with the reason given then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import Field, ValidationError

from devportal.bodies import JsonBody, invalid_body
from devportal.errors import FieldError, NotFound, StateConflict
from devportal.registry.models import ApiVersionRecord, latest_of
from devportal.registry.ports import EventPublisher
from devportal.specs.diff import Change
from events.envelope import new_event
from events.registry import ApiApprovalDecided

APPROVAL_WAIT = timedelta(days=7)
CONSUMER_WINDOW = timedelta(days=30)  # who called an affected operation within this long is named
MAX_CHANGES_ASKED = 100  # the breaking changes a request carries (the workflow's history stays small)
_MAJOR = re.compile(r"^[vV]?(\d+)")

Verdict = Literal["none", "approved-before", "rejected-before", "ask"]


@dataclass(frozen=True)
class BreakingChange:
    """An ERR change, as the approval request and the workflow carry it."""

    id: str
    message: str
    operation: str
    location: str
    fingerprint: str
    old_pointer: str | None
    new_pointer: str | None

    @classmethod
    def of(cls, change: Change) -> BreakingChange:
        return cls(
            change.id,
            change.message,
            change.operation,
            change.location,
            change.fingerprint,
            change.old_pointer,
            change.new_pointer,
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message,
            "operation": self.operation,
            "location": self.location,
            "fingerprint": self.fingerprint,
            "oldPointer": self.old_pointer,
            "newPointer": self.new_pointer,
        }


@dataclass(frozen=True)
class Decision:
    """An admin's decision (the workflow's `decide` signal), or the deadline's."""

    approved: bool
    by: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Comparison:
    """What registration must do about the breaking changes from the API's latest active version."""

    verdict: Verdict
    base_version: str | None = None
    breaking: tuple[BreakingChange, ...] = ()
    breaking_count: int = 0  # every one, when more than MAX_CHANGES_ASKED are carried
    earlier: Decision | None = None  # the decision a rejected-before verdict repeats


class Decisions(Protocol):
    """Decisions kept per breaking change of an API."""

    def decisions(self, api_id: str, fingerprints: Iterable[str]) -> dict[str, Decision]:
        """The decision on each fingerprint that has one."""
        ...

    def record(self, api_id: str, version: str, fingerprints: Iterable[str], decision: Decision) -> None: ...


def base_of(versions: Iterable[ApiVersionRecord], version: str) -> ApiVersionRecord | None:
    """What a new version is compared with: the API's latest active version (not itself)."""
    active = [record for record in versions if record.status == "active" and record.version != version]
    return latest_of(active) if active else None


def major_bump(new: str, base: str) -> bool:
    """Whether `new` raises the major version of `base` (2.0.0 over 1.4.2): consumers expect breaks."""
    a, b = _MAJOR.match(new), _MAJOR.match(base)
    return a is not None and b is not None and int(a.group(1)) > int(b.group(1))


def judge(base_version: str, changes: Iterable[Change], decided: Mapping[str, Decision] | None = None) -> Comparison:
    """The verdict on the breaking changes from `base_version`, given the decisions made before."""
    breaking = [BreakingChange.of(change) for change in changes if change.level == "ERR"]
    if not breaking:
        return Comparison("none", base_version)
    decided = decided or {}
    carried = tuple(breaking[:MAX_CHANGES_ASKED])
    earlier = [decided[b.fingerprint] for b in breaking if b.fingerprint in decided]
    rejected = [decision for decision in earlier if not decision.approved]
    if rejected:
        return Comparison("rejected-before", base_version, carried, len(breaking), rejected[0])
    if all(b.fingerprint in decided for b in breaking):
        return Comparison("approved-before", base_version, carried, len(breaking))
    return Comparison("ask", base_version, carried, len(breaking))


@dataclass(frozen=True)
class ApprovalRequest:
    """What an admin is asked: the breaking changes from the base version, who called the affected
    operations lately, and until when the version waits."""

    api_id: str
    version: str
    owner: str
    submission_id: str
    workflow_id: str
    base_version: str
    breaking: tuple[BreakingChange, ...]
    breaking_count: int
    consumers: Mapping[str, tuple[str, ...]]  # operation -> consumers that called it in the window
    requested_at: datetime
    deadline: datetime
    status: Literal["pending", "approved", "rejected", "expired"] = "pending"
    decision: Decision | None = None


class ApprovalRequests(Protocol):
    def put(self, request: ApprovalRequest) -> None:
        """Store a request; the same request again (a retried activity) changes nothing."""
        ...

    def get(self, api_id: str, version: str) -> ApprovalRequest | None: ...

    def close(self, api_id: str, version: str, status: str, decision: Decision) -> bool:
        """Record the outcome of a pending request; False when it was closed already."""
        ...

    def pending(self, limit: int) -> list[ApprovalRequest]: ...


class Approvals(Decisions, ApprovalRequests, Protocol):
    """Where approval requests and decisions are kept."""


class DecisionBody(JsonBody):
    """POST .../approve or .../reject: why (told to the owning team, kept with the decision)."""

    reason: str = Field(min_length=1, max_length=500)


def read_decision(body: object) -> DecisionBody:
    try:
        return DecisionBody.model_validate(body)
    except ValidationError as error:
        raise invalid_body("The decision", error) from None


@dataclass(frozen=True)
class DecideApproval:
    """An admin's decision on a pending request, handed to the version's registration workflow
    through an event (ApiApprovalDecided -> the bridge -> its `decide` signal). The workflow takes
    the first decision and records it; the request shows it once recorded."""

    requests: ApprovalRequests
    publisher: EventPublisher
    clock: Callable[[], datetime]

    def __call__(
        self, api_id: str, version: str, approved: bool, reason: str, by: str, correlation_id: str
    ) -> ApprovalRequest:
        request = self.requests.get(api_id, version)
        if request is None:
            raise NotFound(f"{api_id} {version} has not asked for an approval.")
        if request.status != "pending":
            raise StateConflict(
                f"The approval of {api_id} {version} is {request.status} already; a decision is made once.",
                [FieldError(detail=f"already {request.status}", pointer="/reason")],
            )
        self.publisher.publish(
            [
                new_event(
                    ApiApprovalDecided(
                        api_id=api_id,
                        version=version,
                        workflow_id=request.workflow_id,
                        approved=approved,
                        reason=reason,
                        decided_by=by,
                        decided_at=self.clock(),
                    ),
                    correlation_id=correlation_id,
                    producer="functions/approve_version, functions/reject_version",
                )
            ]
        )
        return request
