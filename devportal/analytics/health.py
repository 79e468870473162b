"""The seed's alerting rules on the APIs the portal catalogs, hour by hour.

Each complete hour of an API's traffic is read against three rules:

  error-rate    the share of calls answered 5xx is above `error_rate` (seed: 5 %)
  latency-p99   the hour's 99th percentile latency is above `p99_ms` (seed: 2 s)
  traffic       the hour's calls are more than `traffic_sigma` standard deviations (seed: 3) away
                from the mean of the same hour in the trailing weeks

A rule that crosses its line opens an alert (`degraded`); the alert closes (`recovered`) only when
the value is back at or under `RECOVERY` of the line - 4 % of errors, 1.6 s, 2.4 standard
deviations by default - so a value hovering at the line raises one alert, not one per hour. An hour
with fewer than `min_calls` calls says nothing about its error rate or percentiles: those rules
stay as they were. The traffic rule needs `MIN_WEEKS` trailing weeks with traffic on that day
before it judges; its deviation is floored at the square root of the mean (the noise of a Poisson
count), so a perfectly steady API does not page on its first irregular hour.

Everything here is pure: what an hour looked like comes in, the state after it and the alerts
opened or closed go out. The evaluation of a state over the same hours always gives the same
alerts with the same ids, which makes a retried evaluation publish nothing new.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from devportal.analytics.usage import Usage, stamp

Rule = Literal["error-rate", "latency-p99", "traffic"]
RULES: tuple[Rule, ...] = ("error-rate", "latency-p99", "traffic")
RECOVERY = 0.8
TRAILING_WEEKS = 4
MIN_WEEKS = 3
WEEK = timedelta(weeks=1)
HOUR = timedelta(hours=1)
# How far back a sweep catches up on hours it missed (the worker was down, the API is new).
CATCH_UP_HOURS = 48


@dataclass(frozen=True)
class Thresholds:
    error_rate: float = 0.05
    p99_ms: float = 2000.0
    traffic_sigma: float = 3.0
    min_calls: int = 20

    def line(self, rule: Rule) -> float:
        if rule == "error-rate":
            return self.error_rate
        if rule == "latency-p99":
            return self.p99_ms
        return self.traffic_sigma

    def to_wire(self) -> dict[str, float | int]:
        return {
            "errorRate": self.error_rate,
            "p99Ms": self.p99_ms,
            "trafficSigma": self.traffic_sigma,
            "minCalls": self.min_calls,
        }


@dataclass(frozen=True)
class HourSeen:
    """One complete hour of an API: its usage (None: no calls) and the calls of the same hour in
    each trailing week that had traffic that day, most recent first."""

    hour: datetime
    usage: Usage | None
    baseline: tuple[int, ...] = ()

    @property
    def calls(self) -> int:
        return self.usage.calls if self.usage is not None else 0


@dataclass(frozen=True)
class Reading:
    rule: Rule
    value: float | None  # None: too little evidence to judge
    line: float
    evidence: Mapping[str, Any]

    @property
    def over(self) -> bool:
        return self.value is not None and abs(self.value) > self.line

    @property
    def clear(self) -> bool:
        return self.value is not None and abs(self.value) <= self.line * RECOVERY


def read_hour(seen: HourSeen, thresholds: Thresholds) -> list[Reading]:
    usage, calls = seen.usage, seen.calls
    window = {"hour": stamp(seen.hour), "calls": calls}
    readings: list[Reading] = []
    enough = usage is not None and calls >= thresholds.min_calls
    errors = usage.calls_in_class(5) if usage is not None else 0
    rate = errors / calls if enough and calls else None
    readings.append(
        Reading(
            "error-rate",
            None if rate is None else round(rate, 6),
            thresholds.error_rate,
            {**window, "serverErrors": errors},
        )
    )
    p99 = usage.latency.quantiles(0.99)[0] if enough and usage is not None else None
    readings.append(
        Reading("latency-p99", None if p99 is None else round(p99, 3), thresholds.p99_ms, {**window, "p99Ms": p99})
    )
    readings.append(_traffic(seen, thresholds, window))
    return readings


def _traffic(seen: HourSeen, thresholds: Thresholds, window: Mapping[str, Any]) -> Reading:
    weeks = seen.baseline
    if len(weeks) < MIN_WEEKS:
        return Reading("traffic", None, thresholds.traffic_sigma, {**window, "weeks": len(weeks)})
    mean = statistics.fmean(weeks)
    spread = statistics.stdev(weeks)
    sigma = max(spread, math.sqrt(mean), 1.0)
    evidence = {
        **window,
        "weeks": len(weeks),
        "baselineCalls": list(weeks),
        "baselineMean": round(mean, 3),
        "baselineStdDev": round(spread, 3),
        "sigmaUsed": round(sigma, 3),
    }
    if seen.calls < thresholds.min_calls and mean < thresholds.min_calls:
        return Reading("traffic", None, thresholds.traffic_sigma, evidence)  # quiet, and quiet before
    return Reading("traffic", round((seen.calls - mean) / sigma, 3), thresholds.traffic_sigma, evidence)


@dataclass(frozen=True)
class Open:
    """A rule's alert that has not recovered yet."""

    alert_id: str
    since: datetime  # the hour that crossed the line


@dataclass(frozen=True)
class HealthState:
    evaluated_through: datetime | None = None  # the start of the last hour evaluated
    open: Mapping[Rule, Open] = field(default_factory=dict)
    rev: int = 0  # the store's write counter

    def status(self) -> Literal["healthy", "degraded"]:
        return "degraded" if self.open else "healthy"


@dataclass(frozen=True)
class Change:
    kind: Literal["degraded", "recovered"]
    alert_id: str
    rule: Rule
    hour: datetime  # the hour that crossed the line (degraded) or came back under it (recovered)
    reading: Reading
    since: datetime  # when the alert opened (its own hour for a degradation)


def alert_id(api_id: str, rule: Rule, hour: datetime) -> str:
    return f"{api_id}:{rule}:{hour:%Y%m%dT%H}"


def evaluate(
    api_id: str, state: HealthState, hours: Iterable[HourSeen], thresholds: Thresholds
) -> tuple[HealthState, list[Change]]:
    """The state after `hours` (in order, each after `state.evaluated_through`) and the alerts
    they open and close."""
    opened: dict[Rule, Open] = dict(state.open)
    changes: list[Change] = []
    through = state.evaluated_through
    for seen in hours:
        if through is not None and seen.hour <= through:
            continue  # evaluated before
        for reading in read_hour(seen, thresholds):
            current = opened.get(reading.rule)
            if current is None and reading.over:
                opening = Open(alert_id(api_id, reading.rule, seen.hour), seen.hour)
                opened[reading.rule] = opening
                changes.append(Change("degraded", opening.alert_id, reading.rule, seen.hour, reading, seen.hour))
            elif current is not None and reading.clear:
                del opened[reading.rule]
                changes.append(Change("recovered", current.alert_id, reading.rule, seen.hour, reading, current.since))
        through = seen.hour
    return replace(state, evaluated_through=through, open=opened), changes


def hours_due(state: HealthState, last_complete: datetime) -> list[datetime]:
    """The complete hours an evaluation reads: those after the last evaluated, at most
    CATCH_UP_HOURS of them, up to `last_complete` (an API's first evaluation reads the last
    CATCH_UP_HOURS: its usage may have been published late)."""
    first = last_complete - (CATCH_UP_HOURS - 1) * HOUR
    if state.evaluated_through is not None:
        first = max(first, state.evaluated_through + HOUR)
    count = int((last_complete - first) / HOUR) + 1
    return [first + n * HOUR for n in range(max(count, 0))]


def baseline_for(hour: datetime, calls: Mapping[datetime, int], days_with_traffic: set[datetime]) -> tuple[int, ...]:
    """The calls of the same hour in each of the TRAILING_WEEKS before `hour`, for the weeks that
    had traffic that day (an hour without calls on such a day counts as 0)."""
    weeks: list[int] = []
    for back in range(1, TRAILING_WEEKS + 1):
        then = hour - back * WEEK
        if then.replace(hour=0) in days_with_traffic:
            weeks.append(calls.get(then, 0))
    return tuple(weeks)


def last_complete_hour(now: datetime, skew: timedelta) -> datetime:
    """The latest hour whose records have all arrived (it ended at least `skew` ago)."""
    return (now - skew - HOUR).replace(minute=0, second=0, microsecond=0)


def describe(change: Change) -> str:
    """The sentence an owner reads."""
    reading = change.reading
    degraded = change.kind == "degraded"
    line = reading.line if degraded else reading.line * RECOVERY
    bound = "line" if degraded else "back under"
    if reading.rule == "error-rate":
        what = f"{(reading.value or 0) * 100:.1f} % of calls answered 5xx ({bound} {line * 100:g} %)"
    elif reading.rule == "latency-p99":
        what = f"p99 latency {reading.value or 0:,.0f} ms ({bound} {line:,.0f} ms)"
    else:
        mean = reading.evidence.get("baselineMean")
        what = (
            f"{reading.evidence.get('calls')} calls against {mean} in the same hour of the trailing weeks "
            f"({reading.value:+.1f} standard deviations, {bound} {line:g})"
        )
    return f"{change.kind} at {stamp(change.hour)}: {what}"


def overridden(defaults: Thresholds, overrides: Mapping[str, Any]) -> Thresholds:
    """The defaults with a team's overrides (wire names) applied."""
    names = {"errorRate": "error_rate", "p99Ms": "p99_ms", "trafficSigma": "traffic_sigma", "minCalls": "min_calls"}
    return replace(defaults, **{names[key]: value for key, value in overrides.items() if key in names})
