"""Usage reports: series and totals as merges of stored hours, percentiles from merged sketches,
top operations and consumers, adoption per week, and queries refused with the parameter named."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from devportal.analytics.aggregate import AggregateUsage, OperationTables
from devportal.analytics.records import TimeWindow
from devportal.analytics.report import UsageReports, check_query
from devportal.errors import InvalidParameter
from devportal.registry.models import ApiVersionRecord
from events.analytics import ApiUsageRecorded, UsageRecord
from tests.support.fakes import InMemoryBlobStore, InMemoryRegistry, InMemoryUsageStore

NOW = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)  # a Friday
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)


def world() -> tuple[UsageReports, AggregateUsage]:
    registry, specs, store = InMemoryRegistry(), InMemoryBlobStore(), InMemoryUsageStore()
    for version in ("1.0.0", "2.0.0"):
        record = ApiVersionRecord(
            "shop", version, "Shop", "shop-team", "a" * 64, "raw", f"n/{version}", "d", "3.1.0", 2, "sub-1", NOW
        )
        registry.store_version(record)
        registry.add_to_catalog(record)
        specs.put(
            f"n/{version}",
            b'{"paths": {"/orders": {"get": {"operationId": "listOrders", "responses": {"200": {}}},'
            b' "post": {"operationId": "createOrder", "responses": {"201": {}}}}}}',
            "application/json",
        )
    window = TimeWindow(retention_days=90, skew_seconds=300)
    aggregate = AggregateUsage(store, OperationTables(registry, specs), window, clock=lambda: NOW)
    return UsageReports(store, registry), aggregate


def calls(aggregate: AggregateUsage, batch: str, records: list[UsageRecord]) -> None:
    for start in range(0, len(records), 500):
        aggregate(
            ApiUsageRecorded(batch_id=f"{batch}-{start}", publisher="shop-team", records=records[start : start + 500])
        )


def record(at: datetime, **overrides: object) -> UsageRecord:
    values: dict[str, object] = {
        "api_id": "shop",
        "version": "1.0.0",
        "operation_id": "listOrders",
        "status": 200,
        "latency_ms": 10.0,
        "timestamp": at,
        "consumer_id": "web",
    }
    values.update(overrides)
    return UsageRecord.model_validate(values)


def query(**given: object) -> object:
    values: dict[str, object] = {
        "start": None,
        "end": None,
        "granularity": None,
        "version": None,
        "operation": None,
        "now": NOW,
        "retention_days": 90,
    }
    values.update(given)
    return check_query("shop", **values)  # type: ignore[arg-type]


def test_a_week_by_day_merges_its_hours_and_reads_percentiles_from_the_merged_sketch() -> None:
    # Given four days of traffic with log-normal latencies, some server errors, two operations
    reports, aggregate = world()
    rng = random.Random(3)
    records = []
    latencies = []
    for i in range(4_800):
        at = MONDAY + timedelta(hours=i % 96, minutes=i % 60)
        latency = rng.lognormvariate(3, 0.8)
        latencies.append(latency)
        failing = i % 20 == 0
        records.append(
            record(
                at,
                latency_ms=latency,
                status=503 if failing else 200,
                operation_id="createOrder" if i % 4 == 0 else "listOrders",
                consumer_id=f"c-{i % 9}",
            )
        )
    calls(aggregate, "week", records)

    # When the week is reported by day
    report = reports.report(query(start=MONDAY, end=MONDAY + timedelta(days=7)))  # type: ignore[arg-type]

    # Then the series has a point per day with calls, totals add up, and p99 is within 1 % of exact
    assert [point["calls"] for point in report["series"]] == [1_200] * 4
    assert report["totals"]["calls"] == 4_800
    assert report["totals"]["serverErrors"] == 240
    assert report["totals"]["errorRate"] == 0.05
    exact = sorted(latencies)[int(0.99 * (len(latencies) - 1))]
    assert abs(report["totals"]["latencyMs"]["p99"] - exact) <= 0.01 * exact
    assert report["topOperations"][0] == {
        "operation": "listOrders",
        "calls": 3_600,
        "serverErrors": 0,
        "errorRate": 0.0,
    }
    assert report["topOperations"][1]["serverErrors"] == 240
    assert report["consumers"]["distinct"] == 9
    assert report["adoption"] == [{"weekStart": "2026-11-30T00:00:00Z", "activeConsumers": 9, "newConsumers": 9}]
    assert report["undocumented"] == [  # createOrder declares 201 only
        {"call": "createOrder 200", "calls": 960},
        {"call": "createOrder 503", "calls": 240},
    ]


def test_an_operation_without_a_version_merges_it_across_versions() -> None:
    reports, aggregate = world()
    calls(
        aggregate,
        "v",
        [
            record(NOW - timedelta(hours=1)),
            record(NOW - timedelta(hours=1), version="2.0.0"),
            record(NOW - timedelta(hours=1), operation_id="createOrder", status=201),
        ],
    )

    both = reports.report(query(operation="listOrders", granularity="hour", start=NOW - timedelta(hours=3)))  # type: ignore[arg-type]
    one = reports.report(query(operation="listOrders", version="2.0.0", start=NOW - timedelta(hours=3)))  # type: ignore[arg-type]

    assert both["totals"]["calls"] == 2
    assert one["totals"]["calls"] == 1
    assert [p["start"] for p in both["series"]] == ["2026-12-04T11:00:00Z"]


def test_new_consumers_count_in_the_week_of_their_first_call_ever() -> None:
    reports, aggregate = world()
    calls(aggregate, "a", [record(MONDAY - timedelta(days=7), consumer_id="old")])
    calls(aggregate, "b", [record(MONDAY + timedelta(days=1), consumer_id="old"), record(MONDAY, consumer_id="new")])

    report = reports.report(query(start=MONDAY - timedelta(days=7), end=MONDAY + timedelta(days=7)))  # type: ignore[arg-type]

    assert report["adoption"] == [
        {"weekStart": "2026-11-23T00:00:00Z", "activeConsumers": 1, "newConsumers": 1},
        {"weekStart": "2026-11-30T00:00:00Z", "activeConsumers": 2, "newConsumers": 1},
    ]


@pytest.mark.parametrize(
    ("given", "parameter"),
    [
        ({"start": NOW, "end": NOW - timedelta(hours=1)}, "from"),
        ({"end": NOW - timedelta(days=100)}, "to"),
        ({"granularity": "minute"}, "granularity"),
        ({"granularity": "hour", "start": NOW - timedelta(days=60)}, "granularity"),
        ({"version": "not a version"}, "version"),
        ({"operation": "x" * 257}, "operationId"),
    ],
)
def test_a_query_that_cannot_be_answered_names_its_parameter(given: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        query(**given)

    assert refused.value.errors[0].parameter == parameter


def test_by_default_a_report_is_the_last_seven_days_by_day() -> None:
    checked = query()

    assert (checked.start, checked.end, checked.granularity) == (NOW - timedelta(days=7), NOW, "day")  # type: ignore[attr-defined]


def test_whole_days_read_as_days_give_the_figures_their_hours_give() -> None:
    # Given three days of calls, and a period that starts and ends inside a day
    reports, aggregate = world()
    rng = random.Random(11)
    records = [
        record(MONDAY + timedelta(minutes=17 * i), latency_ms=rng.lognormvariate(3, 1), status=200 if i % 9 else 500)
        for i in range(250)
    ]
    calls(aggregate, "days", records)
    start, end = MONDAY + timedelta(hours=5, minutes=30), MONDAY + timedelta(days=2, hours=20)

    # When it is reported by day (whole days read as days) and by hour (all hours read)
    by_day = reports.report(query(start=start, end=end, granularity="day"))  # type: ignore[arg-type]
    by_hour = reports.report(query(start=start, end=end, granularity="hour"))  # type: ignore[arg-type]

    # Then both say the same
    assert by_day["totals"] == by_hour["totals"]
    assert [p["calls"] for p in by_day["series"]] == [
        sum(p["calls"] for p in by_hour["series"] if p["start"].startswith(day["start"][:10]))
        for day in by_day["series"]
    ]


def test_a_team_overview_ranks_its_apis_by_calls() -> None:
    reports, aggregate = world()
    quiet = ApiVersionRecord(
        "tiny", "1.0.0", "Tiny", "shop-team", "b" * 64, "raw", "n/1.0.0", "d", "3.1.0", 2, "s", NOW
    )
    registry = reports._registry
    registry.store_version(quiet)
    registry.add_to_catalog(quiet)
    registry.note_health("tiny", "error-rate", "degraded", NOW - timedelta(hours=2))
    at = NOW - timedelta(hours=3)
    calls(aggregate, "shop", [record(at, status=500 if n < 3 else 200) for n in range(30)])
    calls(aggregate, "tiny", [record(at, api_id="tiny") for _ in range(5)])
    overview = reports.team("shop-team", NOW - timedelta(days=7), NOW)
    assert [api["apiId"] for api in overview["apis"]] == ["shop", "tiny"]
    shop, tiny = overview["apis"]
    assert (shop["calls"], shop["serverErrors"], shop["errorRate"], shop["consumers"]) == (30, 3, 0.1, 1)
    assert shop["latencyMs"]["p50"] == pytest.approx(10.0, rel=0.01)
    assert (tiny["health"], tiny["degradedRules"]) == ("degraded", ["error-rate"])
    assert overview["totals"] == {"apis": 2, "calls": 35, "serverErrors": 3, "errorRate": 0.085714, "degraded": 1}
    assert overview["truncated"] is False
    assert reports.team("nobody", NOW - timedelta(days=7), NOW)["apis"] == []
