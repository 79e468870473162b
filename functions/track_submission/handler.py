"""Consumer: ApiVersionRegistered / ApiRegistrationRejected -> the submission's outcome.

Idempotent: a submission moves to a terminal state once; a redelivered event finds it there."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal import wiring
from devportal.registry.models import SubmissionStatus
from devportal.specs.validation import Finding
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiRegistrationRejected, ApiVersionRegistered

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = parse_event(record.body)
    data = event.data
    if isinstance(data, ApiVersionRegistered):
        changed = wiring.registry().record_outcome(
            data.submission_id,
            SubmissionStatus.REGISTERED,
            reason=None,
            findings=(),
            findings_truncated=False,
        )
    elif isinstance(data, ApiRegistrationRejected):
        changed = wiring.registry().record_outcome(
            data.submission_id,
            SubmissionStatus.REJECTED,
            reason=data.reason,
            findings=[Finding(f.pointer, f.message, f.rule, f.severity) for f in data.findings],
            findings_truncated=data.findings_truncated,
        )
    else:
        raise UnknownEvent(f"track-submission does not consume {event.detail_type}")
    logger.info("submission outcome", submission_id=data.submission_id, event=event.detail_type, changed=changed)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
