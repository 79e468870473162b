"""The seed's health rules, hour by hour: error rate > 5 %, p99 > 2 s, traffic outside 3 standard
deviations of the same hour in the trailing weeks - each with hysteresis (recovery under 80 % of
the line), a minimum of calls, and ids that make a repeated evaluation the same evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal.analytics.health import (
    CATCH_UP_HOURS,
    HealthState,
    HourSeen,
    Thresholds,
    baseline_for,
    describe,
    evaluate,
    hours_due,
    last_complete_hour,
    overridden,
    read_hour,
)
from devportal.analytics.usage import Usage

H0 = datetime(2026, 12, 4, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
DEFAULTS = Thresholds()


def usage(calls: int, *, errors: int = 0, slow: int = 0, slow_ms: float = 3000.0) -> Usage:
    """`calls` calls, `errors` of them 5xx, `slow` of them at `slow_ms` and the rest at 50 ms."""
    hour = Usage(calls=calls, statuses={200: calls - errors, **({500: errors} if errors else {})})
    for n in range(calls):
        hour.latency.add(slow_ms if n < slow else 50.0)
    return hour


def hour(n: int, seen: Usage | None, baseline: tuple[int, ...] = ()) -> HourSeen:
    return HourSeen(H0 + n * HOUR, seen, baseline)


def run(*hours: HourSeen, state: HealthState | None = None, thresholds: Thresholds = DEFAULTS):  # type: ignore[no-untyped-def]
    return evaluate("shop", state or HealthState(), hours, thresholds)


def test_an_error_rate_over_five_percent_degrades_and_exactly_five_does_not() -> None:
    _, at_line = run(hour(0, usage(1000, errors=50)))
    assert at_line == []
    state, changes = run(hour(0, usage(1000, errors=51)))
    assert [(c.kind, c.rule) for c in changes] == [("degraded", "error-rate")]
    (change,) = changes
    assert change.reading.value == pytest.approx(0.051)
    assert change.reading.evidence["serverErrors"] == 51
    assert change.alert_id == "shop:error-rate:20261204T09"
    assert state.status() == "degraded"
    assert state.open["error-rate"].since == H0
    assert "5.1 % of calls answered 5xx (line 5 %)" in describe(change)


def test_a_value_hovering_at_the_line_raises_one_alert_and_recovers_only_well_under_it() -> None:
    hovering = [hour(n, usage(1000, errors=51 if n % 2 == 0 else 49)) for n in range(8)]
    state, changes = run(*hovering)
    assert [(c.kind, c.hour) for c in changes] == [("degraded", H0)]
    state, changes = run(hour(8, usage(1000, errors=41)), state=state)  # 4.1 %: still over 80 % of the line
    assert changes == []
    state, changes = run(hour(9, usage(1000, errors=40)), state=state)  # 4.0 %: back under it
    assert [(c.kind, c.alert_id, c.since, c.hour) for c in changes] == [
        ("recovered", "shop:error-rate:20261204T09", H0, H0 + 9 * HOUR)
    ]
    assert state.status() == "healthy"
    assert state.evaluated_through == H0 + 9 * HOUR


def test_p99_over_two_seconds_degrades() -> None:
    _, fast = run(hour(0, usage(1000, slow=9)))  # 0.9 % slow: the p99 is a fast call
    assert fast == []
    _, changes = run(hour(0, usage(1000, slow=20, slow_ms=2500.0)))
    (change,) = changes
    assert change.rule == "latency-p99"
    assert change.reading.value == pytest.approx(2500.0, rel=0.01)
    assert "p99 latency 2,5" in describe(change)


def test_too_few_calls_say_nothing_about_errors_or_latency_and_leave_an_alert_open() -> None:
    _, changes = run(hour(0, usage(19, errors=19, slow=19)))
    assert changes == []
    state, _ = run(hour(0, usage(100, errors=50)))
    state, changes = run(hour(1, usage(5)), hour(2, None), state=state)
    assert changes == []
    assert state.status() == "degraded"


def test_traffic_far_from_the_same_hour_of_trailing_weeks_degrades_both_ways() -> None:
    weeks = (100, 104, 98, 101)
    _, normal = run(hour(0, usage(110), weeks))
    assert normal == []
    _, spike = run(hour(0, usage(200), weeks))
    (change,) = spike
    assert change.rule == "traffic"
    assert change.reading.value > 3
    assert change.reading.evidence["baselineCalls"] == [100, 104, 98, 101]
    assert "200 calls against 100.75" in describe(change)
    _, drop = run(hour(0, None, weeks))  # no calls at all where there were a hundred
    (change,) = drop
    assert change.reading.value < -3
    assert change.reading.evidence["calls"] == 0


def test_a_steady_baseline_has_a_poisson_floor_and_fewer_than_three_weeks_judge_nothing() -> None:
    steady = (100, 100, 100)
    _, within = run(hour(0, usage(125), steady))  # 2.5 sqrt(100)
    assert within == []
    _, beyond = run(hour(0, usage(131), steady))
    assert [c.rule for c in beyond] == ["traffic"]
    _, young = run(hour(0, usage(1000), (100, 100)))
    assert young == []
    _, quiet = run(hour(0, usage(12), (1, 2, 1)))  # quiet now and quiet before
    assert quiet == []


def test_hours_evaluated_before_are_skipped_and_ids_repeat() -> None:
    first_state, first = run(hour(0, usage(100, errors=20)))
    again_state, again = run(hour(0, usage(100, errors=20)), state=first_state)
    assert again == []
    assert again_state == first_state
    _, replay = run(hour(0, usage(100, errors=20)))
    assert [c.alert_id for c in replay] == [c.alert_id for c in first]


def test_the_same_hour_can_open_several_rules() -> None:
    state, changes = run(hour(0, usage(100, errors=50, slow=50), (1000, 1000, 1000)))
    assert sorted(c.rule for c in changes) == ["error-rate", "latency-p99", "traffic"]
    assert set(state.open) == {"error-rate", "latency-p99", "traffic"}


def test_a_team_override_moves_the_line() -> None:
    lenient = overridden(DEFAULTS, {"errorRate": 0.2, "minCalls": 5, "unknown": 1})
    assert lenient == Thresholds(error_rate=0.2, p99_ms=2000.0, traffic_sigma=3.0, min_calls=5)
    _, changes = run(hour(0, usage(100, errors=10)), thresholds=lenient)
    assert changes == []
    readings = {r.rule: r for r in read_hour(hour(0, usage(10, errors=3)), lenient)}
    assert readings["error-rate"].over


def test_hours_due_follow_the_last_evaluated_and_catch_up_at_most_48() -> None:
    last = H0 + 5 * HOUR
    first = hours_due(HealthState(), last)
    assert len(first) == CATCH_UP_HOURS
    assert (first[0], first[-1]) == (last - (CATCH_UP_HOURS - 1) * HOUR, last)
    assert hours_due(HealthState(evaluated_through=H0 + 3 * HOUR), last) == [H0 + 4 * HOUR, last]
    assert hours_due(HealthState(evaluated_through=last), last) == []
    due = hours_due(HealthState(evaluated_through=H0 - timedelta(days=30)), last)
    assert len(due) == CATCH_UP_HOURS
    assert due[-1] == last


def test_the_last_complete_hour_waits_for_late_records() -> None:
    skew = timedelta(minutes=5)
    assert last_complete_hour(datetime(2026, 12, 4, 10, 4, tzinfo=UTC), skew) == datetime(2026, 12, 4, 8, tzinfo=UTC)
    assert last_complete_hour(datetime(2026, 12, 4, 10, 6, tzinfo=UTC), skew) == datetime(2026, 12, 4, 9, tzinfo=UTC)


def test_the_baseline_counts_weeks_with_traffic_that_day_and_a_missing_hour_as_zero() -> None:
    week = timedelta(weeks=1)
    calls = {H0 - week: 90, H0 - 3 * week: 110}
    days = {(H0 - week).replace(hour=0), (H0 - 2 * week).replace(hour=0), (H0 - 3 * week).replace(hour=0)}
    assert baseline_for(H0, calls, days) == (90, 0, 110)  # four weeks back had no traffic that day
