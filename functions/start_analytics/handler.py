"""Consumer: ApiTrafficStarted -> the analytics schedules in Temporal (temporal_bridge.schedules):
the hourly health sweep over every API with traffic. Idempotent: a schedule that exists is left
as it is (paused, triggered or edited by ops in the Web UI)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.wiring import Portal
from events.analytics import ApiTrafficStarted
from events.parsing import UnknownEvent, parse_event
from functions.entrypoints import sqs_consumer
from temporal_bridge.schedules import ensure_health_schedule, health_schedule_id

logger = Logger()


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, ApiTrafficStarted):
        raise UnknownEvent(f"start-analytics does not consume {event.detail_type}")
    task_queue = portal.analytics_task_queue
    created = portal.temporal.run(lambda client: ensure_health_schedule(client, task_queue))
    logger.info(
        "health schedule created" if created else "health schedule already there",
        schedule=health_schedule_id(task_queue),
        api_id=event.data.api_id,
    )


handler = sqs_consumer(record_handler)
