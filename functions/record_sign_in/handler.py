"""Consumer: UserSignedIn -> the user's profile `lastLogin`.

Idempotent: lastLogin only moves forward, so a redelivered or late event changes nothing."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.wiring import Portal
from events.identity import UserSignedIn
from events.parsing import UnknownEvent, parse_event
from functions.entrypoints import sqs_consumer

logger = Logger()


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, UserSignedIn):
        raise UnknownEvent(f"record-sign-in does not consume {event.detail_type}")
    moved = portal.profiles.record_sign_in(event.data.user_id, event.data.signed_in_at)
    logger.info("sign-in recorded" if moved else "sign-in already recorded", user_id=event.data.user_id)


handler = sqs_consumer(record_handler)
