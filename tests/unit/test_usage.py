"""Usage records: checked one by one, resolved to the spec's operations, folded into hours that
merge into longer periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devportal.analytics.operations import OperationTable
from devportal.analytics.records import TimeWindow, check_batch
from devportal.analytics.usage import MAX_CONSUMERS, OTHER_CONSUMERS, Bucket, Usage, fold
from devportal.errors import InvalidUsageBatch
from events.analytics import UsageRecord

NOW = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
WINDOW = TimeWindow(retention_days=90, skew_seconds=300)
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/pets": {"get": {"operationId": "listPets", "responses": {"200": {}, "4XX": {}}}},
        "/pets/{petId}": {
            "get": {"operationId": "getPet", "responses": {"200": {}, "404": {}}},
            "delete": {"responses": {"default": {}}},
        },
        "/pets/mine": {"get": {"operationId": "myPets", "responses": {"200": {}}}},
    },
}
TABLE = OperationTable.of(SPEC)


def record(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "apiId": "petstore",
        "version": "1.0.0",
        "operationId": "getPet",
        "status": 200,
        "latencyMs": 12.5,
        "timestamp": "2026-12-04T12:00:00Z",
        "consumerId": "mobile-app",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def test_a_bad_record_is_refused_by_its_index_and_the_other_records_go_on() -> None:
    # Given a batch of 500 records of which one has a status that is not a status code
    records = [record() for _ in range(500)]
    records[137] = record(status="teapot")

    # When it is checked
    checked = check_batch({"batchId": "b-1", "records": records}, now=NOW, window=WINDOW)

    # Then 499 are accepted and the bad one is named by index and pointer, in plain words
    assert len(checked.accepted) == 499
    assert [(r.index, r.pointer) for r in checked.refused] == [(137, "/records/137/status")]
    assert checked.refused[0].detail == (
        'record 137: `status` is "teapot"; expected the HTTP status code returned, an integer from 100 to 599'
    )


@pytest.mark.parametrize(
    ("overrides", "pointer", "words"),
    [
        ({"timestamp": "2026-08-01T00:00:00Z"}, "/records/0/timestamp", "older than the 90-day retention window"),
        ({"timestamp": "2026-12-04T12:40:00Z"}, "/records/0/timestamp", "more than 300 s in the future"),
        ({"timestamp": "2026-12-04T12:00:00"}, "/records/0/timestamp", "RFC 3339 date-time with its offset"),
        ({"operationId": None}, "/records/0", "give `operationId`, or `method` and `path`"),
        ({"latencyMs": -1}, "/records/0/latencyMs", "a number from 0 to 3600000"),
        ({"latencyMs": True}, "/records/0/latencyMs", "`latencyMs` is True"),
        ({"consumerId": None}, "/records/0/consumerId", "`consumerId` is required"),
        ({"colour": "red"}, "/records/0/colour", "unknown member `colour`"),
    ],
)
def test_each_kind_of_bad_record_says_what_was_expected(overrides: dict[str, Any], pointer: str, words: str) -> None:
    checked = check_batch({"batchId": "b-2", "records": [record(**overrides)]}, now=NOW, window=WINDOW)

    assert not checked.accepted
    assert checked.refused[0].pointer == pointer
    assert words in checked.refused[0].detail


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ([], ""),
        ({"records": [record()]}, "/batchId"),
        ({"batchId": "has spaces", "records": [record()]}, "/batchId"),
        ({"batchId": "b", "records": []}, "/records"),
        ({"batchId": "b", "records": [record()] * 501}, "/records"),
        ({"batchId": "b", "records": [record()], "extra": 1}, "/extra"),
    ],
)
def test_a_batch_that_is_wrong_as_a_whole_is_refused_naming_the_member(body: object, pointer: str) -> None:
    with pytest.raises(InvalidUsageBatch) as refused:
        check_batch(body, now=NOW, window=WINDOW)

    assert [error.pointer for error in refused.value.errors] == [pointer]


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "key", "documented"),
    [
        ("getPet", None, None, "getPet", True),
        (None, "get", "/pets/42", "getPet", True),
        (None, "get", "/pets/{petId}", "getPet", True),
        (None, "get", "/pets/mine", "myPets", True),  # a literal segment wins over a parameter
        (None, "get", "/pets?limit=5", "listPets", True),
        (None, "delete", "/pets/42", "DELETE /pets/{petId}", True),
        (None, "post", "/pets", "POST /pets", False),
        ("adoptPet", None, None, "adoptPet", False),
    ],
)
def test_records_name_the_operation_the_spec_declares(
    operation_id: str | None, method: str | None, path: str | None, key: str, documented: bool
) -> None:
    resolved = TABLE.resolve(operation_id, method, path)

    assert resolved.key == key
    assert (resolved.operation is not None) is documented


def test_status_codes_the_spec_does_not_list_are_undocumented() -> None:
    list_pets = TABLE.resolve("listPets", None, None)
    get_pet = TABLE.resolve("getPet", None, None)
    delete = TABLE.resolve(None, "delete", "/pets/1")

    assert not list_pets.undocumented(429)  # 4XX
    assert list_pets.undocumented(500)
    assert get_pet.undocumented(401)
    assert not delete.undocumented(503)  # default


def usage_of(*records: dict[str, Any]) -> dict[Bucket, Usage]:
    models = [UsageRecord.model_validate(raw) for raw in records]
    return fold((model, TABLE.resolve(model.operation_id, model.method, model.path)) for model in models)


def test_a_record_counts_in_its_hour_at_the_api_version_and_operation_scopes() -> None:
    buckets = usage_of(
        record(),
        record(status=500, timestamp="2026-12-04T12:59:59Z"),
        record(operationId="adoptPet", timestamp="2026-12-04T13:00:00+01:00"),  # 12:00 UTC
        record(timestamp="2026-12-04T11:59:59Z", consumerId="web"),  # a late record: its own hour
    )

    noon = datetime(2026, 12, 4, 12, tzinfo=UTC)
    all_noon = buckets[Bucket("petstore", "ALL", noon)]
    assert all_noon.calls == 3
    assert all_noon.statuses == {200: 2, 500: 1}
    assert all_noon.operations == {"getPet": [2, 1], "adoptPet": [1, 0]}
    assert all_noon.undocumented == {"adoptPet": 1, "getPet 500": 1}
    assert all_noon.error_rate == pytest.approx(1 / 3)
    assert buckets[Bucket("petstore", "O#1.0.0#getPet", noon)].calls == 2
    assert buckets[Bucket("petstore", "V#1.0.0", noon)].calls == 3
    assert buckets[Bucket("petstore", "ALL", noon - timedelta(hours=1))].consumers == {"web": 1}
    day = Bucket("petstore", "ALL", noon.replace(hour=0), day=True)
    assert buckets[day].calls == 4  # the day holds its hours
    assert len(buckets) == 9  # 7 hours at their scopes, and the day of the API and of the version


def test_hours_merge_into_the_usage_of_the_whole_period() -> None:
    # Given records over three hours
    raws = [
        record(timestamp=f"2026-12-04T{9 + i % 3:02d}:{i % 60:02d}:00Z", latencyMs=float(i), status=200 + i % 2)
        for i in range(300)
    ]
    hourly = [u for b, u in sorted(usage_of(*raws).items()) if b.scope == "ALL" and not b.day]

    # When the hours are merged, through their stored form
    period = Usage.merged(Usage.from_bytes(*hour.to_bytes()) for hour in hourly)

    # Then they equal the usage of all the records folded at once into one hour
    at_once = Usage()
    for raw in raws:
        model = UsageRecord.model_validate(raw)
        at_once.add(model, TABLE.resolve(model.operation_id, None, None))
    assert len(hourly) == 3
    assert period == at_once


def test_consumers_past_the_limit_of_an_hour_are_counted_together() -> None:
    raws = [record(consumerId=f"c-{i}") for i in range(MAX_CONSUMERS + 5)]

    usage = usage_of(*raws)[Bucket("petstore", "ALL", datetime(2026, 12, 4, 12, tzinfo=UTC))]

    assert len(usage.consumers) == MAX_CONSUMERS + 1
    assert usage.consumers[OTHER_CONSUMERS] == 5
    assert sum(usage.consumers.values()) == usage.calls
