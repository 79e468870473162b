"""Breaking changes wait for an admin in ApiRegistrationWorkflow, on Temporal's time-skipping test
server (the seven days to the deadline pass at once) with activities over moto: approval,
rejection, the deadline, a resubmission with changes decided before, a major version bump, and
replay of a waiting workflow."""

from __future__ import annotations

import asyncio
import copy
import json
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import temporalio.workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from devportal import wiring
from devportal.adapters.approvals import DynamoApprovals
from devportal.registry.approval import APPROVAL_WAIT, Decision
from devportal.registry.register import Registrar, Submitted
from devportal.registry.submit import SubmitRequest
from events.parsing import parse_event
from events.registry import ApiApprovalRequested, ApiRegistrationRejected
from temporal_bridge.worker import build_worker
from temporal_bridge.workflows import ApiRegistrationWorkflow, RegistrationResult
from tests.support.aws import AwsWorld
from tests.support.specs import petstore

TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"


@pytest_asyncio.fixture
async def env(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WorkflowEnvironment]:
    # The time-skipping test server cannot define custom search attributes (it has no operator
    # service), so here the workflow's `Step` upserts do nothing and workflows start without
    # attributes; the tests on the dev server (test_workflow.py) check the attributes themselves.
    monkeypatch.setattr(temporalio.workflow, "upsert_search_attributes", lambda _attributes: None)
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), data_converter=pydantic_data_converter
    )
    yield environment
    await environment.shutdown()


def registrar() -> Registrar:
    portal = wiring.portal()
    return Registrar(
        portal.registry,
        portal.specs,
        portal.docs,
        portal.publisher,
        portal.spec_limits,
        rulesets=portal.rulesets,
        approvals=DynamoApprovals(portal.table_name),
    )


def version(number: str, *, without: str | None = None) -> bytes:
    """The petstore as `number`; `without` an operation ("post /pets"): a breaking change."""
    document: dict[str, Any] = copy.deepcopy(petstore())
    document["info"]["version"] = number
    if without:
        method, path = without.split(" ", 1)
        del document["paths"][path][method]
    return json.dumps(document).encode()


def submit(body: bytes, api_id: str) -> Submitted:
    outcome = wiring.portal().submit_spec(
        SubmitRequest(body=body, media_type="application/json", team="pets", correlation_id="corr", api_id=api_id)
    )
    return Submitted.of(outcome.submission)


async def start(client: Client, submitted: Submitted, task_queue: str) -> WorkflowHandle[Any, RegistrationResult]:
    return await client.start_workflow(
        ApiRegistrationWorkflow.run, submitted, id=submitted.workflow_id, task_queue=task_queue
    )


async def waiting(handle: WorkflowHandle[Any, RegistrationResult], api_id: str, version: str) -> None:
    """Until the workflow waits for a decision and its request is stored (the test server's clock
    does not move while nobody waits on a result)."""
    approvals = DynamoApprovals(wiring.portal().table_name)
    for _ in range(400):
        step = await handle.query(ApiRegistrationWorkflow.current_step)
        if step == "awaiting-approval" and approvals.get(api_id, version) is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the registration never waited for an approval (step {step})")


def decided(approved: bool, reason: str) -> Decision:
    return Decision(approved=approved, by="admin@devportal.local", reason=reason, at=datetime.now(UTC))


async def registered_first(client: Client, api_id: str, task_queue: str) -> None:
    first = await start(client, submit(version("1.0.0"), api_id), task_queue)
    assert (await first.result()).status == "registered"


async def test_a_breaking_version_waits_for_an_approval_then_registers(aws: AwsWorld, env: WorkflowEnvironment) -> None:
    api_id, queue = f"appr-{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    # the clock moves only when a test moves it: skipped over, an activity's timeouts would fire at once
    with env.auto_time_skipping_disabled():
        async with build_worker(env.client, queue, registrar()):
            await registered_first(env.client, api_id, queue)
            # Given 1.1.0 removes an operation 1.0.0 has (no major bump)
            submitted = submit(version("1.1.0", without="post /pets"), api_id)
            handle = await start(env.client, submitted, queue)
            await waiting(handle, api_id, "1.1.0")
            # Then an admin is asked, about that change
            request = DynamoApprovals(wiring.portal().table_name).get(api_id, "1.1.0")
            assert request is not None
            assert (request.status, request.base_version) == ("pending", "1.0.0")
            assert [change.id for change in request.breaking] == ["api-removed-without-deprecation"]
            assert (request.deadline - request.requested_at).days == 7
            # When the admin approves, it registers, and the decision is kept per change
            await handle.signal(ApiRegistrationWorkflow.decide, decided(True, "clients moved to PUT"))
            assert (await handle.result()).status == "registered"
    approvals = DynamoApprovals(wiring.portal().table_name)
    closed = approvals.get(api_id, "1.1.0")
    assert closed is not None
    assert (closed.status, closed.decision.reason if closed.decision else None) == ("approved", "clients moved to PUT")
    fingerprints = [change.fingerprint for change in closed.breaking]
    assert all(d.approved for d in approvals.decisions(api_id, fingerprints).values())
    assert wiring.portal().registry.get_version(api_id, "1.1.0") is not None


async def test_a_rejection_rejects_it_with_the_changes_and_the_reason(aws: AwsWorld, env: WorkflowEnvironment) -> None:
    api_id, queue = f"appr-{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    # the clock moves only when a test moves it: skipped over, an activity's timeouts would fire at once
    with env.auto_time_skipping_disabled():
        async with build_worker(env.client, queue, registrar()):
            await registered_first(env.client, api_id, queue)
            aws.consumed(aws.names.queue("track-submission"))
            handle = await start(env.client, submit(version("1.1.0", without="post /pets"), api_id), queue)
            await waiting(handle, api_id, "1.1.0")
            await handle.signal(ApiRegistrationWorkflow.decide, decided(False, "partners still create pets"))
            result = await handle.result()
            assert (result.status, result.reason) == ("rejected", "breaking-change-rejected")
            told = [parse_event(m["Body"]).data for m in aws.consumed(aws.names.queue("track-submission"))]
            (rejected,) = [event for event in told if isinstance(event, ApiRegistrationRejected)]
            assert any(isinstance(event, ApiApprovalRequested) for event in told)  # the submission waited
            (finding,) = rejected.findings
            assert finding.rule == "api-removed-without-deprecation"
            assert "rejected by admin@devportal.local: partners still create pets" in finding.message
            # And the same change in another version is refused at once, without asking again
            again = await start(env.client, submit(version("1.1.1", without="post /pets"), api_id), queue)
            result = await again.result()
            assert (result.status, result.reason) == ("rejected", "breaking-change-rejected")
            history = await again.fetch_history()
            assert "request_approval" not in _activities(history)
    assert wiring.portal().registry.get_version(api_id, "1.1.0") is None


async def test_the_deadline_rejects_it_and_decides_nothing(aws: AwsWorld, env: WorkflowEnvironment) -> None:
    api_id, queue = f"appr-{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    # the clock moves only when a test moves it: skipped over, an activity's timeouts would fire at once
    with env.auto_time_skipping_disabled():
        async with build_worker(env.client, queue, registrar()):
            await registered_first(env.client, api_id, queue)
            handle = await start(env.client, submit(version("1.1.0", without="post /pets"), api_id), queue)
            await waiting(handle, api_id, "1.1.0")
            await env.sleep(APPROVAL_WAIT + timedelta(minutes=1))  # seven days pass
            result = await handle.result()
    assert (result.status, result.reason) == ("rejected", "approval-expired")
    approvals = DynamoApprovals(wiring.portal().table_name)
    request = approvals.get(api_id, "1.1.0")
    assert request is not None
    assert request.status == "expired"
    assert approvals.decisions(api_id, [change.fingerprint for change in request.breaking]) == {}


async def test_changes_approved_before_are_not_asked_about_again(aws: AwsWorld, env: WorkflowEnvironment) -> None:
    api_id, queue = f"appr-{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    # the clock moves only when a test moves it: skipped over, an activity's timeouts would fire at once
    with env.auto_time_skipping_disabled():
        async with build_worker(env.client, queue, registrar()):
            await registered_first(env.client, api_id, queue)
            handle = await start(env.client, submit(version("1.1.0", without="post /pets"), api_id), queue)
            await waiting(handle, api_id, "1.1.0")
            await handle.signal(ApiRegistrationWorkflow.decide, decided(True, "fine"))
            assert (await handle.result()).status == "registered"
            # Given 1.1.0 is retired again, 1.0.0 is the latest active version once more
            registry = wiring.portal().registry
            assert registry.change_status(api_id, "1.1.0", expected="active", status="retired", sunset=None, by="t",
                                          at=datetime.now(UTC))  # fmt: skip
            # When 1.1.1 comes with the same breaking change, it registers without asking
            again = await start(env.client, submit(version("1.1.1", without="post /pets"), api_id), queue)
            assert (await again.result()).status == "registered"
            assert "request_approval" not in _activities(await again.fetch_history())


async def test_a_major_version_bump_is_not_asked_about(aws: AwsWorld, env: WorkflowEnvironment) -> None:
    api_id, queue = f"appr-{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    # the clock moves only when a test moves it: skipped over, an activity's timeouts would fire at once
    with env.auto_time_skipping_disabled():
        async with build_worker(env.client, queue, registrar()):
            await registered_first(env.client, api_id, queue)
            handle = await start(env.client, submit(version("2.0.0", without="post /pets"), api_id), queue)
            assert (await handle.result()).status == "registered"
            assert "request_approval" not in _activities(await handle.fetch_history())


async def test_a_waiting_registration_replays_against_todays_workflow(aws: AwsWorld, env: WorkflowEnvironment) -> None:
    api_id, queue = f"appr-{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    # the clock moves only when a test moves it: skipped over, an activity's timeouts would fire at once
    with env.auto_time_skipping_disabled():
        async with build_worker(env.client, queue, registrar()):
            await registered_first(env.client, api_id, queue)
            handle = await start(env.client, submit(version("1.1.0", without="post /pets"), api_id), queue)
            await waiting(handle, api_id, "1.1.0")
            waiting_history = await handle.fetch_history()  # mid-wait, as a worker restarted by a deploy sees it
            await handle.signal(ApiRegistrationWorkflow.decide, decided(True, "ok"))
            await handle.result()
            finished = await handle.fetch_history()
    replayer = Replayer(workflows=[ApiRegistrationWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(waiting_history)
    await replayer.replay_workflow(finished)


def _activities(history: Any) -> list[str]:
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]
