"""POST /usage's use case: records refused one by one, the rest published in parts an event can
carry, the same parts again on a retry, and nothing lost when the bus is down."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from devportal.analytics.aggregate import OperationTables
from devportal.analytics.ingest import MAX_BATCH_BYTES, MAX_PART_BYTES, RecordUsage
from devportal.analytics.records import TimeWindow
from devportal.errors import DependencyUnavailable, InvalidUsageBatch, UsageBatchTooLarge
from devportal.registry.models import ApiVersionRecord
from events.analytics import ApiUsageRecorded
from tests.support.fakes import InMemoryBlobStore, InMemoryRegistry, RecordingPublisher

NOW = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
SPEC = {"openapi": "3.1.0", "paths": {"/pets": {"get": {"operationId": "listPets", "responses": {"200": {}}}}}}


def use_case(publisher: RecordingPublisher) -> RecordUsage:
    registry, specs = InMemoryRegistry(), InMemoryBlobStore()
    version = ApiVersionRecord(
        "pets", "1.0.0", "Pets", "pets-team", "a" * 64, "raw", "normalized/pets", "docs", "3.1.0", 1, "sub-1", NOW
    )
    registry.store_version(version)
    registry.add_to_catalog(version)
    specs.put("normalized/pets", orjson.dumps(SPEC), "application/json")
    window = TimeWindow(retention_days=90, skew_seconds=300)
    return RecordUsage(OperationTables(registry, specs), publisher, window, clock=lambda: NOW)


def record(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "apiId": "pets",
        "version": "1.0.0",
        "method": "GET",
        "path": "/pets",
        "status": 200,
        "latencyMs": 3,
        "timestamp": "2026-12-04T12:10:00Z",
        "consumerId": "web",
    }
    return {**values, **overrides}


def body(*records: dict[str, Any], batch_id: str = "b-1") -> bytes:
    return orjson.dumps({"batchId": batch_id, "records": list(records)})


def test_records_of_other_teams_apis_and_unknown_versions_are_refused_by_index() -> None:
    publisher = RecordingPublisher()

    recorded = use_case(publisher)(
        body(record(), record(apiId="ghost"), record(version="2.0.0"), record(status=99)),
        team="pets-team",
        correlation_id="c-1",
    )

    assert recorded.accepted == 1
    assert [(r.index, r.pointer) for r in recorded.refused] == [
        (1, "/records/1/apiId"),
        (2, "/records/2/version"),
        (3, "/records/3/status"),
    ]
    assert recorded.refused[1].detail == "record 2: API `pets` has no registered version `2.0.0`"
    ((event,),) = [[e.data for e in publisher.published]]
    assert isinstance(event, ApiUsageRecorded)
    assert (event.batch_id, event.part, event.publisher, event.records[0].method) == ("b-1", 0, "pets-team", "get")


def test_a_key_of_another_team_counts_nothing() -> None:
    publisher = RecordingPublisher()

    with pytest.raises(InvalidUsageBatch) as refused:
        use_case(publisher)(body(record(), record()), team="intruders", correlation_id="c-2")

    assert [e.pointer for e in refused.value.errors] == ["/records/0/apiId", "/records/1/apiId"]
    assert (
        "belongs to team pets-team; a key of team intruders cannot publish its usage" in refused.value.errors[0].detail
    )
    assert publisher.published == []


def test_a_large_batch_travels_in_parts_and_a_retry_makes_the_same_parts() -> None:
    # Given 500 records with long paths: more than one event can carry
    publisher = RecordingPublisher()
    records = [record(path=f"/pets?q={'x' * 350}{i}") for i in range(500)]
    payload = body(*records)
    assert len(payload) <= MAX_BATCH_BYTES

    # When the batch is sent twice
    first = use_case(publisher)(payload, team="pets-team", correlation_id="c-3")
    second = use_case(publisher)(payload, team="pets-team", correlation_id="c-3")

    # Then each part is under the event size, and the parts are the same both times
    assert first.parts == second.parts > 1
    parts = [event.data for event in publisher.published]
    assert all(len(orjson.dumps(part.to_wire())) < MAX_PART_BYTES + 2048 for part in parts)
    assert parts[: first.parts] == parts[first.parts :]
    assert sum(len(part.records) for part in parts[: first.parts]) == 500


def test_a_bus_that_is_down_is_a_503_to_retry() -> None:
    with pytest.raises(DependencyUnavailable) as unavailable:
        use_case(RecordingPublisher(failures=1))(body(record()), team="pets-team", correlation_id="c-4")

    assert "same batchId" in unavailable.value.detail


@pytest.mark.parametrize(
    ("payload", "error"),
    [(b"{", InvalidUsageBatch), (b"[]", InvalidUsageBatch), (b" " * (MAX_BATCH_BYTES + 1), UsageBatchTooLarge)],
)
def test_a_body_that_is_no_batch_is_refused_whole(payload: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        use_case(RecordingPublisher())(payload, team="pets-team", correlation_id="c-5")
