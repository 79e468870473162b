"""Consumer: ApiVersionRegistered -> the API's search document (names, title, description, tags and
every operation's method, path, summary and operationId), when the version is its newest;
ApiVersionLifecycleChanged -> the same, with the version's status as it is now (a draft made
active is indexed then; drafts are not searchable).

Idempotent: the same version and status again, or an older version registered late, changes
nothing; the status is read from the version record, so events out of order end on the last."""

from __future__ import annotations

import orjson
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.search.documents import document_for
from devportal.search.live import index_latest
from devportal.wiring import Portal
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiVersionLifecycleChanged, ApiVersionRegistered
from functions.entrypoints import sqs_consumer

logger = Logger()


class VersionNotStored(RuntimeError):
    """The event names a version the table does not hold (yet): retried, then dead-lettered."""


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if not isinstance(event.data, ApiVersionRegistered | ApiVersionLifecycleChanged):
        raise UnknownEvent(f"index-catalog does not consume {event.detail_type}")
    registered = event.data
    stored = portal.registry.get_version(registered.api_id, registered.version)
    if stored is None:
        raise VersionNotStored(f"{registered.api_id} {registered.version}")
    if stored.status == "draft":
        logger.info("draft not indexed", api_id=stored.api_id, version=stored.version)
        return
    spec = orjson.loads(portal.specs.get(stored.normalized_key))
    document = document_for(
        api_id=stored.api_id,
        version=stored.version,
        title=stored.title,
        owner=stored.owner,
        status=stored.status,
        sha256=stored.sha256,
        updated_at=stored.registered_at,
        spec=spec,
    )
    written = index_latest(portal.search_documents, document)
    logger.info(
        "search index updated" if written else "search index already current",
        api_id=stored.api_id,
        version=stored.version,
        operations=len(document.operations),
    )


handler = sqs_consumer(record_handler)
