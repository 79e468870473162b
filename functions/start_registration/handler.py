"""Consumer: ApiSpecSubmitted -> start ApiRegistrationWorkflow (temporal_bridge.starter), at most
once per submission however often the event arrives."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.registry.models import workflow_id_for
from devportal.registry.register import Submitted
from devportal.wiring import Portal
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiSpecSubmitted
from functions.entrypoints import sqs_consumer
from temporal_bridge.starter import ensure_registration


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    data = event.data
    if not isinstance(data, ApiSpecSubmitted):
        raise UnknownEvent(f"start-registration does not consume {event.detail_type}")
    submitted = Submitted(
        submission_id=data.submission_id,
        api_id=data.api_id,
        version=data.version,
        owner=data.owner,
        spec_key=data.spec_key,
        sha256=data.sha256,
        format=data.format,
        correlation_id=event.metadata.correlation_id,
        workflow_id=workflow_id_for(data.api_id, data.version, data.submission_id),
        draft=data.draft,
    )
    task_queue = portal.registration_task_queue
    portal.temporal.run(lambda client: ensure_registration(client, submitted, task_queue))


handler = sqs_consumer(record_handler)
