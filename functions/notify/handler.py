"""Consumer: every event a team can subscribe to -> a delivery per subscription that wants it,
each an execution of the notify state machine named after (event, subscription), so an event
delivered twice starts one. A failed delivery redriven from the failed-deliveries queue carries its
subscription (message attribute `subscription`) and is delivered again to that one only."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.wiring import Portal
from functions.entrypoints import sqs_consumer

logger = Logger()

SUBSCRIPTION_ATTRIBUTE = "subscription"


def record_handler(record: SQSRecord, portal: Portal) -> None:
    attributes = record.raw_event.get("messageAttributes") or {}  # as Lambda hands them over
    only = (attributes.get(SUBSCRIPTION_ATTRIBUTE) or {}).get("stringValue")
    noticed = portal.notify.handle(record.body, only)
    logger.info(
        "notified", started=noticed.started, known=noticed.known, digested=noticed.digested, redriven=only is not None
    )


handler = sqs_consumer(record_handler)
