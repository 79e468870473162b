"""The portal's Temporal schedules. The analytics domain's are created when they are first needed
(the first API with traffic) and left alone after that: ops pause, trigger or delete them in the
Web UI. Contract-test schedules are each API team's, set through the gateway.

  <task queue>-health          every hour at minute 7 (the hour before is complete by then,
                               clock-skew allowance included): ApiHealthWorkflow over every API
                               with traffic
  <task queue>-report-<apiId>  every day between 00:20 and 00:50 UTC (a jitter spreads thousands
                               of APIs over half an hour): ApiAnalyticsWorkflow, the API's report
                               of the day before; its runs carry the ApiId search attribute
  <task queue>-digest          every day at 07:00 UTC: NotificationDigestWorkflow, one digest per
                               subscription with notices kept for it (created when a team first
                               asks for a digest)
  <testing task queue>-schedule-<apiId>
                               when the API's team said (cron, time zone): ScheduledTestRunWorkflow,
                               which asks for a contract test run of the API's latest version
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

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
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from devportal.testing.schedules import Calendar, TestSchedule
from temporal_bridge.digests import DigestRun, NotificationDigestWorkflow
from temporal_bridge.health import ApiHealthWorkflow, HealthSweep
from temporal_bridge.reports import AnalyticsRun, ApiAnalyticsWorkflow
from temporal_bridge.search import API_ID, OWNER
from temporal_bridge.testing import ScheduledRun, ScheduledTestRunWorkflow

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


DIGEST_HOUR_UTC = 7


def digest_schedule_id(task_queue: str) -> str:
    """One per deployment (its analytics task queue): `devportal-analytics-digest`."""
    return f"{task_queue}-digest"


def digest_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            NotificationDigestWorkflow.run,
            DigestRun(),
            id=digest_schedule_id(task_queue),
            task_queue=task_queue,
            execution_timeout=timedelta(hours=2),
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(minute=[ScheduleRange(0)], hour=[ScheduleRange(DIGEST_HOUR_UTC)])]
        ),
        # After an outage one run sends everything kept since: missed days are not replayed.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=6)),
        state=ScheduleState(note="created by devportal when a team first asked for a daily digest"),
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


async def ensure_digest_schedule(client: Client, task_queue: str) -> bool:
    """Creates the daily digest schedule unless it exists; True when it was created now."""
    return await _ensure(client, digest_schedule_id(task_queue), digest_schedule(task_queue))


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


# -- contract-test schedules: one per API that has one, set by its team through the gateway -------


def test_schedule_id(task_queue: str, api_id: str) -> str:
    """One per API: `devportal-testing-schedule-petstore`. The runs it starts are named the same,
    followed by the time of each firing."""
    return f"{task_queue}-schedule-{api_id}"


def _calendar(calendar: Calendar) -> ScheduleCalendarSpec:
    def ranges(name: str) -> tuple[ScheduleRange, ...]:
        return tuple(ScheduleRange(start, end, step) for start, end, step in calendar.of(name))

    return ScheduleCalendarSpec(
        second=(ScheduleRange(0),),
        minute=ranges("minute"),
        hour=ranges("hour"),
        day_of_month=ranges("day-of-month"),
        month=ranges("month"),
        day_of_week=ranges("day-of-week"),
        comment=calendar.cron,  # what the team wrote, read back by describe_test_schedule
    )


def test_schedule(task_queue: str, api_id: str, owner: str, schedule: TestSchedule, by: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ScheduledTestRunWorkflow.run,
            ScheduledRun(api_id, schedule.environment),
            id=test_schedule_id(task_queue, api_id),
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=10),
            typed_search_attributes=TypedSearchAttributes(
                [SearchAttributePair(API_ID, api_id), SearchAttributePair(OWNER, owner)]
            ),
        ),
        spec=ScheduleSpec(calendars=[_calendar(schedule.calendar())], time_zone_name=schedule.time_zone),
        # A firing only asks for a run (a run of the API still going is not doubled, see
        # RequestTestRun.scheduled); firings missed while Temporal was away are not replayed.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(minutes=10)),
        state=ScheduleState(paused=schedule.paused, note=f"set by {by} through the gateway"),
    )


async def put_test_schedule(
    client: Client, task_queue: str, api_id: str, owner: str, schedule: TestSchedule, by: str
) -> dict[str, Any]:
    """Creates the API's schedule or replaces it whole (paused or not as `schedule` says)."""
    wanted = test_schedule(task_queue, api_id, owner, schedule, by)
    schedule_id = test_schedule_id(task_queue, api_id)
    try:
        await client.create_schedule(schedule_id, wanted, rpc_timeout=timedelta(seconds=10))
        log.info("test schedule %s created", schedule_id)
    except ScheduleAlreadyRunningError:

        async def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=wanted)

        await client.get_schedule_handle(schedule_id).update(replace, rpc_timeout=timedelta(seconds=10))
        log.info("test schedule %s replaced", schedule_id)
    view = await describe_test_schedule(client, task_queue, api_id)
    assert view is not None
    return view


async def describe_test_schedule(client: Client, task_queue: str, api_id: str) -> dict[str, Any] | None:
    """The API's schedule as the gateway shows it (paused here too when ops paused it in the Web
    UI), with its next firings; None when it has none."""
    schedule_id = test_schedule_id(task_queue, api_id)
    try:
        described = await client.get_schedule_handle(schedule_id).describe(rpc_timeout=timedelta(seconds=10))
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    schedule = described.schedule
    action = schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    (run,) = await client.data_converter.decode(list(action.args), [ScheduledRun])
    calendars = schedule.spec.calendars
    return {
        "apiId": api_id,
        "cron": calendars[0].comment if calendars and calendars[0].comment else "",
        "timeZone": schedule.spec.time_zone_name or "UTC",
        "environment": run.environment,
        "paused": schedule.state.paused,
        "note": schedule.state.note or None,
        "nextRuns": [moment.isoformat() for moment in described.info.next_action_times[:5]],
        "lastRuns": [
            action.started_at.isoformat()
            for action in described.info.recent_actions[-5:]
            if action.started_at is not None
        ],
        "scheduleId": schedule_id,
    }


async def delete_test_schedule(client: Client, task_queue: str, api_id: str) -> bool:
    """Deletes the API's schedule; False when it had none. Runs it started are left alone."""
    try:
        await client.get_schedule_handle(test_schedule_id(task_queue, api_id)).delete(rpc_timeout=timedelta(seconds=10))
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True
