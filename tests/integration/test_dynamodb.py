"""The registry table against moto: conditional writes make every write-once write idempotent."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from devportal.adapters.registry import DynamoRegistry
from devportal.registry.models import ApiVersionRecord, RegistrationStep, Submission, SubmissionStatus
from devportal.registry.ports import StoreResult
from devportal.specs.validation import Finding
from tests.support.aws import AwsWorld

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def submission(submission_id: str = "sub-" + "1" * 24) -> Submission:
    return Submission(
        submission_id,
        "petstore",
        "1.0.0",
        "pets",
        "a" * 64,
        "specs/k",
        "yaml",
        100,
        SubmissionStatus.SUBMITTED,
        NOW,
        NOW,
        "corr",
        "registration-petstore-1.0.0-111111111111",
    )


def version(v: str = "1.0.0", sha: str = "a" * 64, api: str = "petstore", owner: str = "pets") -> ApiVersionRecord:
    return ApiVersionRecord(
        api,
        v,
        f"Petstore {v}",
        owner,
        sha,
        "specs/k",
        "normalized/k",
        f"docs/{v}.html",
        "3.1.0",
        4,
        "sub-" + "1" * 24,
        NOW + timedelta(minutes=len(v)),
    )


@pytest.fixture
def registry(aws: AwsWorld) -> DynamoRegistry:
    return DynamoRegistry(aws.names.table, aws.client("dynamodb"))


def test_submission_is_created_once(registry: DynamoRegistry) -> None:
    first = registry.create_submission(submission())
    again = registry.create_submission(dataclasses.replace(submission(), correlation_id="other"))
    assert again == first
    assert registry.get_submission(first.submission_id) == first


def test_submission_moves_forward_only(registry: DynamoRegistry) -> None:
    created = registry.create_submission(submission())
    assert registry.get_submission(created.submission_id).step is None  # type: ignore[union-attr]
    registry.record_step(created.submission_id, RegistrationStep.VALIDATING)
    registry.record_step(created.submission_id, RegistrationStep.RENDERING)
    registering = registry.get_submission(created.submission_id)
    assert registering is not None
    assert (registering.status, registering.step) == (SubmissionStatus.REGISTERING, RegistrationStep.RENDERING)
    findings = [Finding("/info", "bad", "schema")]
    assert registry.record_outcome(
        created.submission_id,
        SubmissionStatus.REJECTED,
        reason="invalid-spec",
        findings=findings,
        findings_truncated=True,
    )
    # a redelivered outcome, or a late "registering", changes nothing
    assert not registry.record_outcome(
        created.submission_id, SubmissionStatus.REGISTERED, reason=None, findings=(), findings_truncated=False
    )
    registry.record_step(created.submission_id, RegistrationStep.STORING)
    stored = registry.get_submission(created.submission_id)
    assert stored is not None
    assert (stored.status, stored.step, stored.reason, stored.findings, stored.findings_truncated) == (
        SubmissionStatus.REJECTED,
        None,  # a finished registration is at no step
        "invalid-spec",
        tuple(findings),
        True,
    )


def test_outcome_for_an_unknown_submission_is_not_recorded(registry: DynamoRegistry) -> None:
    assert not registry.record_outcome(
        "sub-" + "f" * 24, SubmissionStatus.REGISTERED, reason=None, findings=(), findings_truncated=False
    )
    assert registry.get_submission("sub-" + "f" * 24) is None


def test_versions_are_immutable(registry: DynamoRegistry, aws: AwsWorld) -> None:
    assert registry.store_version(version()) is StoreResult.CREATED
    assert registry.store_version(version()) is StoreResult.ALREADY_STORED
    assert registry.store_version(version(sha="b" * 64)) is StoreResult.CONFLICT
    assert registry.get_version("petstore", "1.0.0") == version()
    doc = aws.client("dynamodb").get_item(
        TableName=aws.names.table, Key={"PK": {"S": "DOC#petstore"}, "SK": {"S": "VERSION#1.0.0"}}
    )["Item"]
    assert doc["docsKey"]["S"] == "docs/1.0.0.html"  # written in the same transaction


def test_catalog_entry_is_idempotent_and_tracks_the_latest_version(registry: DynamoRegistry) -> None:
    for v in ("1.0.0", "1.2.0", "1.1.0", "1.2.0"):  # out of order, and one redelivered
        registry.store_version(version(v))
        registry.add_to_catalog(version(v))
    entry = registry.get_catalog_entry("petstore")
    assert entry is not None
    assert entry.latest_version == "1.2.0"
    assert entry.versions == {"1.0.0", "1.1.0", "1.2.0"}
    assert entry.title == "Petstore 1.2.0"
    assert [r.version for r in registry.list_versions("petstore")] == ["1.0.0", "1.1.0", "1.2.0"]


def test_catalog_pages_and_owner_filter(registry: DynamoRegistry) -> None:
    for index in range(5):
        registry.add_to_catalog(version(api=f"api-{index}", owner="even" if index % 2 == 0 else "odd"))
    first = registry.list_catalog(limit=2, cursor=None, owner=None)
    assert [e.api_id for e in first.entries] == ["api-0", "api-1"]
    assert first.next_cursor is not None
    seen = [e.api_id for e in first.entries]
    cursor: str | None = first.next_cursor
    while cursor:
        page = registry.list_catalog(limit=2, cursor=cursor, owner=None)
        seen += [e.api_id for e in page.entries]
        cursor = page.next_cursor
    assert seen == [f"api-{i}" for i in range(5)]
    odd = registry.list_catalog(limit=10, cursor=None, owner="odd")
    assert [e.api_id for e in odd.entries] == ["api-1", "api-3"]


def test_a_cursor_is_a_position_any_api_id_names(registry: DynamoRegistry) -> None:
    """Cursors are apiIds (the contract says so): every one is a valid request, so a client can
    start anywhere, and a cursor names the same position in any query."""
    for index in range(4):
        registry.add_to_catalog(version(api=f"api-{index}", owner="even" if index % 2 == 0 else "odd"))
    assert [e.api_id for e in registry.list_catalog(limit=10, cursor="api-1", owner=None).entries] == ["api-2", "api-3"]
    assert [e.api_id for e in registry.list_catalog(limit=10, cursor="api-1", owner="even").entries] == ["api-2"]
    assert [e.api_id for e in registry.list_catalog(limit=10, cursor="aaa", owner=None).entries][:1] == ["api-0"]
    never_listed = registry.list_catalog(limit=10, cursor="zzz", owner=None)
    assert (never_listed.entries, never_listed.next_cursor) == ([], None)
