"""Submitting: refusals write nothing; acceptance stores, records and announces exactly once."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from devportal.errors import (
    DependencyUnavailable,
    InvalidParameter,
    InvalidSpecField,
    NotOpenApi,
    UnsafeSpec,
    UnsupportedMediaType,
    VersionConflict,
)
from devportal.registry.models import ApiVersionRecord, SubmissionStatus
from devportal.registry.submit import SubmitRequest, SubmitSpec
from devportal.settings import SpecLimits
from events.registry import ApiSpecSubmitted
from tests.support.fakes import InMemoryBlobStore, InMemoryRegistry, RecordingPublisher
from tests.support.specs import demo_spec_bytes, minimal, petstore_json


@pytest.fixture
def registry() -> InMemoryRegistry:
    return InMemoryRegistry()


@pytest.fixture
def specs() -> InMemoryBlobStore:
    return InMemoryBlobStore()


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def submit(registry: InMemoryRegistry, specs: InMemoryBlobStore, publisher: RecordingPublisher) -> SubmitSpec:
    return SubmitSpec(registry, specs, publisher, SpecLimits())


def request(body: bytes, media_type: str | None = "application/yaml", **kwargs: Any) -> SubmitRequest:
    return SubmitRequest(
        body=body, media_type=media_type, team=kwargs.pop("team", "pets"), correlation_id="c-1", **kwargs
    )


def test_accepted_spec_is_stored_recorded_and_announced(
    submit: SubmitSpec, registry: InMemoryRegistry, specs: InMemoryBlobStore, publisher: RecordingPublisher
) -> None:
    outcome = submit(request(demo_spec_bytes("petstore.yaml")))
    submission = outcome.submission
    assert (submission.api_id, submission.version, submission.status) == (
        "petstore",
        "1.0.0",
        SubmissionStatus.SUBMITTED,
    )
    assert not outcome.finished
    assert specs.objects[submission.spec_key][0] == demo_spec_bytes("petstore.yaml")
    # the bytes as sent, under their own hash; the submission's sha256 is the document's
    assert submission.spec_key == f"specs/petstore/1.0.0/{hashlib.sha256(demo_spec_bytes('petstore.yaml')).hexdigest()}"
    assert registry.submissions[submission.submission_id] == submission
    (event,) = publisher.published
    assert isinstance(event.data, ApiSpecSubmitted)
    assert event.data.submission_id == submission.submission_id
    assert event.metadata.correlation_id == "c-1"


def test_resubmitting_the_same_content_is_the_same_submission(submit: SubmitSpec, registry: InMemoryRegistry) -> None:
    first = submit(request(demo_spec_bytes("petstore.yaml")))
    second = submit(request(demo_spec_bytes("petstore.yaml")))
    assert first.submission == second.submission
    assert len(registry.submissions) == 1


def test_the_same_document_in_the_other_syntax_is_the_same_version(
    submit: SubmitSpec, registry: InMemoryRegistry, publisher: RecordingPublisher
) -> None:
    # Given the petstore registered as JSON
    first = submit(request(petstore_json(), "application/json")).submission
    registry.store_version(_record_for(first.api_id, first.version, first.sha256, first.submission_id))
    # When the same document comes again as YAML
    again = submit(request(demo_spec_bytes("petstore.yaml"), "application/yaml"))
    # Then it is that registered version's submission, not a conflict, and nothing new is announced
    assert again.finished
    assert again.submission == first
    assert len(publisher.published) == 1


def test_a_finished_submission_is_not_announced_again(
    submit: SubmitSpec, registry: InMemoryRegistry, publisher: RecordingPublisher
) -> None:
    first = submit(request(demo_spec_bytes("petstore.yaml"))).submission
    registry.record_outcome(
        first.submission_id, SubmissionStatus.REJECTED, reason="invalid-spec", findings=(), findings_truncated=False
    )
    again = submit(request(demo_spec_bytes("petstore.yaml")))
    assert again.finished
    assert again.submission.status is SubmissionStatus.REJECTED
    assert len(publisher.published) == 1


@pytest.mark.parametrize("reason", ["lint-failed", "approval-expired", "internal-error"])
def test_a_rejection_that_may_not_hold_any_more_lets_the_same_content_try_again(
    submit: SubmitSpec, registry: InMemoryRegistry, publisher: RecordingPublisher, reason: str
) -> None:
    # Given the petstore rejected by the team's lint ruleset (or a failure of the portal)
    first = submit(request(demo_spec_bytes("petstore.yaml"))).submission
    registry.record_outcome(first.submission_id, SubmissionStatus.REJECTED, reason=reason, findings=(),
                            findings_truncated=False)  # fmt: skip
    # When the same document comes again (the ruleset relaxed), twice as a retrying client sends it
    again = submit(request(demo_spec_bytes("petstore.yaml")))
    retried = submit(request(demo_spec_bytes("petstore.yaml")))
    # Then it is one new submission, announced once, with a workflow of its own
    assert not again.finished
    assert again.submission.submission_id != first.submission_id
    assert again.submission.workflow_id != first.workflow_id
    assert retried.submission == again.submission
    assert len(publisher.published) == 3  # the first, the new one, and the retry's (idempotent downstream)
    assert len(registry.submissions) == 2


def test_registered_version_with_other_content_is_a_conflict(
    submit: SubmitSpec, registry: InMemoryRegistry, specs: InMemoryBlobStore
) -> None:
    first = submit(request(petstore_json())).submission
    registry.store_version(_record_for(first.api_id, first.version, first.sha256, first.submission_id))
    with pytest.raises(VersionConflict) as caught:
        submit(request(petstore_json(description="changed"), "application/json"))
    assert caught.value.errors[0].pointer == "/info/version"
    assert len(specs.objects) == 1  # the refused content was not stored


def test_registered_version_with_same_content_answers_its_submission(
    submit: SubmitSpec, registry: InMemoryRegistry, publisher: RecordingPublisher
) -> None:
    first = submit(request(petstore_json())).submission
    registry.store_version(_record_for(first.api_id, first.version, first.sha256, first.submission_id))
    registry.record_outcome(
        first.submission_id, SubmissionStatus.REGISTERED, reason=None, findings=(), findings_truncated=False
    )
    again = submit(request(petstore_json()))
    assert again.finished
    assert again.submission.status is SubmissionStatus.REGISTERED
    assert len(publisher.published) == 1


def test_publish_failure_is_retryable_and_the_retry_announces(
    registry: InMemoryRegistry, specs: InMemoryBlobStore
) -> None:
    publisher = RecordingPublisher(failures=1)
    submit = SubmitSpec(registry, specs, publisher, SpecLimits())
    with pytest.raises(DependencyUnavailable):
        submit(request(demo_spec_bytes("petstore.yaml")))
    outcome = submit(request(demo_spec_bytes("petstore.yaml")))  # the client retries the same POST
    assert len(publisher.published) == 1
    assert len(registry.submissions) == 1
    assert publisher.published[0].data.submission_id == outcome.submission.submission_id


def test_api_id_and_version_can_be_given() -> None:
    registry, specs, publisher = InMemoryRegistry(), InMemoryBlobStore(), RecordingPublisher()
    submit = SubmitSpec(registry, specs, publisher, SpecLimits())
    body = petstore_json(version="2.0 (preview)")
    with pytest.raises(InvalidSpecField) as caught:
        submit(request(body, "application/json"))
    assert caught.value.errors[0].pointer == "/info/version"
    outcome = submit(request(body, "application/json", api_id="pets-v2", version="2.0-preview"))
    assert (outcome.submission.api_id, outcome.submission.version) == ("pets-v2", "2.0-preview")


@pytest.mark.parametrize(
    ("body", "media_type", "kwargs", "error", "where"),
    [
        (b"openapi: 3.0.3", "image/png", {}, UnsupportedMediaType, ("parameter", "Content-Type")),
        (b"a: &x 1\nb: *x\n", "application/yaml", {}, UnsafeSpec, ("line", 1)),
        (b'{"info": {"title": "T", "version": "1"}}', "application/json", {}, NotOpenApi, ("pointer", "/openapi")),
        (
            demo_spec_bytes("petstore.yaml"),
            "application/yaml",
            {"team": "Bad Team"},
            InvalidParameter,
            ("parameter", "team"),
        ),
        (
            demo_spec_bytes("petstore.yaml"),
            "application/yaml",
            {"api_id": "../x"},
            InvalidParameter,
            ("parameter", "apiId"),
        ),
        (
            b'{"openapi": "3.0.3", "info": {"title": "!!!", "version": "1"}, "paths": {}}',
            "application/json",
            {},
            InvalidSpecField,  # the document is fine as OpenAPI; its title gives no id (422, as the contract says)
            ("pointer", "/info/title"),
        ),
    ],
)
def test_refusals_name_the_fault_and_write_nothing(
    submit: SubmitSpec,
    registry: InMemoryRegistry,
    specs: InMemoryBlobStore,
    publisher: RecordingPublisher,
    body: bytes,
    media_type: str,
    kwargs: dict[str, str],
    error: type[Exception],
    where: tuple[str, object],
) -> None:
    with pytest.raises(error) as caught:
        submit(request(body, media_type, **kwargs))
    field, value = where
    assert getattr(caught.value.errors[0], field) == value  # type: ignore[attr-defined]
    assert specs.objects == {}
    assert registry.submissions == {}
    assert publisher.published == []


def _record_for(api_id: str, version: str, sha256: str, submission_id: str) -> ApiVersionRecord:
    from datetime import UTC, datetime

    return ApiVersionRecord(
        api_id=api_id,
        version=version,
        title="Petstore",
        owner="pets",
        sha256=sha256,
        spec_key="k",
        normalized_key="n",
        docs_key="d",
        openapi_version="3.1.0",
        operation_count=4,
        submission_id=submission_id,
        registered_at=datetime.now(UTC),
    )


def test_an_api_belongs_to_the_team_that_registered_it(submit: SubmitSpec, registry: InMemoryRegistry) -> None:
    from datetime import UTC, datetime

    from devportal.errors import Forbidden
    from devportal.registry.models import ApiVersionRecord

    first = ApiVersionRecord(
        "petstore", "1.0.0", "Petstore", "pets", "a" * 64, "k", "n", "d", "3.1.0", 1, "sub-" + "a" * 24,
        datetime.now(UTC),
    )  # fmt: skip
    registry.add_to_catalog(first)
    body = json.dumps(minimal(title="Petstore", version="2.0.0")).encode()
    with pytest.raises(Forbidden, match="belongs to team pets") as refused:
        submit(request(body, "application/json", team="payments", api_id="petstore"))
    assert refused.value.errors[0].parameter == "apiId"
    assert submit(request(body, "application/json", team="pets", api_id="petstore")).submission.owner == "pets"
    by_admin = request(body, "application/json", team="platform", api_id="petstore", any_team=True, version="2.0.1")
    assert submit(by_admin).submission.owner == "pets"  # still the owning team's API
