"""Hourly usage in the table (moto's DynamoDB): a delivery counts once however often it comes,
writers racing on the same hours lose nothing, and a period reads back as its hours."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devportal.adapters.usage import DynamoUsageStore
from devportal.analytics.operations import OperationTable
from devportal.analytics.usage import Bucket, Usage, fold
from events.analytics import UsageRecord
from tests.support.aws import AwsWorld

NOON = datetime(2026, 12, 4, 12, tzinfo=UTC)
TABLE = OperationTable.of({"paths": {"/pets/{petId}": {"get": {"operationId": "getPet", "responses": {"200": {}}}}}})


def buckets(api_id: str, count: int, *, hours: int = 1, status: int = 200) -> dict[Bucket, Usage]:
    records = [
        UsageRecord(
            api_id=api_id,
            version="1.0.0",
            operation_id="getPet",
            status=status,
            latency_ms=float(10 + i),
            timestamp=NOON + timedelta(hours=i % hours, minutes=i % 60),
            consumer_id=f"consumer-{i % 7}",
        )
        for i in range(count)
    ]
    return fold((record, TABLE.resolve(record.operation_id, None, None)) for record in records)


def store(aws: AwsWorld) -> DynamoUsageStore:
    return DynamoUsageStore(aws.names.table, aws.client("dynamodb"))


def test_a_redelivered_batch_counts_once(aws: AwsWorld) -> None:
    # Given a batch of 500 calls over three hours, applied once
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    usage = store(aws)
    first = usage.apply("team-a/batch-1/0", buckets(api_id, 500, hours=3))

    # When the same delivery comes again
    again = usage.apply("team-a/batch-1/0", buckets(api_id, 500, hours=3))

    # Then it changes nothing, and the hours hold each call once
    assert (first.buckets, first.already) == (11, 0)  # 3 hours x 3 scopes, and the day x 2
    assert (again.buckets, again.already) == (0, 11)
    hours = usage.read(api_id, "ALL", NOON, NOON + timedelta(hours=3))
    assert [hour for hour, _ in hours] == [NOON, NOON + timedelta(hours=1), NOON + timedelta(hours=2)]
    assert sum(u.calls for _, u in hours) == 500
    ((day, whole),) = usage.read(api_id, "ALL", NOON, NOON + timedelta(hours=3), days=True)
    assert (day, whole.calls) == (NOON.replace(hour=0), 500)


def test_another_delivery_adds_to_the_same_hours(aws: AwsWorld) -> None:
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    usage = store(aws)
    usage.apply("team-a/batch-1/0", buckets(api_id, 100))
    usage.apply("team-a/batch-2/0", buckets(api_id, 50, status=503))

    ((_, total),) = usage.read(api_id, "ALL", NOON, NOON + timedelta(hours=1))

    assert total.calls == 150
    assert total.statuses == {200: 100, 503: 50}
    assert total.latency.count == 150
    assert usage.read(api_id, "O#1.0.0#getPet", NOON, NOON + timedelta(hours=1))[0][1].calls == 150


def test_writers_racing_on_one_hour_lose_no_call(aws: AwsWorld) -> None:
    # Given eight deliveries applied at once from eight threads, all into the same hour
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    usage = store(aws)
    failures: list[BaseException] = []

    def deliver(n: int) -> None:
        try:
            usage.apply(f"team-a/race-{n}/0", buckets(api_id, 20))
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every call of every delivery is counted once
    assert not failures
    ((_, total),) = usage.read(api_id, "ALL", NOON, NOON + timedelta(hours=1))
    assert total.calls == 160


def test_a_period_reads_only_its_own_hours_and_scope(aws: AwsWorld) -> None:
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    usage = store(aws)
    usage.apply("team-a/b/0", buckets(api_id, 240, hours=24))

    middle = usage.read(api_id, "V#1.0.0", NOON + timedelta(hours=5), NOON + timedelta(hours=8))
    other: Any = usage.read(f"{api_id}-other", "ALL", NOON, NOON + timedelta(days=1))

    assert [hour.hour for hour, _ in middle] == [17, 18, 19]
    assert sum(u.calls for _, u in middle) == 30
    assert other == []


def calls_made(usage: DynamoUsageStore) -> list[str]:
    """The DynamoDB operations the store's client sends from now on."""
    made: list[str] = []
    usage._client().meta.events.register("before-call.dynamodb.*", lambda model, **_: made.append(model.name))
    return made


def test_a_warm_store_writes_the_hours_it_wrote_last_without_reading_them(aws: AwsWorld) -> None:
    # Given a store that has counted a delivery into an hour
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    usage = store(aws)
    usage.apply("team-a/warm-1/0", buckets(api_id, 100))
    made = calls_made(usage)

    # When the next delivery for the same hour comes
    usage.apply("team-a/warm-2/0", buckets(api_id, 50, status=503))

    # Then it is one transaction, no read, and the hour holds both
    assert made == ["TransactWriteItems"]
    ((_, total),) = usage.read(api_id, "ALL", NOON, NOON + timedelta(hours=1))
    assert (total.calls, total.statuses) == (150, {200: 100, 503: 50})
    # and a new hour is read first (another writer may have counted it)
    made.clear()
    usage.apply("team-a/warm-3/0", buckets(api_id, 10, hours=2))
    assert made == ["BatchGetItem", "TransactWriteItems"]


def test_a_write_by_another_store_since_is_read_not_overwritten(aws: AwsWorld) -> None:
    # Given two stores (two execution environments) counting the same hour in turn
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    first, second = store(aws), store(aws)
    first.apply("team-a/turn-1/0", buckets(api_id, 100))
    second.apply("team-a/turn-2/0", buckets(api_id, 40))

    # When the first counts again, with what it wrote last (now outdated)
    made = calls_made(first)
    first.apply("team-a/turn-3/0", buckets(api_id, 7))

    # Then its write is refused, it reads, and writes again: nothing is lost
    assert made == ["TransactWriteItems", "BatchGetItem", "TransactWriteItems"]
    made.clear()
    ((_, total),) = first.read(api_id, "ALL", NOON, NOON + timedelta(hours=1))
    assert total.calls == 147
    # and a redelivery of what it counted is still recognised (an hour is 5 buckets: its operation,
    # version and API, and the day of the version and the API)
    assert first.apply("team-a/turn-3/0", buckets(api_id, 7)).already == 5


def test_what_a_store_keeps_is_bounded_by_its_size(aws: AwsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a store that may keep about ten hours of one scope
    api_id = f"pets-{uuid.uuid4().hex[:8]}"
    usage = store(aws)
    usage.apply("team-a/size-1/0", buckets(api_id, 20))
    (size,) = {kept[2] for bucket, kept in usage._kept.items() if bucket.scope == "ALL" and not bucket.day}
    monkeypatch.setattr("devportal.adapters.usage._KEPT_BYTES", size * 10)

    # When it writes 24 hours at three scopes, and their two days
    usage.apply("team-a/size-2/0", buckets(api_id, 240, hours=24))

    # Then it keeps only the last written that fit, and every call is counted
    assert 0 < usage._kept_bytes <= size * 10
    assert 1 <= len(usage._kept) <= 10
    assert sum(u.calls for _, u in usage.read(api_id, "ALL", NOON, NOON + timedelta(days=1))) == 260
