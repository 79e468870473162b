"""Faults on the real stack: duplicate delivery, a worker killed mid-registration, poison messages."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from datetime import UTC, datetime

from temporalio.client import Client

from devportal.adapters.eventbridge import EventBridgePublisher
from devportal.adapters.registry import DynamoRegistry
from devportal.registry.models import ApiVersionRecord
from events.envelope import new_event
from events.registry import ApiSpecSubmitted, ApiVersionRegistered
from temporal_bridge.workflows import ApiRegistrationWorkflow
from tests.support.specs import large, petstore_json
from tests.support.stack import RunningStack


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def temporal(stack: RunningStack) -> Client:
    return await stack.cfg.connect_temporal()


def publisher(stack: RunningStack) -> EventBridgePublisher:
    return EventBridgePublisher(stack.cfg.names.event_bus, stack.aws("events"))


def replay_of(submission: dict[str, object]) -> ApiSpecSubmitted:
    """The ApiSpecSubmitted event of a submission, as a redelivery would carry it."""
    return ApiSpecSubmitted(
        submission_id=submission["submissionId"],
        api_id=submission["apiId"],
        version=submission["version"],
        owner=submission["owner"],
        spec_key=f"specs/{submission['apiId']}/{submission['version']}/{submission['sha256']}",
        sha256=submission["sha256"],
        size_bytes=submission["sizeBytes"],
        format=submission["format"],
    )


async def executions(client: Client, api_id: str) -> list[str]:
    # Visibility is eventually consistent: wait until it has settled on a stable answer.
    previous: list[str] | None = None
    for _ in range(50):
        found = sorted([w.id async for w in client.list_workflows(f'ApiId = "{api_id}"')])
        if found and found == previous:
            return found
        previous = found
        await asyncio.sleep(0.2)
    return previous or []


async def test_the_same_event_delivered_again_gives_one_workflow_and_one_version(stack: RunningStack) -> None:
    api_id = unique("twice")
    # A big spec keeps the first registration running while the duplicates arrive
    body = json.dumps(large(800, title="Twice")).encode()
    response = stack.post(f"/apis?team=qa&apiId={api_id}", body, "application/json")
    assert response.status_code == 202
    submission = response.json()
    duplicate = new_event(replay_of(submission), correlation_id="redelivery", producer="test")
    publisher(stack).publish([duplicate, duplicate])  # while it runs
    assert stack.wait_for_submission(submission["submissionId"])["status"] == "registered"
    publisher(stack).publish([duplicate])  # and after it finished
    await asyncio.sleep(2)  # more than enough for the bridge to act on it

    client = await temporal(stack)
    assert await executions(client, api_id) == [submission["workflowId"]]
    versions = stack.get(f"/apis/{api_id}").json()["versions"]
    assert [v["version"] for v in versions] == ["1.0.0"]


async def test_a_worker_killed_mid_registration_is_replaced_and_the_registration_completes(
    stack: RunningStack,
) -> None:
    api_id = unique("killed")
    body = json.dumps(large(4000, title="Killed")).encode()  # ~8 s of validation
    response = stack.post(f"/apis?team=qa&apiId={api_id}", body, "application/json")
    assert response.status_code == 202
    submission = response.json()
    client = await temporal(stack)
    handle = client.get_workflow_handle_for(ApiRegistrationWorkflow.run, submission["workflowId"])

    # When the worker dies (kill -9) while it validates
    deadline = time.monotonic() + 30
    while True:
        try:
            step = await handle.query(ApiRegistrationWorkflow.current_step)
        except Exception:
            step = "not started"
        if step == "validating":
            break
        assert time.monotonic() < deadline, f"never saw the validating step (last: {step})"
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    killed = stack.children()["worker"]
    os.kill(killed, signal.SIGKILL)

    # Then the supervisor starts another worker, and the registration still completes
    result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status == "registered"
    assert stack.children()["worker"] != killed
    assert "worker exited with code -9; restarting it" in stack.text()
    attempts = [
        e.activity_task_started_event_attributes.attempt
        async for e in handle.fetch_history_events()
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert max(attempts) >= 2  # validation was retried on the new worker
    version = stack.get(f"/apis/{api_id}/versions/1.0.0")
    assert version.json()["operationCount"] == 4000

    # Its 16 MB documentation page is over what a Lambda may answer: a redirect to S3 serves it
    first = stack.get(f"/apis/{api_id}/versions/1.0.0/docs", allow_redirects=False)
    assert first.status_code == 302
    assert first.headers["Location"].startswith(stack.cfg.moto_url)
    page = stack.get(f"/apis/{api_id}/versions/1.0.0/docs")
    assert page.history[0].status_code == 302
    assert page.headers["Content-Type"].startswith("text/html")
    assert "operationId: getThing3999" in page.text


def test_a_poison_message_lands_in_the_dlq_and_redrives(stack: RunningStack) -> None:
    names = stack.cfg.names
    api_id = unique("late")
    # An event announcing a version the table does not hold yet: update-catalog cannot apply it
    announced = ApiVersionRegistered(
        submission_id="sub-" + uuid.uuid4().hex[:24],
        api_id=api_id,
        version="1.0.0",
        title="Late",
        owner="qa",
        sha256="c" * 64,
        spec_key="specs/x",
        docs_key="docs/x",
        openapi_version="3.1.0",
        operation_count=1,
        workflow_id="registration-late",
    )
    publisher(stack).publish([new_event(announced, correlation_id="c", producer="test")])

    deadline = time.monotonic() + 60
    while True:  # 5 receives, 1 s visibility timeout each
        listed = stack.cli("dlq", "list")
        assert listed.returncode == 0, listed.stderr
        line = next(
            line
            for line in listed.stdout.splitlines()
            if line.strip().startswith(names.dead_letter_queue("update-catalog"))
        )
        if " 1 message(s)" in line:
            break
        assert time.monotonic() < deadline, listed.stdout
        time.sleep(1)
    assert f"ApiVersionRegistered apiId={api_id} version=1.0.0" in listed.stdout
    assert stack.get(f"/apis/{api_id}").status_code == 404

    # When the missing data arrives and ops redrive the queue
    DynamoRegistry(names.table, stack.aws("dynamodb")).store_version(
        ApiVersionRecord(
            api_id,
            "1.0.0",
            "Late",
            "qa",
            "c" * 64,
            "specs/x",
            "n",
            "docs/x",
            "3.1.0",
            1,
            announced.submission_id,
            datetime.now(UTC),
        )
    )
    redriven = stack.cli("dlq", "redrive", "--queue", names.dead_letter_queue("update-catalog"))
    assert redriven.returncode == 0, redriven.stderr
    assert "1 message(s) moved back" in redriven.stdout

    # Then the message is processed: the catalog has the API, and the DLQ is empty
    deadline = time.monotonic() + 20
    while stack.get("/apis?owner=qa&limit=200").json()["items"] == [] or api_id not in {
        item["apiId"] for item in stack.get("/apis?owner=qa&limit=200").json()["items"]
    }:
        assert time.monotonic() < deadline, "the redriven message was never processed"
        time.sleep(0.2)
    assert " 0 message(s)" in next(
        line
        for line in stack.cli("dlq", "list").stdout.splitlines()
        if names.dead_letter_queue("update-catalog") in line
    )


def test_petstore_submitted_as_json_registers(stack: RunningStack) -> None:
    response = stack.post(f"/apis?team=qa&apiId={unique('json')}", petstore_json(), "application/json")
    assert stack.wait_for_submission(response.json()["submissionId"])["status"] == "registered"
