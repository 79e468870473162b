"""Consumer: ApiVersionLifecycleChanged -> the version's documentation page marked with its status
as the version record has it now (devportal.docs.render.with_lifecycle): a draft, deprecated with
its sunset, retired; an active version unmarked.

Idempotent and order-proof: the mark is the record's current status, replacing any earlier mark,
and the page is written only when it changes."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.docs.render import with_lifecycle
from devportal.wiring import Portal
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiVersionLifecycleChanged
from functions.entrypoints import sqs_consumer

logger = Logger()


class VersionNotStored(RuntimeError):
    """The event names a version the table does not hold: retried, then dead-lettered."""


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, ApiVersionLifecycleChanged):
        raise UnknownEvent(f"mark-docs does not consume {event.detail_type}")
    stored = portal.registry.get_version(event.data.api_id, event.data.version)
    if stored is None:
        raise VersionNotStored(f"{event.data.api_id} {event.data.version}")
    page = portal.docs.get(stored.docs_key).decode("utf-8")
    marked = with_lifecycle(page, stored.status, stored.sunset)
    if marked == page:
        logger.info("docs already marked", api_id=stored.api_id, version=stored.version, status=stored.status)
        return
    portal.docs.put(stored.docs_key, marked.encode("utf-8"), "text/html; charset=utf-8")
    logger.info("docs marked", api_id=stored.api_id, version=stored.version, status=stored.status)


handler = sqs_consumer(record_handler)
