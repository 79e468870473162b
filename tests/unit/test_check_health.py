"""Checking an API's health over stored hours: alerts announced with deterministic event ids and
kept with their evidence, nothing evaluated twice, a failed announcement retried as the same
events, a lost race read again, the owning team's thresholds applied."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal.analytics.alerts import CheckHealth
from devportal.analytics.health import Thresholds
from devportal.analytics.usage import Bucket, Usage
from devportal.registry.models import ApiVersionRecord
from devportal.registry.ports import PublishFailed
from events.analytics import ApiHealthDegraded, ApiHealthRecovered
from tests.support.fakes import InMemoryHealthStore, InMemoryRegistry, InMemoryUsageStore, RecordingPublisher

START = datetime(2026, 12, 4, 6, tzinfo=UTC)
HOUR = timedelta(hours=1)


class World:
    def __init__(self) -> None:
        self.usage, self.health, self.registry = InMemoryUsageStore(), InMemoryHealthStore(), InMemoryRegistry()
        self.publisher = RecordingPublisher()
        record = ApiVersionRecord(
            "shop", "1.0.0", "Shop", "shop-team", "a" * 64, "raw", "n", "d", "3.1.0", 1, "sub-1", START
        )
        self.registry.store_version(record)
        self.registry.add_to_catalog(record)
        self.now = START + 3 * HOUR + timedelta(minutes=10)  # 06, 07 and 08 are complete
        self.check = CheckHealth(
            self.usage,
            self.health,
            self.registry,
            self.publisher,
            defaults=Thresholds,
            skew=lambda: timedelta(minutes=5),
            clock=lambda: self.now,
        )

    def hour(self, n: int, calls: int, errors: int = 0) -> None:
        hour = START + n * HOUR
        usage = Usage(calls=calls, statuses={200: calls - errors, 500: errors})
        for _ in range(calls):
            usage.latency.add(40.0)
        self.usage.hours[Bucket("shop", "ALL", hour)] = usage
        day = Bucket("shop", "ALL", hour.replace(hour=0), day=True)
        self.usage.hours[day] = Usage.merged((self.usage.hours.get(day, Usage()), usage))


@pytest.fixture
def world() -> World:
    return World()


def test_a_bad_hour_is_announced_kept_and_recovered_by_a_later_one(world: World) -> None:
    world.hour(0, 200)
    world.hour(1, 200, errors=40)
    world.hour(2, 200, errors=2)
    checked = world.check("shop")
    assert checked.hours == 48  # a first evaluation reads the last 48 complete hours
    assert [(c.kind, c.rule) for c in checked.changes] == [("degraded", "error-rate"), ("recovered", "error-rate")]
    assert checked.status == "healthy"
    degraded, recovered = (envelope.data for envelope in world.publisher.published)
    assert isinstance(degraded, ApiHealthDegraded)
    assert isinstance(recovered, ApiHealthRecovered)
    assert degraded.owner == "shop-team"
    assert degraded.alert_id == recovered.alert_id == "shop:error-rate:20261204T07"
    assert degraded.value == pytest.approx(0.2)
    assert degraded.evidence.calls == 200
    assert recovered.since == START + HOUR
    assert "20.0 % of calls answered 5xx" in degraded.summary
    (alert,) = world.health.alerts("shop")
    assert alert.since == START + HOUR
    assert alert.degraded["value"] == pytest.approx(0.2)
    assert alert.recovered_at == START + 2 * HOUR


def test_nothing_is_evaluated_twice_and_the_next_hour_is_evaluated_when_complete(world: World) -> None:
    world.hour(0, 200, errors=40)
    assert len(world.check("shop").changes) == 1
    assert world.check("shop").hours == 0
    assert len(world.publisher.published) == 1
    world.now += HOUR
    checked = world.check("shop")
    assert checked.hours == 1
    assert checked.through == START + 3 * HOUR
    assert checked.status == "degraded"  # an hour without calls says nothing about errors


def test_a_failed_announcement_keeps_nothing_and_the_retry_sends_the_same_events(world: World) -> None:
    world.hour(1, 200, errors=40)
    world.publisher.failures = 1
    with pytest.raises(PublishFailed):
        world.check("shop")
    assert world.health.record("shop").state.evaluated_through is None
    world.check("shop")
    world.check("shop")
    (sent,) = world.publisher.published
    world.health.states.clear()
    world.check("shop")  # as if the state had not been written after publishing
    first, again = world.publisher.published
    assert first.metadata.event_id == again.metadata.event_id == sent.metadata.event_id


def test_a_lost_race_reads_again(world: World) -> None:
    world.hour(1, 200, errors=40)
    world.health.conflicts = 1
    checked = world.check("shop")
    assert checked.status == "degraded"
    assert len(world.health.alerts("shop")) == 1


def test_the_owning_teams_thresholds_apply(world: World) -> None:
    world.health.set_thresholds("shop", {"errorRate": 0.5}, "alice", START)
    world.hour(1, 200, errors=40)
    assert world.check("shop").changes == ()
    assert world.check.thresholds("shop").error_rate == 0.5


def test_a_drop_to_no_calls_against_trailing_weeks_is_an_alert(world: World) -> None:
    for week in range(1, 5):
        for n in range(3):
            world.hour(n - week * 168, 300 + week)
    world.hour(0, 300)
    world.hour(1, 290)
    checked = world.check("shop")
    (change,) = checked.changes
    assert change.rule == "traffic"
    assert change.hour == START + 2 * HOUR
    assert change.reading.evidence["baselineCalls"] == [301, 302, 303, 304]
