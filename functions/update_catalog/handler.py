"""Consumer: ApiVersionRegistered -> the API's catalog entry (owner, latest version, versions).

Idempotent: versions are a set and `latestVersion` only moves forward."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal import wiring
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiVersionRegistered

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


class VersionNotStored(RuntimeError):
    """The event names a version the table does not hold (yet): retried, then dead-lettered."""


def record_handler(record: SQSRecord) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, ApiVersionRegistered):
        raise UnknownEvent(f"update-catalog does not consume {event.detail_type}")
    stored = wiring.registry().get_version(event.data.api_id, event.data.version)
    if stored is None:
        raise VersionNotStored(f"{event.data.api_id} {event.data.version}")
    entry = wiring.registry().add_to_catalog(stored)
    logger.info("catalog updated", api_id=entry.api_id, latest=entry.latest_version)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
