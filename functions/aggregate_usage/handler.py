"""Consumer: ApiUsageRecorded -> the hours its records belong to, at API, version and operation
scope (devportal.analytics.aggregate).

Idempotent: a delivery is counted once per API-hour however often the queue hands it over; a
delivery cut off half-way counts the rest when it comes again."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.wiring import Portal
from events.analytics import ApiUsageRecorded
from events.parsing import UnknownEvent, parse_event
from functions.entrypoints import sqs_consumer

logger = Logger()


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, ApiUsageRecorded):
        raise UnknownEvent(f"aggregate-usage does not consume {event.detail_type}")
    counted = portal.aggregate_usage(event.data)
    if counted.dropped:
        logger.warning("usage records dropped", delivery=counted.delivery, dropped=counted.dropped)
    logger.info(
        "usage counted" if counted.applied.buckets else "usage already counted",
        delivery=counted.delivery,
        records=counted.records,
        buckets=counted.applied.buckets,
        already=counted.applied.already,
    )


handler = sqs_consumer(record_handler)
