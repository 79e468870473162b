"""Record the workflows' histories that tests/unit/test_replay.py replays.

    .venv/bin/python -m tests.support.record_histories [--out tests/fixtures/histories] [--only NAME ...]

Runs the real workflow and activities against moto and a Temporal dev server of its own, once per
outcome - registered, rejected (invalid spec), version conflict (compensation), internal error
(the spec's bytes gone, every validation attempt failing) - then one hourly health sweep that opens
and closes an alert, one daily analytics run that reports two days, one daily notification digest
of two registrations, a contract test run of a live service on loopback, one cancelled before it
started, and one asked for by a schedule, and writes each history as Temporal's JSON. Recorded
histories are committed and never re-recorded casually: they stand for workflows that were
running when the code changed, and replaying them against today's code is what
proves the change safe (docs/architecture.md, "Changing a workflow"). `--only` records the named
ones alone (a new workflow's first history) and leaves the others as they are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from moto.server import ThreadedMotoServer
from temporalio.client import Client, WorkflowFailureError, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from devportal import wiring
from devportal.analytics.usage import hour_of
from devportal.names import TASK_QUEUE_ANALYTICS, TASK_QUEUE_REGISTRATION, TASK_QUEUE_TESTING, ResourceNames
from devportal.registry.models import ApiVersionRecord
from devportal.registry.register import Submitted
from devportal.registry.submit import SubmitRequest
from devportal.testing.runs import RunRef, RunRequest, TestSettings, run_id_for, workflow_id_for
from devportal.testing.schedules import TestSchedule
from devportal_local.config import (
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    LOOPBACK,
    REGION,
    aws_environment,
    free_port,
)
from devportal_local.provision import provision
from devportal_local.temporal_server import temporal_binary
from events.analytics import ApiUsageRecorded, UsageRecord
from temporal_bridge.health import ApiHealthWorkflow, HealthSweep
from temporal_bridge.reports import AnalyticsRun, ApiAnalyticsWorkflow
from temporal_bridge.schedules import delete_test_schedule, put_test_schedule, trigger_now
from temporal_bridge.search import API_ID, API_VERSION, OWNER, STEP
from temporal_bridge.starter import cancel_test_run, ensure_registration, ensure_test_run
from temporal_bridge.worker import build_analytics_worker, build_testing_worker, build_worker
from tests.support.contract_services import serve
from tests.support.contract_services import spec as contract_spec
from tests.support.specs import demo_spec_bytes, petstore_json

HISTORIES = Path(__file__).resolve().parents[1] / "fixtures" / "histories"


@dataclass(frozen=True)
class Case:
    name: str
    body: Callable[[], bytes]
    before: Callable[[Submitted], None] = lambda submitted: None


def _store_a_rival(submitted: Submitted) -> None:
    """Different content for the same version lands while this registration runs."""
    wiring.portal().registry.store_version(
        ApiVersionRecord(submitted.api_id, submitted.version, "Rival", submitted.owner, "f" * 64, "k", "n",
                         "docs/rival.html", "3.1.0", 1, "sub-" + "f" * 24, datetime.now(UTC))
    )  # fmt: skip


def _lose_the_spec(submitted: Submitted) -> None:
    """The stored bytes are gone: every validation attempt fails, and the workflow gives up."""
    wiring.portal().specs.delete(submitted.spec_key)


CASES = (
    Case("registered", petstore_json),
    Case("rejected", lambda: demo_spec_bytes("broken-orders.yaml")),
    Case("conflict", petstore_json, _store_a_rival),
    Case("internal-error", petstore_json, _lose_the_spec),
)


def _environment(endpoint: str, names: ResourceNames) -> None:
    os.environ.update(aws_environment(endpoint, names))
    provisioned = provision(names, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=AWS_ACCESS_KEY_ID,
                            aws_secret_access_key=AWS_SECRET_ACCESS_KEY)  # fmt: skip
    os.environ.update(provisioned.environment(endpoint))
    wiring.reset()


def _submit(case: Case) -> Submitted:
    outcome = wiring.portal().submit_spec(
        SubmitRequest(
            body=case.body(),
            media_type="application/yaml",
            team="pets",
            correlation_id=f"record-{case.name}",
            api_id=f"history-{case.name}",
        )
    )
    return Submitted.of(outcome.submission)


NAMES = (
    *(f"registration-{case.name}" for case in CASES),
    "health-sweep",
    "daily-report",
    "notification-digest",
    "test-run",
    "test-run-cancelled",
    "scheduled-test-run",
)


async def record(out: Path, only: set[str]) -> list[Path]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per moto request otherwise
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    _environment(f"http://{host}:{port}", ResourceNames(f"h{uuid.uuid4().hex[:8]}"))
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_binary()),
        search_attributes=[API_ID, API_VERSION, OWNER, STEP],
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    written = []
    try:
        client: Client = env.client
        async with build_worker(client, TASK_QUEUE_REGISTRATION, wiring.portal().registrar):
            for case in CASES:  # every case runs: the later ones read the registered API
                submitted = _submit(case)
                case.before(submitted)
                await ensure_registration(client, submitted, TASK_QUEUE_REGISTRATION)
                handle = client.get_workflow_handle(submitted.workflow_id)
                with contextlib.suppress(WorkflowFailureError):  # the internal-error case ends failed
                    await handle.result()
                if f"registration-{case.name}" in only:
                    written.append(await _write(handle.fetch_history(), out / f"registration-{case.name}.json"))
        # the report's usage first: its first day is the API's first traffic
        if "daily-report" in only:
            written.append(await _record_report(client, out))
        if "health-sweep" in only:
            written.append(await _record_sweep(client, out))
        if "notification-digest" in only:
            written.append(await _record_digest(client, out))
        if only & {"test-run", "test-run-cancelled", "scheduled-test-run"}:
            written.extend(await _record_test_runs(client, out, only))
    finally:
        await env.shutdown()
        server.stop()
    return written


async def _write(fetched: Awaitable[WorkflowHistory], path: Path) -> Path:
    history = await fetched
    path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n", encoding="utf-8")
    print(f"  {path.stem:<30} {history.workflow_id}  {len(history.events)} events -> {path}")
    return path


async def _record_sweep(client: Client, out: Path) -> Path:
    """An incident hour of the registered API, then a healthy one: the sweep opens and closes an alert."""
    incident = hour_of(datetime.now(UTC)) - timedelta(hours=3)
    records = [
        UsageRecord(api_id="history-registered", version="1.0.0", method="get", path="/pets",
                    status=500 if hour == 0 and n % 4 == 0 else 200, latency_ms=20.0,
                    timestamp=incident + timedelta(hours=hour, minutes=n), consumer_id="recorder")
        for hour in (0, 1) for n in range(40)
    ]  # fmt: skip
    wiring.portal().aggregate_usage(ApiUsageRecorded(batch_id="history-sweep", publisher="pets", records=records))
    async with build_analytics_worker(client, TASK_QUEUE_ANALYTICS, wiring.portal()):
        handle = await client.start_workflow(
            ApiHealthWorkflow.run,
            HealthSweep(incident + timedelta(hours=1)),
            id="history-health-sweep",
            task_queue=TASK_QUEUE_ANALYTICS,
        )
        result = await handle.result()
    assert result.degraded, result
    assert result.recovered, result
    return await _write(handle.fetch_history(), out / "health-sweep.json")


async def _record_report(client: Client, out: Path) -> Path:
    """Two days of the registered API: the first with calls (all answered well: the health sweep
    recorded after it judges its own hours), the second without."""
    yesterday = (datetime.now(UTC) - timedelta(days=1, minutes=5)).date()
    first = datetime.combine(yesterday - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    records = [
        UsageRecord(api_id="history-registered", version="1.0.0", method="get", path="/pets",
                    status=200, latency_ms=20.0 + n % 9,
                    timestamp=first + timedelta(hours=10, minutes=n), consumer_id=f"recorder-{n % 3}")
        for n in range(50)
    ]  # fmt: skip
    wiring.portal().aggregate_usage(ApiUsageRecorded(batch_id="history-report", publisher="pets", records=records))
    async with build_analytics_worker(client, TASK_QUEUE_ANALYTICS, wiring.portal()):
        handle = await client.start_workflow(
            ApiAnalyticsWorkflow.run,
            AnalyticsRun("history-registered"),
            id="history-daily-report",
            task_queue=TASK_QUEUE_ANALYTICS,
        )
        result = await handle.result()
    assert [d.day for d in result.reported] == [first.date(), yesterday], result
    return await _write(handle.fetch_history(), out / "daily-report.json")


async def _record_digest(client: Client, out: Path) -> Path:
    """A webhook of team pets that hears of registrations once a day, told of two in one digest."""
    from devportal.notify.subscriptions import NewSubscription
    from temporal_bridge.digests import DigestRun, NotificationDigestWorkflow
    from tests.support.events import eventbridge_body, registered

    portal = wiring.portal()
    request = NewSubscription.model_validate(
        {"events": ["api.registered"], "digest": ["api.registered"], "webhookUrl": "http://127.0.0.1:9/hook"}
    )
    subscription = portal.subscriptions.create("pets", request, "recorder@pets.test").subscription
    for version in ("1.0.0", "1.1.0"):
        portal.notify.handle(eventbridge_body(registered("history-registered", version=version)))
    async with build_analytics_worker(client, TASK_QUEUE_ANALYTICS, portal):
        handle = await client.start_workflow(
            NotificationDigestWorkflow.run,
            DigestRun(),
            id="history-notification-digest",
            task_queue=TASK_QUEUE_ANALYTICS,
        )
        result = await handle.result()
    assert [(o.subscription_id, o.notices) for o in result.sent] == [(subscription.subscription_id, 2)], result
    return await _write(handle.fetch_history(), out / "notification-digest.json")


async def _record_test_runs(client: Client, out: Path, only: set[str]) -> list[Path]:
    """A contract test run of a live service on loopback (every batch, the OpenAPI-link sequences
    last), one cancelled while still queued, and one asked for by the API's schedule."""
    portal = wiring.portal()
    written = []
    with serve(defective=False) as service:
        submitted = Submitted.of(
            portal.submit_spec(
                SubmitRequest(
                    body=json.dumps(contract_spec(service.base_url)).encode(),
                    media_type="application/json",
                    team="pets",
                    correlation_id="record-test-run",
                    api_id="history-contract",
                )
            ).submission
        )
        async with build_worker(client, TASK_QUEUE_REGISTRATION, portal.registrar):
            await ensure_registration(client, submitted, TASK_QUEUE_REGISTRATION)
            await client.get_workflow_handle(submitted.workflow_id).result()
        record = portal.registry.get_version("history-contract", "1.0.0")
        assert record is not None
        portal.registry.add_to_catalog(record)
        portal.test_runs.put_settings("history-contract", TestSettings(max_examples=3), "recorder", datetime.now(UTC))
        async with build_testing_worker(client, TASK_QUEUE_TESTING, portal):
            for name, cancelled in (("test-run", False), ("test-run-cancelled", True)):
                run, _ = portal.request_test_run(
                    RunRequest(api_id="history-contract", version="1.0.0", trigger="manual", requested_by="recorder",
                               run_id=run_id_for("history", name))
                )  # fmt: skip
                ref = RunRef.of(run)
                if cancelled:
                    await cancel_test_run(client, ref, TASK_QUEUE_TESTING, "recorder")
                await ensure_test_run(client, ref, TASK_QUEUE_TESTING)
                handle = client.get_workflow_handle(workflow_id_for(ref.run_id))
                result = await handle.result()
                assert result["status"] == ("cancelled" if cancelled else "passed"), result
                if name in only:
                    written.append(await _write(handle.fetch_history(), out / f"{name}.json"))
            if "scheduled-test-run" in only:
                schedule = TestSchedule(cron="0 6 * * 1-5")
                view = await put_test_schedule(
                    client, TASK_QUEUE_TESTING, "history-contract", "pets", schedule, "recorder"
                )
                try:
                    fired = await trigger_now(client, view["scheduleId"])
                    handle = client.get_workflow_handle(fired.workflow_id, run_id=fired.first_execution_run_id)
                    await handle.result()
                    written.append(await _write(handle.fetch_history(), out / "scheduled-test-run.json"))
                finally:
                    await delete_test_schedule(client, TASK_QUEUE_TESTING, "history-contract")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.record_histories", description=__doc__)
    parser.add_argument("--out", type=Path, default=HISTORIES, help=f"where to write them (default {HISTORIES})")
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES), help="record these alone")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Recording workflow histories into {args.out}: {', '.join(args.only)}")
    asyncio.run(record(args.out, set(args.only)))
    os._exit(0)  # the Temporal client's native runtime can abort at interpreter exit (sdk-python#300)


if __name__ == "__main__":
    main()
