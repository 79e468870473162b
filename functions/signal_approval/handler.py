"""Consumer: ApiApprovalDecided -> the `decide` signal of the version's registration workflow.

Idempotent: the workflow takes the first decision; a redelivered event, or one for a workflow that
has closed (decided before, or its deadline passed), changes nothing."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.registry.approval import Decision
from devportal.wiring import Portal
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiApprovalDecided
from functions.entrypoints import sqs_consumer
from temporal_bridge.starter import signal_decision

logger = Logger()


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    data = event.data
    if not isinstance(data, ApiApprovalDecided):
        raise UnknownEvent(f"signal-approval does not consume {event.detail_type}")
    decision = Decision(approved=data.approved, by=data.decided_by, reason=data.reason, at=data.decided_at)
    told = portal.temporal.run(lambda client: signal_decision(client, data.workflow_id, decision))
    logger.info("decision signalled" if told else "workflow closed already", workflow_id=data.workflow_id)


handler = sqs_consumer(record_handler)
