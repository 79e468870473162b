"""What registration does about breaking changes: the base version, a major bump, the verdict given
earlier decisions; and an admin's decision through the gateway (one per request, on a pending one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal.errors import InvalidParameter, NotFound, StateConflict
from devportal.registry.approval import (
    ApprovalRequest,
    BreakingChange,
    DecideApproval,
    Decision,
    base_of,
    judge,
    major_bump,
    read_decision,
)
from devportal.registry.models import ApiVersionRecord
from devportal.specs.diff import Change
from events.registry import ApiApprovalDecided
from tests.support.fakes import RecordingPublisher

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
REMOVED = Change("api-removed-without-deprecation", "ERR", "POST /pets was removed.", "POST /pets", "operation",
                 "/paths/~1pets/post", None)  # fmt: skip
ADDED = Change("endpoint-added", "INFO", "GET /toys was added.", "GET /toys", "operation", None, "/paths/~1toys/get")


def record(version: str, status: str = "active") -> ApiVersionRecord:
    return ApiVersionRecord("pets", version, "Pets", "pets", "a" * 64, "s", "n", "d", "3.0.3", 1,
                            "sub-" + "0" * 24, NOW, status=status)  # fmt: skip


def test_the_base_is_the_latest_active_version_other_than_itself() -> None:
    versions = [record("1.0.0"), record("1.2.0"), record("1.3.0", "deprecated"), record("1.4.0", "draft")]
    assert base_of(versions, "1.5.0").version == "1.2.0"  # type: ignore[union-attr]
    assert base_of([record("1.0.0")], "1.0.0") is None
    assert base_of([record("1.0.0", "retired")], "2.0.0") is None


@pytest.mark.parametrize(
    ("new", "base", "bumped"),
    [("2.0.0", "1.4.2", True), ("v3", "2.9", True), ("1.5.0", "1.4.2", False), ("1.0.0", "1.0.0", False),
     ("2024-01", "2023-12", True), ("next", "1.0.0", False)],
)  # fmt: skip
def test_a_major_bump_is_a_larger_leading_number(new: str, base: str, bumped: bool) -> None:
    assert major_bump(new, base) is bumped


def test_the_verdict_follows_the_breaking_changes_and_the_decisions_on_them() -> None:
    fingerprint = REMOVED.fingerprint
    assert judge("1.0.0", [ADDED]).verdict == "none"
    asked = judge("1.0.0", [ADDED, REMOVED])
    assert (asked.verdict, asked.breaking_count) == ("ask", 1)
    assert asked.breaking == (BreakingChange.of(REMOVED),)
    approved = Decision(True, "admin", "fine", NOW)
    assert judge("1.0.0", [REMOVED], {fingerprint: approved}).verdict == "approved-before"
    rejected = Decision(False, "admin", "no", NOW)
    again = judge("1.0.0", [REMOVED], {fingerprint: rejected})
    assert (again.verdict, again.earlier) == ("rejected-before", rejected)


class _Requests:
    def __init__(self, request: ApprovalRequest | None) -> None:
        self.request = request

    def get(self, api_id: str, version: str) -> ApprovalRequest | None:
        return self.request

    def put(self, request: ApprovalRequest) -> None: ...

    def close(self, api_id: str, version: str, status: str, decision: Decision) -> bool:
        return True

    def pending(self, limit: int) -> list[ApprovalRequest]:
        return []


def pending(status: str = "pending") -> ApprovalRequest:
    return ApprovalRequest("pets", "1.1.0", "pets", "sub-" + "1" * 24, "registration-pets-1.1.0-x", "1.0.0",
                           (BreakingChange.of(REMOVED),), 1, {"POST /pets": ("web",)}, NOW, NOW + timedelta(days=7),
                           status)  # type: ignore[arg-type]  # fmt: skip


def test_a_decision_on_a_pending_request_is_sent_to_its_workflow() -> None:
    publisher = RecordingPublisher()
    decide = DecideApproval(_Requests(pending()), publisher, lambda: NOW)
    decide("pets", "1.1.0", False, "partners still create pets", "admin@example.com", "corr")
    (event,) = publisher.published
    assert isinstance(event.data, ApiApprovalDecided)
    assert (event.data.workflow_id, event.data.approved, event.data.reason) == (
        "registration-pets-1.1.0-x", False, "partners still create pets"
    )  # fmt: skip


def test_nothing_to_decide_is_a_404_and_a_decided_request_a_409() -> None:
    with pytest.raises(NotFound, match="has not asked for an approval"):
        DecideApproval(_Requests(None), RecordingPublisher(), lambda: NOW)("pets", "1.1.0", True, "ok", "a", "c")
    publisher = RecordingPublisher()
    with pytest.raises(StateConflict, match="is approved already"):
        DecideApproval(_Requests(pending("approved")), publisher, lambda: NOW)("pets", "1.1.0", False, "no", "a", "c")
    assert publisher.published == []


def test_a_decision_needs_a_reason() -> None:
    with pytest.raises(InvalidParameter) as missing:
        read_decision({})
    assert missing.value.errors[0].pointer == "/reason"
    with pytest.raises(InvalidParameter):
        read_decision({"reason": ""})
