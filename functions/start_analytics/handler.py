"""Consumer: ApiTrafficStarted -> the analytics schedules in Temporal (temporal_bridge.schedules):
the hourly health sweep over every API with traffic, and the API's own daily report. Idempotent:
a schedule that exists is left as it is (paused, triggered or edited by ops in the Web UI)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from temporalio.client import Client

from devportal.wiring import Portal
from events.analytics import ApiTrafficStarted
from events.parsing import UnknownEvent, parse_event
from functions.entrypoints import sqs_consumer
from temporal_bridge.schedules import (
    ensure_health_schedule,
    ensure_report_schedule,
    health_schedule_id,
    report_schedule_id,
)

logger = Logger()


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, ApiTrafficStarted):
        raise UnknownEvent(f"start-analytics does not consume {event.detail_type}")
    task_queue, api_id = portal.analytics_task_queue, event.data.api_id
    schedules = (health_schedule_id(task_queue), report_schedule_id(task_queue, api_id))

    async def ensure(client: Client) -> list[bool]:
        return [
            await ensure_health_schedule(client, task_queue),
            await ensure_report_schedule(client, task_queue, api_id),
        ]

    made = portal.temporal.run(ensure)
    logger.info(
        "analytics schedules in place",
        api_id=api_id,
        schedules_created=[s for s, now in zip(schedules, made, strict=True) if now],
        schedules_existing=[s for s, now in zip(schedules, made, strict=True) if not now],
    )


handler = sqs_consumer(record_handler)
