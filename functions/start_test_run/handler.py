"""Consumer: TestRunRequested -> start TestOrchestrationWorkflow (temporal_bridge.starter), at
most once per run however often the event arrives."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.wiring import Portal
from events.parsing import UnknownEvent, parse_event
from events.testing import TestRunRequested
from functions.entrypoints import sqs_consumer
from temporal_bridge.starter import ensure_test_run


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, TestRunRequested):
        raise UnknownEvent(f"start-test-run does not consume {event.detail_type}")
    data, task_queue = event.data, portal.testing_task_queue
    portal.temporal.run(lambda client: ensure_test_run(client, data, task_queue))


handler = sqs_consumer(record_handler)
