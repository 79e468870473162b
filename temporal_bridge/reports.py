"""ApiAnalyticsWorkflow: the seed's analytics workflow for one API - collect -> process -> report ->
store (devportal.analytics.daily) - once a day from the API's own schedule
(`<task queue>-report-<apiId>`, temporal_bridge.schedules), for every complete day not yet
reported (a day missed while the worker was down is caught up, up to a week back).

Each step is an activity, so the Web UI shows where a run is and what each step returned; the
`progress` query answers the same. Started with a day (`AnalyticsRun(api_id, day)`), it reports
that day again - an operator's way to count usage published late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from aws_lambda_powertools import Logger

    from devportal.analytics.daily import Collected, DailyReports, Processed, generate, process
    from temporal_bridge.activities import blocking

logger = Logger(service="analytics-worker")

_RETRIED = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1))


@dataclass(frozen=True)
class AnalyticsRun:
    api_id: str
    day: date | None = None  # None: every complete day not yet reported


@dataclass(frozen=True)
class ReportsDue:
    api_id: str
    day: date | None
    now: datetime  # the workflow's time, so that a time-skipping test server moves it


@dataclass(frozen=True)
class ApiDay:
    api_id: str
    day: date


@dataclass(frozen=True)
class ToGenerate:
    processed: Processed
    generated_at: datetime


@dataclass(frozen=True)
class DayReported:
    day: date
    headline: str


@dataclass(frozen=True)
class AnalyticsResult:
    api_id: str
    reported: list[DayReported] = field(default_factory=list)


class ReportActivities:
    def __init__(self, reports: DailyReports) -> None:
        self._reports = reports

    @activity.defn(name="plan_reports")
    async def plan(self, request: ReportsDue) -> list[date]:
        days = await blocking(partial(self._reports.due, request.api_id, request.now, request.day))
        logger.info("reports planned", extra={"api_id": request.api_id, "days": [d.isoformat() for d in days]})
        return days

    @activity.defn(name="collect_metrics")
    async def collect(self, request: ApiDay) -> Collected:
        return await blocking(partial(self._reports.collect, request.api_id, request.day))

    @activity.defn(name="process_analytics")
    async def process(self, collected: Collected) -> Processed:
        return process(collected)

    @activity.defn(name="generate_report")
    async def generate(self, request: ToGenerate) -> dict[str, Any]:
        return generate(request.processed, request.generated_at)

    @activity.defn(name="store_results")
    async def store(self, report: dict[str, Any]) -> None:
        await blocking(partial(self._reports.store, report))
        logger.info("report stored", extra={"api_id": report["apiId"], "day": report["day"]})


@workflow.defn
class ApiAnalyticsWorkflow:
    def __init__(self) -> None:
        self._step = "plan"
        self._day: date | None = None
        self._reported = 0
        self._days = 0

    @workflow.query
    def progress(self) -> dict[str, Any]:
        return {
            "step": self._step,
            "day": self._day.isoformat() if self._day else None,
            "daysReported": self._reported,
            "days": self._days,
        }

    @workflow.run
    async def run(self, run: AnalyticsRun) -> AnalyticsResult:
        days = await workflow.execute_activity_method(
            ReportActivities.plan,
            ReportsDue(run.api_id, run.day, workflow.now()),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=_RETRIED,
        )
        self._days = len(days)
        reported = []
        for day in days:
            self._day = day
            self._step = "collect"
            collected = await workflow.execute_activity_method(
                ReportActivities.collect,
                ApiDay(run.api_id, day),
                start_to_close_timeout=timedelta(minutes=5),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=_RETRIED,
            )
            self._step = "process"
            processed = await workflow.execute_activity_method(
                ReportActivities.process,
                collected,
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=_RETRIED,
            )
            self._step = "report"
            report = await workflow.execute_activity_method(
                ReportActivities.generate,
                ToGenerate(processed, workflow.now()),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=_RETRIED,
            )
            self._step = "store"
            await workflow.execute_activity_method(
                ReportActivities.store,
                report,
                start_to_close_timeout=timedelta(minutes=2),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=_RETRIED,
            )
            reported.append(DayReported(day, report["headline"]))
            self._reported += 1
        self._step = "done"
        return AnalyticsResult(run.api_id, reported)
