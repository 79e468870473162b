"""The Temporal schedules of the analytics domain, created when they are first needed (the first
API with traffic) and left alone after that: ops pause, trigger or delete them in the Web UI.

  <task queue>-health    every hour at minute 7 (the hour before is complete by then, clock-skew
                         allowance included): ApiHealthWorkflow over every API with traffic
"""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)

from temporal_bridge.health import ApiHealthWorkflow, HealthSweep

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


async def ensure_health_schedule(client: Client, task_queue: str) -> bool:
    """Creates the hourly health schedule unless it exists; True when it was created now."""
    try:
        await client.create_schedule(
            health_schedule_id(task_queue), health_schedule(task_queue), rpc_timeout=timedelta(seconds=10)
        )
    except ScheduleAlreadyRunningError:
        return False
    log.info("schedule %s created", health_schedule_id(task_queue))
    return True
