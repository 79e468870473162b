"""The SQS consumers, fed SQS-shaped events over moto: idempotent under redelivery."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from devportal import wiring
from devportal.registry.models import ApiVersionRecord, Submission, SubmissionStatus
from devportal_local.lambda_runtime import LambdaContext
from devportal_local.pollers import lambda_record
from events.envelope import new_event
from events.registry import ApiRegistrationRejected, ApiVersionRegistered, Finding
from functions.track_submission import handler as track
from functions.update_catalog import handler as catalog
from tests.support.aws import AwsWorld
from tests.unit.test_events import REGISTERED, REJECTED

NOW = datetime.now(UTC)
QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:q"


def sqs_event(*events: Any, raw: str | None = None) -> dict[str, Any]:
    bodies = [
        json.dumps({"id": str(i), "source": e.source, "detail-type": e.detail_type, "detail": e.to_wire()})
        for i, e in enumerate(events)
    ]
    if raw is not None:
        bodies.append(raw)
    messages = [{"MessageId": f"m{i}", "ReceiptHandle": "r", "Body": body} for i, body in enumerate(bodies)]
    return {"Records": [lambda_record(message, QUEUE_ARN) for message in messages]}


def seed_submission(data: ApiVersionRegistered | ApiRegistrationRejected) -> None:
    wiring.portal().registry.create_submission(
        Submission(
            data.submission_id,
            data.api_id,
            data.version,
            data.owner,
            "a" * 64,
            "k",
            "yaml",
            1,
            SubmissionStatus.REGISTERING,
            NOW,
            NOW,
            "c",
            data.workflow_id,
        )
    )


def seed_version(data: ApiVersionRegistered) -> None:
    wiring.portal().registry.store_version(
        ApiVersionRecord(
            data.api_id,
            data.version,
            data.title,
            data.owner,
            data.sha256,
            data.spec_key,
            "n",
            data.docs_key,
            data.openapi_version,
            data.operation_count,
            data.submission_id,
            NOW,
        )
    )


def test_outcomes_are_recorded_once(aws: AwsWorld) -> None:
    seed_submission(REJECTED)
    event = new_event(REJECTED, correlation_id="c", producer="test")
    assert track.handler(sqs_event(event), LambdaContext("track")) == {"batchItemFailures": []}
    assert track.handler(sqs_event(event), LambdaContext("track")) == {"batchItemFailures": []}  # redelivered
    stored = wiring.portal().registry.get_submission(REJECTED.submission_id)
    assert stored is not None
    assert stored.status is SubmissionStatus.REJECTED
    assert stored.findings[0].pointer == "/info"


def test_a_late_registration_event_does_not_overturn_an_outcome(aws: AwsWorld) -> None:
    seed_submission(REJECTED)
    track.handler(sqs_event(new_event(REJECTED, correlation_id="c", producer="t")), LambdaContext("track"))
    track.handler(sqs_event(new_event(REGISTERED, correlation_id="c", producer="t")), LambdaContext("track"))
    assert wiring.portal().registry.get_submission(REJECTED.submission_id).status is SubmissionStatus.REJECTED  # type: ignore[union-attr]


def test_poison_is_reported_as_a_partial_failure(aws: AwsWorld) -> None:
    seed_submission(REGISTERED)
    response = track.handler(
        sqs_event(new_event(REGISTERED, correlation_id="c", producer="t"), raw="{not json"), LambdaContext("track")
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert wiring.portal().registry.get_submission(REGISTERED.submission_id).status is SubmissionStatus.REGISTERED  # type: ignore[union-attr]


def test_catalog_update_is_idempotent(aws: AwsWorld) -> None:
    seed_version(REGISTERED)
    event = new_event(REGISTERED, correlation_id="c", producer="t")
    for _ in range(3):
        assert catalog.handler(sqs_event(event), LambdaContext("catalog")) == {"batchItemFailures": []}
    entry = wiring.portal().registry.get_catalog_entry(REGISTERED.api_id)
    assert entry is not None
    assert (entry.latest_version, entry.versions, entry.owner) == ("1.0.0", frozenset({"1.0.0"}), "pets")
    assert len(wiring.portal().registry.list_catalog(limit=10, cursor=None, owner=None).entries) == 1


def test_catalog_update_for_a_version_not_stored_is_retried(aws: AwsWorld) -> None:
    seed_version(REGISTERED)
    missing = new_event(REGISTERED.model_copy(update={"version": "9.9.9"}), correlation_id="c", producer="t")
    present = new_event(REGISTERED, correlation_id="c", producer="t")
    response = catalog.handler(sqs_event(present, missing), LambdaContext("catalog"))
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    # when every record fails, powertools raises and the event source mapping retries the batch
    with pytest.raises(BatchProcessingError):
        catalog.handler(sqs_event(missing), LambdaContext("catalog"))
    entry = wiring.portal().registry.get_catalog_entry(REGISTERED.api_id)
    assert entry is not None
    assert entry.versions == {"1.0.0"}


def test_findings_survive_the_round_trip(aws: AwsWorld) -> None:
    many = REJECTED.model_copy(
        update={
            "findings": [Finding(pointer=f"/p/{i}", message="m", rule="r", severity="error") for i in range(100)],
            "findings_truncated": True,
        }
    )
    seed_submission(many)
    track.handler(sqs_event(new_event(many, correlation_id="c", producer="t")), LambdaContext("track"))
    stored = wiring.portal().registry.get_submission(many.submission_id)
    assert stored is not None
    assert len(stored.findings) == 100
    assert stored.findings_truncated
