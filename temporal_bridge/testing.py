"""TestOrchestrationWorkflow: one contract test run of a registered version against a live base
URL (devportal.testing), on its own task queue.

  plan_test_run      the operations and their cases (schemathesis, fixed seed); the run goes running
  run_test_batch     one operation's cases, `concurrency` batches at a time, each paced to its
                     share of the run's requests per second; heartbeats carry cases done, and a
                     cancelled run's batches stop at the next case
  finish_test_run    the kept batches merged into the results; stored; TestRunCompleted

The `progress` query and the Step search attribute say where a run is; the `cancel` signal stops
it (what finished is kept and reported, as `cancelled`). A worker that dies mid-batch: the batch's
heartbeat times out and it runs again elsewhere, from its first case; a batch that had already
kept its outcome is not run again (devportal.testing.execute).

ScheduledTestRunWorkflow is what an API's test schedule starts: it asks for a run the way the
gateway does (one `TestRunRequested`), against the API's latest version."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from aws_lambda_powertools import Logger

    from devportal.errors import NotFound, TargetRefused
    from devportal.testing.execute import BatchReport, ContractTests, CredentialMissing, Plan, RunGone
    from devportal.testing.runs import RequestTestRun, RunRequest, run_id_for
    from temporal_bridge.search import STEP

logger = Logger(service="test-worker")

T = TypeVar("T")
HEARTBEAT_EVERY_SECONDS = 2.0
_RETRIED = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
_BATCH_RETRIES = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=20), maximum_attempts=5
)


@dataclass(frozen=True)
class TestRunStart:
    __test__ = False

    run_id: str


@dataclass(frozen=True)
class BatchInput:
    plan: Plan
    batch: int


@dataclass(frozen=True)
class FinishInput:
    plan: Plan
    completed: list[int]
    cancelled: bool = False
    error: str | None = None


@dataclass(frozen=True)
class ScheduledRun:
    api_id: str
    environment: str | None = None


@dataclass
class _Progress:
    done: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


async def _in_thread(work: Callable[[_Progress], T]) -> T:
    """Run blocking `work` in a thread; heartbeat its progress every few seconds; when the
    activity is cancelled, tell the work to stop and wait for it to return."""
    progress = _Progress()
    task = asyncio.ensure_future(asyncio.to_thread(work, progress))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY_SECONDS)
            if done:
                return task.result()
            activity.heartbeat({"casesDone": progress.done})
    except asyncio.CancelledError:
        progress.stop.set()
        await asyncio.wait({task})
        raise


class TestingActivities:
    __test__ = False

    def __init__(self, tests: ContractTests, request_run: RequestTestRun) -> None:
        self._tests = tests
        self._request_run = request_run

    @activity.defn(name="plan_test_run")
    async def plan(self, start: TestRunStart) -> Plan:
        def work(progress: _Progress) -> Plan:
            return self._tests.plan(start.run_id, lambda done: setattr(progress, "done", done))

        try:
            plan = await _in_thread(work)
        except RunGone as error:
            raise ApplicationError(str(error), non_retryable=True) from None
        logger.info(
            "test run planned",
            extra={"run_id": start.run_id, "cases": plan.cases_total, "batches": len(plan.batches)},
        )
        return plan

    @activity.defn(name="run_test_batch")
    async def run_batch(self, request: BatchInput) -> BatchReport:
        def work(progress: _Progress) -> BatchReport:
            return self._tests.run_batch(
                request.plan,
                request.batch,
                heartbeat=lambda done: setattr(progress, "done", done),
                cancelled=progress.stop.is_set,
            )

        try:
            report = await _in_thread(work)
        except (CredentialMissing, RunGone) as error:
            raise ApplicationError(str(error), non_retryable=True) from None
        logger.info(
            "test batch done",
            extra={"run_id": request.plan.run_id, "batch": request.batch, "cases": report.cases, "kept": report.kept},
        )
        return report

    @activity.defn(name="finish_test_run")
    async def finish(self, request: FinishInput) -> dict[str, Any]:
        def work(progress: _Progress) -> dict[str, Any]:
            return self._tests.finish(request.plan, request.completed, cancelled=request.cancelled, error=request.error)

        found = await _in_thread(work)
        logger.info("test run finished", extra={"run_id": request.plan.run_id, "status": found.get("status")})
        return found

    @activity.defn(name="request_scheduled_test_run")
    async def request_scheduled(self, request: ScheduledRun) -> str:
        info = activity.info()
        run_id = run_id_for("schedule", info.workflow_id or "")

        def work(progress: _Progress) -> str:
            run, _ = self._request_run.scheduled(
                RunRequest(
                    api_id=request.api_id,
                    version="",
                    trigger="schedule",
                    requested_by=f"schedule:{request.api_id}",
                    environment=request.environment,
                    run_id=run_id,
                )
            )
            return str(run["runId"])

        try:
            return await _in_thread(work)
        except (TargetRefused, NotFound) as refused:  # the API or its environment is gone: no retry helps
            raise ApplicationError(refused.detail, non_retryable=True) from None


def _thin(plan: Plan, batch: int) -> Plan:
    """The plan a batch needs: its own operation (a batch's input is kept in the history once per
    batch; the whole plan once is enough), and its share of the run's requests per second (the
    run's rate split over the batches that run at the same time)."""
    operations = [
        operation if index == batch else type(operation)(operation.key, 0, False)
        for index, operation in enumerate(plan.operations)
    ]
    at_once = max(1, min(plan.concurrency, len(plan.batches)))
    return dataclasses.replace(plan, operations=operations, requests_per_second=plan.requests_per_second / at_once)


@workflow.defn
class TestOrchestrationWorkflow:
    __test__ = False

    def __init__(self) -> None:
        self._step = "plan"
        self._plan: Plan | None = None
        self._completed: dict[int, BatchReport] = {}
        self._running: set[int] = set()
        self._cancel_requested_by: str | None = None

    @workflow.signal
    def cancel(self, by: str) -> None:
        if self._cancel_requested_by is None:
            self._cancel_requested_by = by or "someone"

    @workflow.query
    def progress(self) -> dict[str, Any]:
        plan = self._plan
        return {
            "step": self._step,
            "casesDone": sum(report.cases for report in self._completed.values()),
            "casesTotal": plan.cases_total if plan else None,
            "batchesDone": len(self._completed),
            "batchesTotal": len(plan.batches) if plan else None,
            "running": sorted(plan.operations[batch].key for batch in self._running) if plan else [],
            "failedChecks": sum(report.failed for report in self._completed.values()),
            "cancelRequestedBy": self._cancel_requested_by,
        }

    def _set_step(self, step: str) -> None:
        self._step = step
        workflow.upsert_search_attributes([STEP.value_set(step)])

    @workflow.run
    async def run(self, start: TestRunStart) -> dict[str, Any]:
        self._set_step("plan")
        plan = await workflow.execute_activity_method(
            TestingActivities.plan,
            start,
            start_to_close_timeout=timedelta(minutes=15),
            heartbeat_timeout=timedelta(seconds=30),
            retry_policy=_RETRIED,
        )
        self._plan = plan
        error = await self._run_batches(plan) if plan.problem is None else None
        self._set_step("cancelled" if self._cancel_requested_by else "finish")
        found: dict[str, Any] = await workflow.execute_activity_method(
            TestingActivities.finish,
            FinishInput(plan, sorted(self._completed), self._cancel_requested_by is not None, error),
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(seconds=30),
            retry_policy=_RETRIED,
        )
        self._set_step(str(found.get("status", "done")))
        return found

    async def _run_batches(self, plan: Plan) -> str | None:
        waiting = list(plan.batches)
        pending: dict[int, asyncio.Task[BatchReport]] = {}
        errors: list[str] = []
        self._set_step(f"testing 0/{len(waiting)}")
        while waiting or pending:
            while waiting and len(pending) < plan.concurrency and self._cancel_requested_by is None:
                batch = waiting.pop(0)
                # A cancelled run ends once its batches have stopped, so nothing reaches the target after
                # it (histories from before waited for nothing: they replay as they ran).
                stops = workflow.patched("wait-for-cancelled-batches")
                pending[batch] = asyncio.ensure_future(
                    workflow.execute_activity_method(
                        TestingActivities.run_batch,
                        BatchInput(_thin(plan, batch), batch),
                        start_to_close_timeout=timedelta(hours=2),
                        heartbeat_timeout=timedelta(seconds=30),
                        retry_policy=_BATCH_RETRIES,
                        cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
                        if stops
                        else ActivityCancellationType.TRY_CANCEL,
                    )
                )
                self._running.add(batch)
            if not pending:
                break
            await workflow.wait_condition(
                lambda: self._cancel_requested_by is not None or any(task.done() for task in pending.values())
            )
            if self._cancel_requested_by is not None:
                for task in pending.values():
                    task.cancel()
                waiting.clear()
            for batch, task in list(pending.items()):
                if not task.done():
                    continue
                del pending[batch]
                self._running.discard(batch)
                try:
                    self._completed[batch] = task.result()
                except asyncio.CancelledError:
                    pass
                except ActivityError as failure:
                    if self._cancel_requested_by is None:
                        errors.append(f"{plan.operations[batch].key}: {failure.cause or failure}")
            if self._cancel_requested_by is not None and pending:
                await workflow.wait(list(pending.values()))  # asyncio.wait is not deterministic
                for batch, task in pending.items():
                    self._running.discard(batch)
                    if not task.cancelled() and task.exception() is None:
                        self._completed[batch] = task.result()
                pending.clear()
            self._set_step(f"testing {len(self._completed)}/{len(plan.batches)}")
        if errors:
            return "Some operations could not be tested: " + "; ".join(errors)[:400]
        return None


@workflow.defn
class ScheduledTestRunWorkflow:
    """Started by an API's test schedule: asks for a run of its latest version (TestRunRequested)."""

    @workflow.run
    async def run(self, request: ScheduledRun) -> str:
        run_id: str = await workflow.execute_activity_method(
            TestingActivities.request_scheduled,
            request,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=_RETRIED,
        )
        return run_id
