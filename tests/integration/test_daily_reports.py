"""Daily analytics reports: kept in the table (moto's DynamoDB) and listed newest first; and
ApiAnalyticsWorkflow run by the API's own schedule on the real Temporal dev server, reporting every
complete day since the API's first call once, visible by its ApiId."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest
from temporalio.client import Client, ScheduleActionStartWorkflow

from devportal import wiring
from devportal.adapters.registry import DynamoRegistry
from devportal.adapters.reports import DynamoReportStore
from devportal.analytics.daily import last_complete_day, start_of
from devportal.registry.models import ApiVersionRecord
from events.analytics import ApiDailyReportPublished, ApiUsageRecorded, UsageRecord
from events.parsing import parse_event
from temporal_bridge.reports import AnalyticsResult, ApiAnalyticsWorkflow
from temporal_bridge.schedules import ensure_report_schedule, report_schedule_id, trigger_now
from temporal_bridge.search import API_ID
from temporal_bridge.worker import build_analytics_worker
from tests.support.aws import AwsWorld


def a_report(api_id: str, day: str, calls: int = 3) -> dict[str, Any]:
    return {
        "apiId": api_id, "day": day, "owner": "pets", "generatedAt": f"{day}T23:59:00Z", "headline": f"{calls} calls",
        "highlights": ["x" * 2000] * 50,  # a long report: kept compressed
        "alerts": [{"alertId": "a"}],
        "usage": {"totals": {"calls": calls, "errorRate": 0.125, "latencyMs": {"p99": 12.5}}},
    }  # fmt: skip


def test_reports_are_kept_by_day_replaced_when_made_again_and_listed_newest_first(aws: AwsWorld) -> None:
    store = DynamoReportStore(aws.names.table, aws.client("dynamodb"))
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    for day in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"):
        store.put(a_report(api_id, day))
    store.put(a_report(api_id, "2026-12-02", calls=9))  # the day made again (late usage)
    store.put(a_report(f"{api_id}-other", "2026-12-04"))

    assert store.get(api_id, date(2026, 12, 2)) == a_report(api_id, "2026-12-02", calls=9)
    assert store.get(api_id, date(2026, 12, 4)) is None
    first = store.page(api_id, limit=2)
    assert first.reports == [
        {"day": "2026-12-03", "generatedAt": "2026-12-03T23:59:00Z", "headline": "3 calls", "calls": 3,
         "errorRate": 0.125, "p99Ms": 12.5, "alerts": 1},
        {"day": "2026-12-02", "generatedAt": "2026-12-02T23:59:00Z", "headline": "9 calls", "calls": 9,
         "errorRate": 0.125, "p99Ms": 12.5, "alerts": 1},
    ]  # fmt: skip
    assert first.next_day == date(2026, 12, 2)
    rest = store.page(api_id, limit=2, before=first.next_day)
    assert [r["day"] for r in rest.reports] == ["2026-12-01", "2026-11-30"]
    assert store.page(api_id, limit=2, before=rest.next_day or date(2026, 11, 30)).reports == []
    # the whole report is stored compressed, far under DynamoDB's 400 KB
    raw = aws.client("dynamodb").get_item(
        TableName=aws.names.table, Key={"PK": {"S": f"REPORT#{api_id}"}, "SK": {"S": "DAY#2026-12-02"}}
    )["Item"]
    assert len(raw["report"]["B"]) < len(orjson.dumps(a_report(api_id, "2026-12-02"))) / 20
    assert int(raw["expiresAt"]["N"]) > time.time() + 399 * 86400


def test_the_catalog_keeps_the_newest_report_of_an_api(aws: AwsWorld) -> None:
    registry = DynamoRegistry(aws.names.table, aws.client("dynamodb"))
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    assert registry.note_report(api_id, date(2026, 12, 3), "not cataloged") is False
    record = ApiVersionRecord(api_id, "1.0.0", "Pets", "pets", "a" * 64, "k", "n", "d", "3.1.0", 1, "sub-1",
                              datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    registry.store_version(record)
    registry.add_to_catalog(record)
    assert registry.note_report(api_id, date(2026, 12, 3), "the 3rd") is True
    assert registry.note_report(api_id, date(2026, 12, 2), "the 2nd, late") is False
    assert registry.note_report(api_id, date(2026, 12, 3), "the 3rd, made again") is True
    entry = registry.get_catalog_entry(api_id)
    assert entry is not None
    assert entry.last_report == (date(2026, 12, 3), "the 3rd, made again")


def register(api_id: str) -> None:
    """An API of team pets in the catalog, with its spec where the aggregator reads operations."""
    root = wiring.portal()
    spec = {"paths": {"/pets": {"get": {"operationId": "listPets", "responses": {"200": {}}}}}}
    root.specs.put(f"normalized/{api_id}.json", orjson.dumps(spec), "application/json")
    record = ApiVersionRecord(api_id, "1.0.0", "Pets", "pets", "a" * 64, "raw", f"normalized/{api_id}.json", "d",
                              "3.1.0", 1, "sub-1", datetime.now(UTC) - timedelta(days=10))  # fmt: skip
    root.registry.store_version(record)
    root.registry.add_to_catalog(record)


def usage(api_id: str, day: date, calls: int, batch: str) -> None:
    records = [
        UsageRecord(api_id=api_id, version="1.0.0", operation_id="listPets", status=500 if n % 10 == 0 else 200,
                    latency_ms=20.0 + n % 7, timestamp=start_of(day) + timedelta(hours=9, seconds=n * 30),
                    consumer_id=f"client-{n % 3}")
        for n in range(calls)
    ]  # fmt: skip
    wiring.portal().aggregate_usage(ApiUsageRecorded(batch_id=batch, publisher="pets", records=records))


async def test_the_daily_schedule_reports_each_complete_day_once(aws: AwsWorld, temporal_client: Client) -> None:
    # Given an API whose traffic started two days before the last complete one
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    task_queue = f"analytics-{uuid.uuid4().hex[:8]}"
    register(api_id)
    yesterday = last_complete_day(datetime.now(UTC), timedelta(minutes=5))
    usage(api_id, yesterday - timedelta(days=2), 40, "b-1")
    usage(api_id, yesterday, 100, "b-2")

    # When its daily schedule exists (created once, however often asked) and an operator triggers it
    assert await ensure_report_schedule(temporal_client, task_queue, api_id) is True
    assert await ensure_report_schedule(temporal_client, task_queue, api_id) is False
    schedule = temporal_client.get_schedule_handle(report_schedule_id(task_queue, api_id))
    try:
        async with build_analytics_worker(temporal_client, task_queue, wiring.portal()):
            first = await run_now(temporal_client, schedule.id)
            again = await run_now(temporal_client, schedule.id)
    finally:
        await schedule.delete()

    # Then the first run reported the three days since the first call, oldest first, and the
    # second found nothing left to do
    days = [yesterday - timedelta(days=n) for n in (2, 1, 0)]
    assert [d.day for d in first.reported] == days
    assert [d.headline for d in first.reported] == [
        "40 calls, 10.0 % answered 5xx, p99 26 ms.",
        "No calls; the day before had 40.",
        "100 calls, 10.0 % answered 5xx, p99 26 ms.",
    ]
    assert again.reported == []
    kept = wiring.portal().report_store.get(api_id, yesterday)
    assert kept is not None
    assert (kept["usage"]["totals"]["calls"], kept["comparison"]["dayBefore"]["calls"]) == (100, 0)
    # each report announced on the bus, for the catalog (and whoever else listens)
    announced = [parse_event(m["Body"]) for m in aws.drain(aws.names.queue("update-catalog"))]
    reports = [e.data for e in announced if isinstance(e.data, ApiDailyReportPublished)]
    assert sorted(r.day for r in reports if r.api_id == api_id) == days


async def run_now(client: Client, schedule_id: str) -> AnalyticsResult:
    """Trigger the schedule as an operator in the Web UI would, and wait for the run it starts."""
    started = await trigger_now(client, schedule_id)
    run = client.get_workflow_handle_for(
        ApiAnalyticsWorkflow.run, started.workflow_id, run_id=started.first_execution_run_id
    )
    result = await run.result()
    description = await run.describe()
    assert description.typed_search_attributes.get(API_ID) == schedule_id.rsplit("-report-", 1)[1]
    progress = await run.query(ApiAnalyticsWorkflow.progress)
    assert progress == {
        "step": "done",
        "day": result.reported[-1].day.isoformat() if result.reported else None,
        "daysReported": len(result.reported),
        "days": len(result.reported),
    }
    return result


async def test_an_api_counted_before_daily_reports_existed_gets_its_schedule_from_the_sweep(
    aws: AwsWorld, temporal_client: Client
) -> None:
    from temporalio.service import RPCError

    from devportal.analytics.usage import hour_of
    from temporal_bridge.health import ApiHealthWorkflow, HealthSweep

    # Given an API whose traffic was counted before daily reports existed: no report schedule
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    task_queue = f"analytics-{uuid.uuid4().hex[:8]}"
    register(api_id)
    wiring.portal().health_store.note_traffic(api_id, hour_of(datetime.now(UTC)) - timedelta(hours=30))
    schedule = temporal_client.get_schedule_handle(report_schedule_id(task_queue, api_id))
    with pytest.raises(RPCError):
        await schedule.describe()

    # When the hourly health sweep runs
    async with build_analytics_worker(temporal_client, task_queue, wiring.portal()):
        await temporal_client.execute_workflow(
            ApiHealthWorkflow.run, HealthSweep(), id=f"sweep-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
    # Then the API has its daily schedule, once: it is no longer among those without one
    try:
        action = (await schedule.describe()).schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert (action.workflow, action.task_queue) == ("ApiAnalyticsWorkflow", task_queue)
        assert api_id not in wiring.portal().health_store.reports_unscheduled(10_000)
    finally:
        await schedule.delete()
