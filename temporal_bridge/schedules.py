"""The Temporal schedules of the analytics domain, created when they are first needed (the first
API with traffic) and left alone after that: ops pause, trigger or delete them in the Web UI.

  <task queue>-health          every hour at minute 7 (the hour before is complete by then,
                               clock-skew allowance included): ApiHealthWorkflow over every API
                               with traffic
  <task queue>-report-<apiId>  every day between 00:20 and 00:50 UTC (a jitter spreads thousands
                               of APIs over half an hour): ApiAnalyticsWorkflow, the API's report
                               of the day before; its runs carry the ApiId search attribute
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from temporal_bridge.health import ApiHealthWorkflow, HealthSweep
from temporal_bridge.reports import AnalyticsRun, ApiAnalyticsWorkflow
from temporal_bridge.search import API_ID

log = logging.getLogger("devportal.schedules")


def health_schedule_id(task_queue: str) -> str:
    """One per deployment (its analytics task queue): `devportal-analytics-health`. The workflows
    it starts are named the same, followed by the time of each run."""
    return f"{task_queue}-health"


def health_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ApiHealthWorkflow.run,
            HealthSweep(),
            id=health_schedule_id(task_queue),
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=55),
        ),
        spec=ScheduleSpec(calendars=[ScheduleCalendarSpec(minute=[ScheduleRange(7)], hour=[ScheduleRange(0, 23)])]),
        # A sweep still running when the next is due: the next is skipped (it would evaluate the
        # same hours). After an outage the missed runs are not replayed: one sweep catches up.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(minutes=50)),
        state=ScheduleState(note="created by devportal when the first API had traffic"),
    )


def report_schedule_id(task_queue: str, api_id: str) -> str:
    """One per API with traffic: `devportal-analytics-report-petstore`."""
    return f"{task_queue}-report-{api_id}"


def report_schedule(task_queue: str, api_id: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ApiAnalyticsWorkflow.run,
            AnalyticsRun(api_id),
            id=report_schedule_id(task_queue, api_id),
            task_queue=task_queue,
            execution_timeout=timedelta(hours=2),
            typed_search_attributes=TypedSearchAttributes([SearchAttributePair(API_ID, api_id)]),
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(minute=[ScheduleRange(20)], hour=[ScheduleRange(0)])],
            jitter=timedelta(minutes=30),
        ),
        # Missed runs are not replayed one by one: the next run reports every day not yet reported.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=1)),
        state=ScheduleState(note=f"created by devportal when {api_id} had its first traffic"),
    )


async def _ensure(client: Client, schedule_id: str, schedule: Schedule) -> bool:
    try:
        await client.create_schedule(schedule_id, schedule, rpc_timeout=timedelta(seconds=10))
    except ScheduleAlreadyRunningError:
        return False
    log.info("schedule %s created", schedule_id)
    return True


async def ensure_health_schedule(client: Client, task_queue: str) -> bool:
    """Creates the hourly health schedule unless it exists; True when it was created now."""
    return await _ensure(client, health_schedule_id(task_queue), health_schedule(task_queue))


async def ensure_report_schedule(client: Client, task_queue: str, api_id: str) -> bool:
    """Creates the API's daily report schedule unless it exists; True when it was created now."""
    return await _ensure(client, report_schedule_id(task_queue, api_id), report_schedule(task_queue, api_id))


async def trigger_now(client: Client, schedule_id: str, timeout: float = 30) -> ScheduleActionExecutionStartWorkflow:
    """Runs the schedule's action now, as Trigger in the Web UI does, and returns the run it
    started. Waits up to `timeout` seconds for the schedule to exist (a bridge consumer creates it
    a queue away) and for the run to start. Runs triggered in the same second share a workflow id;
    their run ids tell them apart."""
    handle = client.get_schedule_handle(schedule_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout

    async def runs() -> list[ScheduleActionExecutionStartWorkflow]:
        actions = [action.action for action in (await handle.describe()).info.recent_actions]
        return [a for a in actions if isinstance(a, ScheduleActionExecutionStartWorkflow)]

    while True:
        try:
            seen = {run.first_execution_run_id for run in await runs()}
            break
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND or loop.time() > deadline:
                raise TimeoutError(f"the schedule {schedule_id} does not exist after {timeout:.0f} s") from error
            await asyncio.sleep(0.3)
    await handle.trigger()
    while not (started := [run for run in await runs() if run.first_execution_run_id not in seen]):
        if loop.time() > deadline:
            raise TimeoutError(f"triggering {schedule_id} started no run within {timeout:.0f} s")
        await asyncio.sleep(0.2)
    return started[0]
