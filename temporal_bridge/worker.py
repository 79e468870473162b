"""The Temporal workers: registration (ApiRegistrationWorkflow), analytics (ApiHealthWorkflow,
ApiAnalyticsWorkflow, NotificationDigestWorkflow) and contract tests (TestOrchestrationWorkflow,
ScheduledTestRunWorkflow), each on its own task queue so that an hourly sweep, the daily reports
or a long test run never queue in front of a registration.
Locally one process polls both against the dev server (`devportal worker`); in AWS each runs
inside its own Lambda against Temporal Cloud (temporal_bridge.lambda_worker)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from temporalio.client import Client
from temporalio.worker import Worker, WorkerConfig

from devportal import wiring
from devportal.adapters.temporal import connect_config
from devportal.analytics.alerts import CheckHealth
from devportal.analytics.daily import DailyReports
from devportal.analytics.ports import HealthStore
from devportal.notify.digest import Digests
from devportal.registry.register import Registrar
from devportal.testing.execute import ContractTests
from devportal.testing.runs import RequestTestRun
from temporal_bridge.activities import RegistrationActivities
from temporal_bridge.digests import DigestActivities, NotificationDigestWorkflow
from temporal_bridge.health import ApiHealthWorkflow, HealthActivities
from temporal_bridge.reports import ApiAnalyticsWorkflow, ReportActivities
from temporal_bridge.testing import ScheduledTestRunWorkflow, TestingActivities, TestOrchestrationWorkflow
from temporal_bridge.workflows import ApiRegistrationWorkflow

log = logging.getLogger("devportal.worker")


def registration_worker_config(registrar: Registrar) -> WorkerConfig:
    """What a registration worker runs, wherever it runs: the workflow and its activities."""
    activities = RegistrationActivities(registrar)
    return WorkerConfig(
        workflows=[ApiRegistrationWorkflow],
        activities=[
            activities.mark_registering,
            activities.validate,
            activities.render_docs,
            activities.store_version,
            activities.discard_docs,
            activities.compensate_stored,
            activities.compare,
            activities.request_approval,
            activities.close_approval,
            activities.announce_registered,
            activities.announce_rejected,
        ],
    )


def analytics_worker_config(
    check: CheckHealth, health: HealthStore, reports: DailyReports, digests: Digests
) -> WorkerConfig:
    """What an analytics worker runs: the hourly health sweep, the daily reports, the daily
    notification digest, their activities."""
    sweep = HealthActivities(check, health)
    daily = ReportActivities(reports)
    digest = DigestActivities(digests)
    return WorkerConfig(
        workflows=[ApiHealthWorkflow, ApiAnalyticsWorkflow, NotificationDigestWorkflow],
        activities=[
            sweep.plan,
            sweep.check,
            daily.plan,
            daily.collect,
            daily.process,
            daily.generate,
            daily.store,
            digest.plan,
            digest.send,
        ],
    )


def testing_worker_config(tests: ContractTests, request_run: RequestTestRun) -> WorkerConfig:
    """What a contract-test worker runs: test runs and the schedules' requests for them."""
    activities = TestingActivities(tests, request_run)
    return WorkerConfig(
        workflows=[TestOrchestrationWorkflow, ScheduledTestRunWorkflow],
        activities=[activities.plan, activities.run_batch, activities.finish, activities.request_scheduled],
    )


def build_worker(client: Client, task_queue: str, registrar: Registrar) -> Worker:
    config = registration_worker_config(registrar)
    config["client"] = client
    config["task_queue"] = task_queue
    config["max_concurrent_activities"] = 8
    return Worker(**config)


def build_testing_worker(client: Client, task_queue: str, root: wiring.Portal) -> Worker:
    config = testing_worker_config(root.contract_tests, root.request_test_run)
    config["client"] = client
    config["task_queue"] = task_queue
    # batches are threads that mostly wait on the target; a run's own concurrency bounds its share
    config["max_concurrent_activities"] = 16
    return Worker(**config)


def build_analytics_worker(client: Client, task_queue: str, root: wiring.Portal) -> Worker:
    config = analytics_worker_config(root.check_health, root.health_store, root.daily_reports, root.digests)
    config["client"] = client
    config["task_queue"] = task_queue
    config["max_concurrent_activities"] = 4
    return Worker(**config)


async def run(on_ready: Callable[[], None] | None = None) -> None:
    root = wiring.portal()
    client = await Client.connect(**connect_config(root.temporal_overrides))
    task_queue = root.registration_task_queue
    worker = build_worker(client, task_queue, root.registrar)
    root.spec_sandbox.warm()
    analytics = build_analytics_worker(client, root.analytics_task_queue, root)
    testing = build_testing_worker(client, root.testing_task_queue, root)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker polling task queues %s, %s and %s", task_queue, root.analytics_task_queue, root.testing_task_queue)
    try:
        async with worker, analytics, testing:
            if on_ready is not None:
                on_ready()
            await stop.wait()
    finally:
        root.spec_sandbox.close()  # the processes that check documents go with the worker
    log.info("worker stopped")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(run())


if __name__ == "__main__":
    main()
