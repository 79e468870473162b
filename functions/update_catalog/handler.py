"""Consumer: ApiVersionRegistered, and ApiVersionLifecycleChanged (a draft made active) -> the API's
catalog entry (owner, latest version, versions; drafts stay out until they are active);
ApiHealthDegraded / ApiHealthRecovered -> its health, per rule; ApiDailyReportPublished -> its
newest daily report.

Idempotent: versions are a set and `latestVersion` only moves forward; a rule's health is only
replaced by a decision about the same or a later hour, and the newest report by one of the same or
a later day, so events arriving out of order (a recovery before its degradation) leave the latest
decision standing."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.wiring import Portal
from events.analytics import ApiDailyReportPublished, ApiHealthDegraded, ApiHealthRecovered
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiVersionLifecycleChanged, ApiVersionRegistered
from events.testing import TestRunCompleted
from functions.entrypoints import sqs_consumer

logger = Logger()


class VersionNotStored(RuntimeError):
    """The event names a version the table does not hold (yet): retried, then dead-lettered."""


def record_handler(record: SQSRecord, portal: Portal) -> None:
    event = parse_event(record.body)
    if isinstance(event.data, ApiHealthDegraded | ApiHealthRecovered):
        health = event.data
        status = "degraded" if isinstance(health, ApiHealthDegraded) else "healthy"
        noted = portal.registry.note_health(health.api_id, health.rule, status, health.hour)
        logger.info(
            "catalog health noted" if noted else "catalog health already later",
            api_id=health.api_id,
            rule=health.rule,
            status=status,
        )
        return
    if isinstance(event.data, ApiDailyReportPublished):
        report = event.data
        noted = portal.registry.note_report(report.api_id, report.day, report.headline)
        logger.info(
            "catalog report noted" if noted else "catalog report already later", api_id=report.api_id, day=report.day
        )
        return
    if isinstance(event.data, TestRunCompleted):
        run = event.data
        brief = {
            "runId": run.run_id,
            "version": run.version,
            "outcome": run.outcome,
            "score": run.score,
            "operationCoverage": run.operation_coverage,
            "finishedAt": run.finished_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "summary": run.summary,
        }
        noted = portal.registry.note_test_run(run.api_id, {k: v for k, v in brief.items() if v is not None})
        logger.info("catalog test run noted" if noted else "catalog test run already later", api_id=run.api_id)
        return
    if not isinstance(event.data, ApiVersionRegistered | ApiVersionLifecycleChanged):
        raise UnknownEvent(f"update-catalog does not consume {event.detail_type}")
    stored = portal.registry.get_version(event.data.api_id, event.data.version)
    if stored is None:
        raise VersionNotStored(f"{event.data.api_id} {event.data.version}")
    if stored.status == "draft":  # not offered yet: it joins the catalog when its team makes it active
        logger.info("draft not cataloged", api_id=stored.api_id, version=stored.version)
        return
    entry = portal.registry.add_to_catalog(stored)
    logger.info("catalog updated", api_id=entry.api_id, latest=entry.latest_version)


handler = sqs_consumer(record_handler)
