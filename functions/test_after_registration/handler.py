"""Consumer: ApiVersionRegistered -> a contract test run of the new version, when its API's team
turned on `runAfterRegistration` and the spec declares an absolute server URL. The run id comes
from the submission: a redelivered event asks for the same run, which exists, and nothing more."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.errors import TargetRefused
from devportal.testing.runs import RunRequest, run_id_for
from devportal.wiring import Portal
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiVersionRegistered
from functions.entrypoints import sqs_consumer

logger = Logger()


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, ApiVersionRegistered):
        raise UnknownEvent(f"test-after-registration does not consume {event.detail_type}")
    data = event.data
    if not portal.test_runs.settings(data.api_id).run_after_registration:
        return
    try:
        run, created = portal.request_test_run(
            RunRequest(
                api_id=data.api_id,
                version=data.version,
                trigger="registration",
                requested_by=f"registration:{data.submission_id}",
                run_id=run_id_for("registration", data.submission_id),
                correlation_id=event.metadata.correlation_id,
            )
        )
    except TargetRefused as refused:  # no declared base URL, or one tests may not reach: nothing to run
        logger.info("no test run after registration", api_id=data.api_id, version=data.version, why=refused.detail)
        return
    logger.info("test run after registration", run_id=run["runId"], api_id=data.api_id, new_run=created)


handler = sqs_consumer(record_handler)
