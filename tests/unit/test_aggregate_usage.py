"""The aggregator: a delivery counted once into the hours its records belong to, and records the
gateway would have refused dropped when a service put them on the bus itself."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import orjson

from devportal.analytics.aggregate import AggregateUsage, OperationTables
from devportal.analytics.records import TimeWindow
from devportal.analytics.usage import Bucket
from devportal.registry.models import ApiVersionRecord
from events.analytics import ApiUsageRecorded, UsageRecord
from tests.support.fakes import InMemoryBlobStore, InMemoryRegistry, InMemoryUsageStore

NOW = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
NOON = datetime(2026, 12, 4, 12, tzinfo=UTC)
SPEC = {"openapi": "3.1.0", "paths": {"/pets/{id}": {"get": {"operationId": "getPet", "responses": {"200": {}}}}}}


def world() -> tuple[AggregateUsage, InMemoryUsageStore, InMemoryRegistry, InMemoryBlobStore]:
    registry, specs, store = InMemoryRegistry(), InMemoryBlobStore(), InMemoryUsageStore()
    record = ApiVersionRecord(
        "pets", "1.0.0", "Pets", "pets-team", "a" * 64, "raw", "normalized/pets", "docs", "3.1.0", 1, "sub-1", NOW
    )
    registry.store_version(record)
    registry.add_to_catalog(record)
    specs.put("normalized/pets", orjson.dumps(SPEC), "application/json")
    tables = OperationTables(registry, specs)
    aggregate = AggregateUsage(store, tables, TimeWindow(retention_days=90, skew_seconds=300), clock=lambda: NOW)
    return aggregate, store, registry, specs


def call(**overrides: object) -> UsageRecord:
    values: dict[str, object] = {
        "api_id": "pets",
        "version": "1.0.0",
        "method": "get",
        "path": "/pets/7",
        "status": 200,
        "latency_ms": 20.0,
        "timestamp": NOON + timedelta(minutes=5),
        "consumer_id": "web",
    }
    values.update(overrides)
    return UsageRecord.model_validate(values)


def test_a_delivery_counts_once_however_often_it_arrives() -> None:
    aggregate, store, _, _ = world()
    event = ApiUsageRecorded(batch_id="b-1", publisher="pets-team", records=[call() for _ in range(10)])

    first = aggregate(event)
    again = aggregate(event)

    # the hour at three scopes, and the day of the API and of the version
    assert (first.delivery, first.records, first.applied.buckets) == ("pets-team/b-1/0", 10, 5)
    assert again.applied.already == 5
    usage = store.hours[Bucket("pets", "O#1.0.0#getPet", NOON)]
    assert usage.calls == 10
    assert usage.undocumented == {}


def test_records_the_gateway_would_refuse_are_dropped_and_counted() -> None:
    aggregate, store, _, _ = world()
    event = ApiUsageRecorded(
        batch_id="b-2",
        publisher="pets-team",
        records=[
            call(),
            call(api_id="unknown-api"),
            call(version="9.9.9"),
            call(timestamp=NOW - timedelta(days=91)),
            call(timestamp=NOW + timedelta(hours=1)),
        ],
    )

    counted = aggregate(event)

    assert counted.records == 1
    assert counted.dropped == {
        "API not in the catalog": 1,
        "version not registered": 1,
        "outside the time window": 2,
    }
    assert store.hours[Bucket("pets", "ALL", NOON)].calls == 1


def test_a_team_cannot_count_usage_into_another_teams_api() -> None:
    aggregate, store, _, _ = world()

    counted = aggregate(ApiUsageRecorded(batch_id="b-3", publisher="intruders", records=[call()]))

    assert counted.dropped == {"API owned by another team": 1}
    assert store.hours == {}


def test_a_version_registered_after_a_miss_is_found() -> None:
    # Given a record for a version not yet registered
    aggregate, store, registry, specs = world()
    assert aggregate(ApiUsageRecorded(batch_id="b-4", publisher="pets-team", records=[call(version="2.0.0")])).dropped

    # When the version is registered and the next delivery names it
    registry.store_version(
        ApiVersionRecord(
            "pets", "2.0.0", "Pets", "pets-team", "b" * 64, "raw2", "normalized/pets2", "docs", "3.1.0", 1, "sub-2", NOW
        )
    )
    specs.put("normalized/pets2", orjson.dumps(SPEC), "application/json")
    counted = aggregate(ApiUsageRecorded(batch_id="b-5", publisher="pets-team", records=[call(version="2.0.0")]))

    # Then it counts
    assert counted.records == 1
    assert store.hours[Bucket("pets", "V#2.0.0", NOON)].calls == 1


class NotingStore(InMemoryUsageStore):
    """Keeps every first-call write it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[dict[str, datetime]] = []

    def note_first_seen(self, api_id: str, consumers: Mapping[str, datetime]) -> None:
        self.writes.append(dict(consumers))
        super().note_first_seen(api_id, consumers)


def test_a_consumers_first_call_is_kept_to_the_hour_and_written_only_when_earlier() -> None:
    # Given a consumer first seen at 12:40 by this aggregator
    aggregate, _, registry, specs = world()
    store = NotingStore()
    aggregate = AggregateUsage(store, OperationTables(registry, specs), TimeWindow(90, 300), clock=lambda: NOW)

    def deliver(batch: str, at: datetime) -> None:
        aggregate(ApiUsageRecorded(batch_id=batch, publisher="pets-team", records=[call(timestamp=at)]))

    deliver("b-1", NOON + timedelta(minutes=40))
    # When calls of the same hour come, earlier by minutes, then one of an earlier hour
    deliver("b-2", NOON + timedelta(minutes=2))
    deliver("b-3", NOON - timedelta(minutes=30))

    # Then the hour is written twice: at first, and when an earlier hour came
    assert store.writes == [{"web": NOON}, {"web": NOON - timedelta(hours=1)}]
    assert store.first_seen("pets") == {"web": NOON - timedelta(hours=1)}
