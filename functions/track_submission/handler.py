"""Consumer: ApiVersionRegistered / ApiRegistrationRejected -> the submission's outcome;
ApiApprovalRequested -> the submission waits at step awaiting-approval.

Idempotent: a submission moves to a terminal state once; a redelivered event finds it there (and a
step is not recorded on a finished submission)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.registry.models import RegistrationStep, SubmissionStatus
from devportal.specs.validation import Finding
from devportal.wiring import Portal
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiApprovalRequested, ApiRegistrationRejected, ApiVersionRegistered
from functions.entrypoints import sqs_consumer

logger = Logger()


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    data = event.data
    if isinstance(data, ApiVersionRegistered):
        changed = portal.registry.record_outcome(
            data.submission_id,
            SubmissionStatus.REGISTERED,
            reason=None,
            findings=(),
            findings_truncated=False,
        )
    elif isinstance(data, ApiRegistrationRejected):
        changed = portal.registry.record_outcome(
            data.submission_id,
            SubmissionStatus.REJECTED,
            reason=data.reason,
            findings=[Finding(f.pointer, f.message, f.rule, f.severity) for f in data.findings],
            findings_truncated=data.findings_truncated,
        )
    elif isinstance(data, ApiApprovalRequested):
        portal.registry.record_step(data.submission_id, RegistrationStep.AWAITING_APPROVAL)
        changed = True
    else:
        raise UnknownEvent(f"track-submission does not consume {event.detail_type}")
    logger.info("submission outcome", submission_id=data.submission_id, event=event.detail_type, changed=changed)


handler = sqs_consumer(record_handler)
