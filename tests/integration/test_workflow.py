"""ApiRegistrationWorkflow on the real Temporal dev server, activities over moto."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from devportal import wiring
from devportal.registry.models import ApiVersionRecord, StoredRuleset, SubmissionStatus
from devportal.registry.register import Registrar, Submitted, Validated
from devportal.registry.submit import SubmitRequest
from devportal.specs.lint import read_ruleset
from devportal_local.pollers import lambda_record
from events.parsing import parse_event
from events.registry import ApiRegistrationRejected, ApiVersionRegistered
from functions.start_registration import handler as start_registration
from temporal_bridge.search import API_ID, STEP
from temporal_bridge.starter import ensure_registration
from temporal_bridge.worker import build_worker
from temporal_bridge.workflows import ApiRegistrationWorkflow, RegistrationResult
from tests.support.aws import AwsWorld
from tests.support.specs import minimal, petstore_json


@pytest_asyncio.fixture
async def worker(aws: AwsWorld, temporal_client: Client, task_queue: str) -> AsyncIterator[Worker]:
    worker = build_worker(temporal_client, task_queue, wiring.portal().registrar)
    async with worker:
        yield worker


def submit(
    body: bytes, media_type: str = "application/json", api_id: str | None = None, team: str = "pets"
) -> Submitted:
    outcome = wiring.portal().submit_spec(
        SubmitRequest(
            body=body,
            media_type=media_type,
            team=team,
            correlation_id="corr-1",
            api_id=api_id or f"api-{uuid.uuid4().hex[:8]}",
        )
    )
    s = outcome.submission
    return Submitted(
        s.submission_id, s.api_id, s.version, s.owner, s.spec_key, s.sha256, s.format, s.correlation_id, s.workflow_id
    )


async def run(client: Client, submitted: Submitted, task_queue: str) -> RegistrationResult:
    await ensure_registration(client, submitted, task_queue)
    return await client.get_workflow_handle_for(ApiRegistrationWorkflow.run, submitted.workflow_id).result()


async def test_a_valid_spec_is_registered(
    aws: AwsWorld, temporal_client: Client, task_queue: str, worker: Worker
) -> None:
    submitted = submit(petstore_json())
    result = await run(temporal_client, submitted, task_queue)
    assert result.status == "registered"

    record = wiring.portal().registry.get_version(submitted.api_id, "1.0.0")
    assert record is not None
    assert (record.status, record.operation_count, record.title) == ("active", 4, "Petstore")
    assert b"operationId: showPetById" in wiring.portal().docs.get(record.docs_key)
    assert wiring.portal().registry.get_submission(submitted.submission_id).status.value == "registering"  # type: ignore[union-attr]

    (held,) = aws.drain(aws.names.fanout_queue("ApiVersionRegistered"))
    announced = parse_event(held["Body"])
    assert isinstance(announced.data, ApiVersionRegistered)
    assert announced.data.docs_key == record.docs_key
    assert announced.metadata.correlation_id == "corr-1"  # carried from the HTTP request

    handle = temporal_client.get_workflow_handle(submitted.workflow_id)
    assert await handle.query(ApiRegistrationWorkflow.current_step) == "registered"
    description = await handle.describe()
    assert description.typed_search_attributes.get(API_ID) == submitted.api_id
    assert description.typed_search_attributes.get(STEP) == "registered"


async def test_an_invalid_spec_is_rejected_with_findings(
    aws: AwsWorld, temporal_client: Client, task_queue: str, worker: Worker
) -> None:
    broken = minimal(paths={"/a/{id}": {"get": {"responses": {"200": {"$ref": "file:///etc/passwd"}}}}})
    submitted = submit(json.dumps(broken).encode())
    result = await run(temporal_client, submitted, task_queue)
    assert (result.status, result.reason) == ("rejected", "invalid-spec")
    assert wiring.portal().registry.get_version(submitted.api_id, "1.0.0") is None
    (message,) = aws.consumed(aws.names.queue("track-submission"))
    rejected = parse_event(message["Body"]).data
    assert isinstance(rejected, ApiRegistrationRejected)
    assert {f.pointer for f in rejected.findings} >= {"/paths/~1a~1{id}/get/responses/200/$ref"}
    assert all("root:" not in f.message for f in rejected.findings)


async def test_a_registered_version_keeps_what_lint_found(
    aws: AwsWorld, temporal_client: Client, task_queue: str, worker: Worker
) -> None:
    # Given a team without a ruleset of its own: the recommended one applies
    submitted = submit(petstore_json(), team=f"lint-{uuid.uuid4().hex[:6]}")
    result = await run(temporal_client, submitted, task_queue)
    assert result.status == "registered"
    # Then the version counts what lint found, the report is stored beside it, and the docs show it
    record = wiring.portal().registry.get_version(submitted.api_id, "1.0.0")
    assert record is not None
    assert record.lint is not None
    report = json.loads(wiring.portal().specs.get(record.lint_key))
    assert (report["errors"], report["blocking"], report["team"]) == (0, None, submitted.owner)
    assert record.lint["warnings"] == report["warnings"] == sum(f["severity"] == "warning" for f in report["findings"])
    assert {"info-contact", "security-defined"} <= {f["rule"] for f in report["findings"]}
    page = wiring.portal().docs.get(record.docs_key).decode()
    assert "Linted with the recommended ruleset" in page
    assert "info-contact" in page


async def test_a_team_whose_ruleset_blocks_lint_errors_is_rejected_with_them(
    aws: AwsWorld, temporal_client: Client, task_queue: str, worker: Worker
) -> None:
    # Given a team whose ruleset makes a missing contact an error, and errors blocking
    team = f"strict-{uuid.uuid4().hex[:6]}"
    ruleset = read_ruleset({"rules": {"info-contact": "error"}, "blocking": True})
    wiring.portal().rulesets.put(StoredRuleset(team, ruleset, "tester", datetime.now(UTC)))
    # When it submits a valid document without a contact
    submitted = submit(petstore_json(), team=team)
    result = await run(temporal_client, submitted, task_queue)
    # Then it is rejected for lint, naming the rule, and nothing is registered
    assert (result.status, result.reason) == ("rejected", "lint-failed")
    assert wiring.portal().registry.get_version(submitted.api_id, "1.0.0") is None
    (message,) = aws.consumed(aws.names.queue("track-submission"))
    rejected = parse_event(message["Body"]).data
    assert isinstance(rejected, ApiRegistrationRejected)
    assert [(f.rule, f.severity, f.pointer) for f in rejected.findings] == [("info-contact", "error", "/info")]


async def test_losing_a_race_compensates(
    aws: AwsWorld, temporal_client: Client, task_queue: str, worker: Worker
) -> None:
    submitted = submit(petstore_json())
    # Given different content for the same version got stored while this one was being validated
    winner = ApiVersionRecord(
        submitted.api_id,
        "1.0.0",
        "Winner",
        "pets",
        "f" * 64,
        "k",
        "n",
        "docs/winner.html",
        "3.1.0",
        1,
        "sub-" + "f" * 24,
        datetime.now(UTC),
    )
    wiring.portal().registry.store_version(winner)
    result = await run(temporal_client, submitted, task_queue)
    assert (result.status, result.reason) == ("rejected", "version-conflict")
    stored = wiring.portal().registry.get_version(submitted.api_id, "1.0.0")
    assert stored is not None
    assert (stored.sha256, stored.docs_key) == (winner.sha256, winner.docs_key)
    docs = aws.client("s3").list_objects_v2(Bucket=aws.names.docs_bucket).get("Contents", [])
    assert docs == []  # the page rendered for the loser was deleted again


class _Unannounceable(Registrar):
    """The portal's registrar, but the bus refuses the announcement for good (as a failure that
    outlasts the announce retries would end)."""

    def announce_registered(self, submission: Submitted, validated: Validated, docs_key: str) -> None:
        raise ApplicationError("the bus refused ApiVersionRegistered", non_retryable=True)


async def test_a_version_stored_but_never_announced_is_compensated_and_may_be_sent_again(
    aws: AwsWorld, temporal_client: Client, task_queue: str
) -> None:
    portal = wiring.portal()
    failing = _Unannounceable(portal.registry, portal.specs, portal.docs, portal.publisher, portal.spec_limits)
    submitted = submit(petstore_json())
    async with build_worker(temporal_client, task_queue, failing):
        result = await run(temporal_client, submitted, task_queue)
    # Then the version is marked failed, its page removed, and the submitter told
    assert (result.status, result.reason) == ("rejected", "internal-error")
    stored = portal.registry.get_version(submitted.api_id, "1.0.0")
    assert stored is not None
    assert stored.status == "failed"
    assert aws.client("s3").list_objects_v2(Bucket=aws.names.docs_bucket).get("Contents", []) == []
    (message,) = aws.consumed(aws.names.queue("track-submission"))
    rejected = parse_event(message["Body"]).data
    assert isinstance(rejected, ApiRegistrationRejected)
    assert "stored but could not be announced" in rejected.findings[0].message
    assert aws.drain(aws.names.fanout_queue("ApiVersionRegistered")) == []
    history = await temporal_client.get_workflow_handle(submitted.workflow_id).fetch_history()
    scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name for e in history.events
                 if e.HasField("activity_task_scheduled_event_attributes")]  # fmt: skip
    assert scheduled[-2:] == ["compensate_stored", "announce_rejected"]
    # When the submission is recorded rejected and the same document is sent again, it registers
    portal.registry.record_outcome(submitted.submission_id, SubmissionStatus.REJECTED, reason="internal-error",
                                   findings=(), findings_truncated=False)  # fmt: skip
    again = submit(petstore_json(), api_id=submitted.api_id)
    assert again.submission_id != submitted.submission_id
    async with build_worker(temporal_client, task_queue, portal.registrar):
        assert (await run(temporal_client, again, task_queue)).status == "registered"
    record = portal.registry.get_version(submitted.api_id, "1.0.0")
    assert record is not None
    assert (record.status, record.submission_id) == ("active", again.submission_id)


async def test_a_redelivered_event_starts_nothing(
    aws: AwsWorld, temporal_client: Client, task_queue: str, worker: Worker
) -> None:
    submitted = submit(petstore_json())
    await run(temporal_client, submitted, task_queue)
    # delivered again while nothing runs, and twice more at once
    await ensure_registration(temporal_client, submitted, task_queue)
    await ensure_registration(temporal_client, submitted, task_queue)
    runs = [w async for w in temporal_client.list_workflows(f'WorkflowId = "{submitted.workflow_id}"')]
    assert len(runs) == 1
    assert runs[0].status == WorkflowExecutionStatus.COMPLETED
    assert len(aws.drain(aws.names.fanout_queue("ApiVersionRegistered"))) == 1


async def test_bridge_handler_reads_sqs_records(
    aws: AwsWorld, temporal_client: Client, task_queue: str, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVPORTAL_REGISTRATION_TASK_QUEUE", task_queue)
    submitted = submit(petstore_json())
    (message,) = aws.drain(aws.names.queue("start-registration"))
    record = lambda_record(message, "arn:aws:sqs:us-east-1:000000000000:start-registration")
    poison = {**record, "messageId": "poison", "body": '{"not": "an event"}'}
    monkeypatch.setenv("TEMPORAL_ADDRESS", temporal_client.service_client.config.target_host)
    wiring.reset()  # a cold start: the handler connects through TEMPORAL_ADDRESS
    response = await _in_thread(start_registration.handler, {"Records": [record, poison]})
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    handle = temporal_client.get_workflow_handle_for(ApiRegistrationWorkflow.run, submitted.workflow_id)
    assert (await handle.result()).status == "registered"


async def _in_thread(handler: object, event: dict[str, object]) -> dict[str, object]:
    import asyncio

    from devportal_local.lambda_runtime import LambdaContext

    return await asyncio.to_thread(handler, event, LambdaContext("start-registration"))  # type: ignore[arg-type]
