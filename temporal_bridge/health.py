"""ApiHealthWorkflow: every hour, the health of every API with traffic (devportal.analytics.alerts).

Started by the `devportal-api-health` schedule (temporal_bridge.schedules) a few minutes past each
hour, when the hour before is complete. `plan` lists the APIs with traffic and the hour to evaluate
through; `check` evaluates a batch of them, several batches at once, heartbeating per API. The
`progress` query (and the Web UI's pending activities) shows how far a sweep is. A batch that
fails is retried on its own; an API evaluated before the failure has nothing left to do then.

`plan` also gives APIs whose first usage was counted before daily reports existed their daily
report schedule (at most REPORT_SCHEDULES_PER_SWEEP a sweep): ApiTrafficStarted, which creates it
for every API since, came before them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from aws_lambda_powertools import Logger

    from devportal.analytics.alerts import CheckHealth
    from devportal.analytics.ports import HealthStore
    from temporal_bridge.activities import blocking

logger = Logger(service="analytics-worker")

BATCH = 25
PARALLEL_BATCHES = 4
REPORT_SCHEDULES_PER_SWEEP = 200
_RETRIED = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1))


@dataclass(frozen=True)
class HealthSweep:
    """Evaluate through this hour (its start); None: the last complete hour when the sweep plans."""

    through: datetime | None = None


@dataclass(frozen=True)
class ApiTraffic:
    api_id: str
    since: datetime


@dataclass(frozen=True)
class PlanRequest:
    through: datetime | None
    now: datetime  # the workflow's time, so that a time-skipping test server moves it


@dataclass(frozen=True)
class SweepPlan:
    through: datetime
    apis: list[ApiTraffic] = field(default_factory=list)


@dataclass(frozen=True)
class HealthBatch:
    through: datetime
    apis: list[ApiTraffic]


@dataclass(frozen=True)
class ApiHealth:
    api_id: str
    status: str
    hours: int
    degraded: list[str]  # alert ids opened now
    recovered: list[str]  # alert ids closed now


@dataclass(frozen=True)
class SweepResult:
    through: datetime
    apis: int
    hours: int
    degraded: list[str]
    recovered: list[str]
    unhealthy: list[str]  # APIs with an open alert after the sweep


class HealthActivities:
    def __init__(self, check: CheckHealth, health: HealthStore) -> None:
        self._check = check
        self._health = health

    @activity.defn(name="plan_health_sweep")
    async def plan(self, request: PlanRequest) -> SweepPlan:
        through = request.through or self._check.last_complete(request.now)
        apis = await blocking(lambda: [ApiTraffic(api_id, since) for api_id, since in self._health.traffic()])
        logger.info("health sweep planned", extra={"through": through.isoformat(), "apis": len(apis)})
        await self._schedule_reports()
        return SweepPlan(through, apis)

    async def _schedule_reports(self) -> None:
        from temporal_bridge.schedules import ensure_report_schedule  # it imports this module's workflow

        missing = await blocking(partial(self._health.reports_unscheduled, REPORT_SCHEDULES_PER_SWEEP))
        created = 0
        for api_id in missing:
            created += await ensure_report_schedule(activity.client(), activity.info().task_queue, api_id)
            await blocking(partial(self._health.note_reports_scheduled, api_id))
        if missing:
            logger.info("daily report schedules in place", extra={"apis": len(missing), "schedules_created": created})

    @activity.defn(name="check_health")
    async def check(self, batch: HealthBatch) -> list[ApiHealth]:
        found: list[ApiHealth] = []
        for done, api in enumerate(batch.apis):
            activity.heartbeat(f"{done}/{len(batch.apis)} APIs")
            checked = await blocking(partial(self._check, api.api_id, through=batch.through))
            for change in checked.changes:
                logger.info(
                    f"health {change.kind}",
                    extra={"api_id": api.api_id, "alert_id": change.alert_id, "rule": change.rule},
                )
            found.append(
                ApiHealth(
                    api.api_id,
                    checked.status,
                    checked.hours,
                    [c.alert_id for c in checked.changes if c.kind == "degraded"],
                    [c.alert_id for c in checked.changes if c.kind == "recovered"],
                )
            )
        return found


@workflow.defn
class ApiHealthWorkflow:
    def __init__(self) -> None:
        self._done = 0
        self._total = 0

    @workflow.query
    def progress(self) -> dict[str, int]:
        return {"apisChecked": self._done, "apis": self._total}

    @workflow.run
    async def run(self, sweep: HealthSweep) -> SweepResult:
        plan = await workflow.execute_activity_method(
            HealthActivities.plan,
            PlanRequest(sweep.through, workflow.now()),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=_RETRIED,
        )
        self._total = len(plan.apis)
        batches = [plan.apis[start : start + BATCH] for start in range(0, len(plan.apis), BATCH)]
        results: list[ApiHealth] = []
        gate = asyncio.Semaphore(PARALLEL_BATCHES)

        async def one(apis: list[ApiTraffic]) -> None:
            async with gate:
                checked = await workflow.execute_activity_method(
                    HealthActivities.check,
                    HealthBatch(plan.through, apis),
                    start_to_close_timeout=timedelta(minutes=10),
                    heartbeat_timeout=timedelta(minutes=1),
                    retry_policy=_RETRIED,
                )
                results.extend(checked)
                self._done += len(checked)

        await asyncio.gather(*(one(batch) for batch in batches))
        results.sort(key=lambda r: r.api_id)
        return SweepResult(
            plan.through,
            len(results),
            sum(r.hours for r in results),
            [a for r in results for a in r.degraded],
            [a for r in results for a in r.recovered],
            [r.api_id for r in results if r.status == "degraded"],
        )
