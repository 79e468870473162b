"""TestOrchestrationWorkflow on the real Temporal dev server, activities over moto, against live
services on loopback: a run cancelled half way, a worker killed mid-batch, a target that never
answers, a target that redirects to the metadata address, and an API's schedule firing.

The schedule fires on the dev server, at the next minute: Temporal's time-skipping test server
does not run schedules (temporalio/sdk-java#1954, closed as not planned)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.worker import Worker

from devportal import wiring
from devportal.registry.register import Submitted
from devportal.registry.submit import SubmitRequest
from devportal.testing.runs import RunRef, RunRequest, TestSettings, run_id_for, workflow_id_for
from devportal.testing.schedules import TestSchedule
from devportal_local.config import LOOPBACK
from temporal_bridge.schedules import delete_test_schedule, describe_test_schedule, put_test_schedule
from temporal_bridge.starter import cancel_test_run, ensure_registration, ensure_test_run
from temporal_bridge.testing import TestOrchestrationWorkflow
from temporal_bridge.worker import build_testing_worker, build_worker
from temporal_bridge.workflows import ApiRegistrationWorkflow
from tests.support.aws import AwsWorld
from tests.support.contract_services import Service, serve, spec

pytestmark = pytest.mark.integration


@dataclass
class Queues:
    registration: str
    testing: str


@pytest_asyncio.fixture
async def queues(
    aws: AwsWorld, temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Queues]:
    """A registration worker; the testing queue is the test's to poll (or not)."""
    monkeypatch.setenv("DEVPORTAL_TEST_TARGETS_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("DEVPORTAL_TESTING_TASK_QUEUE", f"{task_queue}-testing")
    wiring.reset()
    async with build_worker(temporal_client, task_queue, wiring.portal().registrar):
        yield Queues(task_queue, f"{task_queue}-testing")


def a_testing_worker(client: Client, queues: Queues) -> Worker:
    return build_testing_worker(client, queues.testing, wiring.portal())


async def register(client: Client, queues: Queues, base_url: str) -> str:
    api_id = f"ct-{uuid.uuid4().hex[:8]}"
    outcome = wiring.portal().submit_spec(
        SubmitRequest(
            body=json.dumps(spec(base_url)).encode(),
            media_type="application/json",
            team="pets",
            correlation_id="corr-test-runs",
            api_id=api_id,
        )
    )
    submitted = Submitted.of(outcome.submission)
    await ensure_registration(client, submitted, queues.registration)
    result = await client.get_workflow_handle_for(ApiRegistrationWorkflow.run, submitted.workflow_id).result()
    assert result.status == "registered", result
    # what update-catalog does with ApiVersionRegistered: the entry a schedule reads the latest version from
    record = wiring.portal().registry.get_version(api_id, "1.0.0")
    assert record is not None
    wiring.portal().registry.add_to_catalog(record)
    return api_id


async def start_run(client: Client, queues: Queues, api_id: str, **settings: Any) -> RunRef:
    portal = wiring.portal()
    portal.test_runs.put_settings(api_id, TestSettings.model_validate(settings), "tester", datetime.now(UTC))
    run, created = await asyncio.to_thread(
        portal.request_test_run,
        RunRequest(api_id=api_id, version="1.0.0", trigger="manual", requested_by="tester"),
    )
    assert created
    ref = RunRef.of(run)
    await ensure_test_run(client, ref, queues.testing)
    return ref


async def progress(client: Client, ref: RunRef) -> dict[str, Any]:
    found: dict[str, Any] = await client.get_workflow_handle(workflow_id_for(ref.run_id)).query(
        TestOrchestrationWorkflow.progress
    )
    return found


async def until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := await check()):
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s"
        await asyncio.sleep(0.2)
    return found


async def ended(client: Client, ref: RunRef) -> dict[str, Any]:
    result: dict[str, Any] = await client.get_workflow_handle(workflow_id_for(ref.run_id)).result()
    return result


def stored(ref: RunRef) -> dict[str, Any]:
    run = wiring.portal().test_runs.get(ref.run_id)
    assert run is not None
    return run


def unanswered(ref: RunRef, why: str, saying: str = "") -> int:
    """Every request of every tested row (the sequences' steps too) went unanswered, the first for
    `why` (its message `saying` so); the rows' cases."""
    tested = [op for op in stored(ref)["result"]["operations"] if op["status"] != "skipped"]
    assert tested
    for operation in tested:
        received = next(c for c in operation["checks"] if c["check"] == "response_received")
        assert received["passed"] == 0
        assert received["failed"] >= operation["cases"] > 0
        assert received["firstFailure"]["title"].startswith(why)
        assert saying in received["firstFailure"]["message"]
    return sum(op["cases"] for op in tested)


def checks_failed(run: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (operation["operation"], check["check"])
        for operation in run["result"]["operations"]
        for check in operation["checks"]
        if check["failed"]
    }


async def test_a_cancelled_run_stops_and_keeps_what_finished(temporal_client: Client, queues: Queues) -> None:
    with serve(defective=False, delay_s=0.15) as service:
        api_id = await register(temporal_client, queues, service.base_url)
        async with a_testing_worker(temporal_client, queues):
            ref = await start_run(temporal_client, queues, api_id, concurrency=1, maxExamples=5)
            # once the first operation's batch is done, the team cancels
            await until(lambda: _batches_done(temporal_client, ref), 60, "no batch finished")
            assert await cancel_test_run(temporal_client, ref, queues.testing, "tester")
            result = await ended(temporal_client, ref)
            sent_by_the_end = len(service.received.requests)
        await asyncio.sleep(1)
        sent_after = len(service.received.requests)
    assert result["status"] == "cancelled"
    run = stored(ref)
    tested = [op["operation"] for op in run["result"]["operations"] if op["status"] in ("passed", "failed")]
    not_run = [op["operation"] for op in run["result"]["operations"] if op["status"] == "not-run"]
    assert tested  # what finished is kept
    assert not_run  # and what had not run when the run was cancelled never will
    assert run["casesDone"] == sum(op["cases"] for op in run["result"]["operations"])
    assert sent_after == sent_by_the_end  # nothing more reached the target once the run ended
    # a run that has ended cannot be cancelled again
    assert not await cancel_test_run(temporal_client, ref, queues.testing, "tester")


async def _batches_done(client: Client, ref: RunRef) -> bool:
    try:
        return bool((await progress(client, ref))["batchesDone"])
    except Exception:
        return False


async def test_a_queued_run_cancelled_before_it_starts_tests_nothing(temporal_client: Client, queues: Queues) -> None:
    with serve(defective=False) as service:
        api_id = await register(temporal_client, queues, service.base_url)
        portal = wiring.portal()
        run, _ = await asyncio.to_thread(
            portal.request_test_run,
            RunRequest(api_id=api_id, version="1.0.0", trigger="manual", requested_by="tester"),
        )
        ref = RunRef.of(run)
        # cancelled while its TestRunRequested is still on the way to the bridge
        assert await cancel_test_run(temporal_client, ref, queues.testing, "tester")
        await ensure_test_run(temporal_client, ref, queues.testing)  # the bridge, late: starts nothing
        async with a_testing_worker(temporal_client, queues):
            result = await ended(temporal_client, ref)
        assert result["status"] == "cancelled"
        assert service.received.requests == []


async def test_a_target_that_never_answers_fails_each_case_at_the_timeout(
    temporal_client: Client, queues: Queues
) -> None:
    with socket.create_server((LOOPBACK, 0), backlog=64) as silent:  # connections wait, nobody answers
        base_url = f"http://{LOOPBACK}:{silent.getsockname()[1]}"
        api_id = await register(temporal_client, queues, base_url)
        started = time.monotonic()
        async with a_testing_worker(temporal_client, queues):
            ref = await start_run(temporal_client, queues, api_id, timeoutMs=300, maxExamples=1, concurrency=4)
            result = await ended(temporal_client, ref)
        took = time.monotonic() - started
    assert result["status"] == "failed"
    cases = unanswered(ref, "No response within the run's timeout")
    assert took < 30 + cases * 0.3 / 4 * 3, f"{cases} cases took {took:.1f} s"  # at the timeout, not hanging


async def test_a_redirect_to_the_metadata_address_is_not_followed(temporal_client: Client, queues: Queues) -> None:
    with serve(defective=False, redirect="http://169.254.169.254/latest/meta-data/iam/") as service:
        api_id = await register(temporal_client, queues, service.base_url)
        async with a_testing_worker(temporal_client, queues):
            ref = await start_run(temporal_client, queues, api_id, maxExamples=1)
            result = await ended(temporal_client, ref)
    assert result["status"] == "failed"
    unanswered(ref, "Refused:", "169.254.169.254")


@pytest.fixture
def worker_process(temporal_client: Client, queues: Queues, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`devportal worker` in a process of its own, polling the testing queue (killed by the test)."""
    ready = tmp_path / "worker.ready"
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": temporal_client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": "default",
        "DEVPORTAL_TESTING_TASK_QUEUE": queues.testing,
        "DEVPORTAL_REGISTRATION_TASK_QUEUE": f"{queues.registration}-unused",
        "DEVPORTAL_ANALYTICS_TASK_QUEUE": f"{queues.registration}-unused-analytics",
        "DEVPORTAL_READY_FILE": str(ready),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "devportal_local.components", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None, "the worker process exited before it was ready"
        assert time.monotonic() < deadline, "the worker process was not ready within 60 s"
        time.sleep(0.1)
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


async def test_a_worker_killed_mid_batch_resumes_and_counts_each_batch_once(
    temporal_client: Client, queues: Queues, worker_process: subprocess.Popen[bytes]
) -> None:
    with serve(defective=False, delay_s=0.1) as service:
        api_id = await register(temporal_client, queues, service.base_url)
        ref = await start_run(temporal_client, queues, api_id, concurrency=1, maxExamples=5)
        # the first batch is kept; the second is half way when the worker dies
        await until(lambda: _batches_done(temporal_client, ref), 90, "the worker process kept no batch")
        sent = len(service.received.requests)
        await until(lambda: _more_than(service, sent + 3), 30, "the worker process sent nothing after its first batch")
        os.kill(worker_process.pid, signal.SIGKILL)
        worker_process.wait(timeout=10)
        killed_at = len(service.received.requests)
        # another worker picks the run up: the killed batch again (its heartbeat timed out), then the rest
        async with a_testing_worker(temporal_client, queues):
            result = await ended(temporal_client, ref)
        total_sent = len(service.received.requests)
    assert result["status"] == "passed", result
    run = stored(ref)
    cases = sum(op["cases"] for op in run["result"]["operations"])
    assert run["casesDone"] == run["casesTotal"] == cases  # every batch counted once
    assert total_sent > cases  # the interrupted batch was sent again, not counted again
    assert killed_at < total_sent


async def _more_than(service: Service, count: int) -> bool:
    return len(service.received.requests) > count


async def test_a_schedule_fires_and_asks_for_a_run_of_the_latest_version(
    temporal_client: Client, queues: Queues
) -> None:
    with serve(defective=False) as service:
        api_id = await register(temporal_client, queues, service.base_url)
        every_minute = TestSchedule(cron="* * * * *")
        view = await put_test_schedule(temporal_client, queues.testing, api_id, "pets", every_minute, "tester")
        try:
            assert view["cron"] == "* * * * *"
            assert view["paused"] is False
            assert len(view["nextRuns"]) == 5
            async with a_testing_worker(temporal_client, queues):
                # the next minute's firing asks for a run (what TestRunRequested then starts)
                runs = await until(lambda: _scheduled_runs(api_id), 75, "the schedule never fired")
            (run,) = runs
            assert run["trigger"] == "schedule"
            assert run["version"] == "1.0.0"
            assert run["runId"].startswith("tr-")
            # paused through the same call, and read back
            paused = await put_test_schedule(
                temporal_client,
                queues.testing,
                api_id,
                "pets",
                TestSchedule(cron="0 6 * * 1-5", time_zone="Europe/Berlin", paused=True),
                "tester",
            )
            assert (paused["cron"], paused["timeZone"], paused["paused"]) == ("0 6 * * 1-5", "Europe/Berlin", True)
        finally:
            assert await delete_test_schedule(temporal_client, queues.testing, api_id)
        assert await describe_test_schedule(temporal_client, queues.testing, api_id) is None
        assert not await delete_test_schedule(temporal_client, queues.testing, api_id)


async def _scheduled_runs(api_id: str) -> list[dict[str, Any]]:
    runs, _ = await asyncio.to_thread(wiring.portal().test_runs.page, api_id, limit=10, cursor=None)
    return [run for run in runs if run["trigger"] == "schedule"]


async def test_a_schedule_does_not_pile_runs_on_a_target(temporal_client: Client, queues: Queues) -> None:
    with serve(defective=False) as service:
        api_id = await register(temporal_client, queues, service.base_url)
        first, _ = await _fire(api_id, "first")
        # a second firing while the first run is still queued: that run, nothing new
        again, created = await _fire(api_id, "second")
        assert (again["runId"], created) == (first["runId"], False)


async def _fire(api_id: str, firing: str) -> tuple[dict[str, Any], bool]:
    """What a schedule's firing asks for (ScheduledTestRunWorkflow's activity)."""
    request = RunRequest(
        api_id=api_id, version="", trigger="schedule", requested_by="schedule", run_id=run_id_for(firing)
    )
    return await asyncio.to_thread(wiring.portal().request_test_run.scheduled, request)
