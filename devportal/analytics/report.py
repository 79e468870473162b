"""An API's usage over a period: totals, a series per hour, day or week, the top operations and
consumers, adoption per week and the traffic its spec does not document.

Every figure is a merge of stored periods (devportal.analytics.usage): a day is its hours (kept
merged for the API and version scopes), a week its 7 days, and a percentile over the period is
read from the merged sketch - never an average of hourly percentiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from devportal.analytics.ports import UsageStore
from devportal.analytics.ratings import Ratings
from devportal.analytics.usage import OTHER_CONSUMERS, Usage, hour_of, stamp
from devportal.errors import FieldError, InvalidParameter
from devportal.registry.models import CatalogEntry
from devportal.registry.ports import RegistryRepository
from devportal.specs.openapi import check_version

Granularity = Literal["hour", "day", "week"]
STEPS: dict[str, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
MAX_POINTS = 1_000
MAX_OPERATION_CHARS = 256  # as a usage record may name one
TOP = 10
MAX_TEAM_APIS = 500  # a team overview ranks at most this many APIs (and says when it stopped)
QUANTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True)
class ReportQuery:
    api_id: str
    start: datetime
    end: datetime
    granularity: Granularity
    version: str | None = None
    operation: str | None = None


def period_start(moment: datetime, granularity: str) -> datetime:
    """The hour, the day (UTC) or the week (from Monday, UTC) a moment falls in."""
    hour = hour_of(moment)
    if granularity == "hour":
        return hour
    day = hour.replace(hour=0)
    return day if granularity == "day" else day - timedelta(days=day.weekday())


def check_query(
    api_id: str,
    *,
    start: datetime | str | None,
    end: datetime | str | None,
    granularity: str | None,
    version: str | None,
    operation: str | None,
    now: datetime,
    retention_days: int,
) -> ReportQuery:
    """The query as given, with defaults (the last 7 days, by day), or a 400 naming the parameter."""
    end = _moment(end, "to") or now
    start = _moment(start, "from") or end - timedelta(days=7)
    if start >= end:
        raise InvalidParameter("`from` must be before `to`.", [FieldError(detail="not before `to`", parameter="from")])
    oldest = now - timedelta(days=retention_days)
    if end < oldest:
        raise InvalidParameter(
            f"`to` is before the {retention_days} days usage is kept for: there is nothing to report.",
            [FieldError(detail="past the retention", parameter="to")],
        )
    start = max(start, oldest)
    granularity = granularity or "day"
    if granularity not in STEPS:
        raise InvalidParameter(
            "`granularity` must be hour, day or week.", [FieldError(detail="invalid", parameter="granularity")]
        )
    points = (end - period_start(start, granularity)) / STEPS[granularity]
    if points > MAX_POINTS:
        raise InvalidParameter(
            f"{points:.0f} {granularity}s is more than the {MAX_POINTS} points a report has: ask for a shorter "
            "period or a coarser granularity.",
            [FieldError(detail="too many points", parameter="granularity")],
        )
    if version is not None:
        check_version(version)
    if operation is not None and not 1 <= len(operation) <= MAX_OPERATION_CHARS:
        raise InvalidParameter(
            f'`operationId` must be 1-{MAX_OPERATION_CHARS} characters: an operationId, or "GET /path" for an '
            "operation without one.",
            [FieldError(detail="invalid length", parameter="operationId")],
        )
    return ReportQuery(api_id, start, end, granularity, version, operation)  # type: ignore[arg-type]


def _moment(value: datetime | str | None, parameter: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidParameter(
            f"`{parameter}` must be an RFC 3339 date-time with its offset, like 2026-12-04T10:00:00Z.",
            [FieldError(detail="not a date-time with an offset", parameter=parameter)],
        )
    return parsed.astimezone(UTC)


def _latency(usage: Usage) -> dict[str, float | None]:
    p50, p95, p99 = usage.latency.quantiles(*QUANTILES)
    mean = usage.latency.mean_ms
    return {
        "p50": _round(p50),
        "p95": _round(p95),
        "p99": _round(p99),
        "mean": _round(mean),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _figures(usage: Usage) -> dict[str, Any]:
    return {
        "calls": usage.calls,
        "serverErrors": usage.calls_in_class(5),
        "clientErrors": usage.calls_in_class(4),
        "errorRate": None if usage.error_rate is None else round(usage.error_rate, 6),
    }


class UsageReports:
    def __init__(self, store: UsageStore, registry: RegistryRepository, ratings: Ratings | None = None) -> None:
        self._store = store
        self._registry = registry
        self._ratings = ratings

    def hours(self, query: ReportQuery) -> list[tuple[datetime, Usage]]:
        """The stored hours the query covers, at its scope; an operation without a version is the
        merge of that operation in every version."""
        if query.operation is None:
            scope = "ALL" if query.version is None else f"V#{query.version}"
            return self._store.read(query.api_id, scope, query.start, query.end)
        versions = self._versions(query)
        merged: dict[datetime, Usage] = {}
        for version in versions:
            for hour, usage in self._store.read(query.api_id, f"O#{version}#{query.operation}", query.start, query.end):
                merged.setdefault(hour, Usage()).merge(usage)
        return sorted(merged.items(), key=lambda entry: entry[0])

    def periods(self, query: ReportQuery) -> list[tuple[datetime, Usage]]:
        """What the query covers, read as coarsely as it allows: by day or week, the whole days
        inside the period are read as days (the API and version scopes keep them), the hours at
        its edges as hours."""
        if query.operation is not None or query.granularity == "hour":
            return self.hours(query)
        scope = "ALL" if query.version is None else f"V#{query.version}"
        first_day = period_start(query.start, "day")
        if first_day < query.start:
            first_day += timedelta(days=1)
        last_day = period_start(query.end, "day")
        if first_day >= last_day:
            return self.hours(query)
        read = self._store.read
        head = read(query.api_id, scope, query.start, first_day) if query.start < first_day else []
        tail = read(query.api_id, scope, last_day, query.end) if last_day < query.end else []
        return [*head, *read(query.api_id, scope, first_day, last_day, days=True), *tail]

    def total(self, query: ReportQuery) -> Usage:
        """Everything the query covers, merged into one."""
        return Usage.merged(usage for _, usage in self.periods(query))

    def team(self, team: str, start: datetime, end: datetime, *, limit: int = MAX_TEAM_APIS) -> dict[str, Any]:
        """The team's APIs ranked by calls over [start, end): each one's calls, errors, latency
        percentiles, distinct consumers and health, merged from its stored days and hours."""
        entries: list[CatalogEntry] = []
        cursor: str | None = None
        while len(entries) < limit:
            page = self._registry.list_catalog(limit=min(200, limit - len(entries)), cursor=cursor, owner=team)
            entries.extend(page.entries)
            cursor = page.next_cursor
            if cursor is None:
                break
        ranked = []
        for entry in entries:
            total = self.total(ReportQuery(entry.api_id, start, end, "day"))
            ranked.append(
                {
                    "apiId": entry.api_id,
                    "title": entry.title,
                    "latestVersion": entry.latest_version,
                    "health": "degraded" if entry.degraded else "healthy",
                    "degradedRules": list(entry.degraded),
                    **_figures(total),
                    "latencyMs": _latency(total),
                    "consumers": len(set(total.consumers) - {OTHER_CONSUMERS}),
                }
            )
        ranked.sort(key=lambda api: (-api["calls"], api["apiId"]))
        calls = sum(api["calls"] for api in ranked)
        errors = sum(api["serverErrors"] for api in ranked)
        return {
            "team": team,
            "from": stamp(start),
            "to": stamp(end),
            "totals": {
                "apis": len(ranked),
                "calls": calls,
                "serverErrors": errors,
                "errorRate": round(errors / calls, 6) if calls else None,
                "degraded": sum(1 for api in ranked if api["health"] == "degraded"),
            },
            "apis": ranked,
            "truncated": cursor is not None,
        }

    def report(self, query: ReportQuery) -> dict[str, Any]:
        hours = self.periods(query)
        total = Usage.merged(usage for _, usage in hours)
        series: dict[datetime, Usage] = {}
        for hour, usage in hours:
            series.setdefault(period_start(hour, query.granularity), Usage()).merge(usage)
        return {
            "apiId": query.api_id,
            "from": stamp(query.start),
            "to": stamp(query.end),
            "granularity": query.granularity,
            "version": query.version,
            "operationId": query.operation,
            "totals": {
                **_figures(total),
                "latencyMs": _latency(total),
                "statusCodes": {str(code): count for code, count in sorted(total.statuses.items())},
            },
            "series": [
                {"start": stamp(start), **_figures(usage), "latencyMs": _latency(usage)}
                for start, usage in sorted(series.items(), key=lambda entry: entry[0])
            ],
            "topOperations": [
                {
                    "operation": key,
                    "calls": calls,
                    "serverErrors": errors,
                    "errorRate": round(errors / calls, 6) if calls else None,
                }
                for key, (calls, errors) in _top(total.operations.items(), lambda entry: entry[1][0])
            ],
            "topConsumers": [
                {"consumerId": consumer, "calls": calls}
                for consumer, calls in _top(total.consumers.items(), lambda entry: entry[1])
                if consumer != OTHER_CONSUMERS
            ],
            "consumers": {
                "distinct": len(set(total.consumers) - {OTHER_CONSUMERS}),
                "uncountedCalls": total.consumers.get(OTHER_CONSUMERS, 0),
            },
            "adoption": self._adoption(query, hours),
            "undocumented": [
                {"call": what, "calls": calls}
                for what, calls in sorted(total.undocumented.items(), key=lambda entry: (-entry[1], entry[0]))
            ],
            "satisfaction": self._satisfaction(query),
        }

    def _versions(self, query: ReportQuery) -> list[str]:
        """The query's version, or every registered version of the API."""
        if query.version is not None:
            return [query.version]
        return sorted(r.version for r in self._registry.list_versions(query.api_id))

    def _satisfaction(self, query: ReportQuery) -> dict[str, Any] | None:
        """Readers' votes on the docs (of the query's version, or of every version), all time."""
        if self._ratings is None:
            return None
        versions = self._versions(query)
        return self._ratings.satisfaction(query.api_id, versions)

    def _adoption(self, query: ReportQuery, hours: list[tuple[datetime, Usage]]) -> list[dict[str, Any]]:
        """Per week (from Monday, UTC): the consumers that called, and those whose first call ever
        fell in that week."""
        active: dict[datetime, set[str]] = {}
        for hour, usage in hours:
            active.setdefault(period_start(hour, "week"), set()).update(set(usage.consumers) - {OTHER_CONSUMERS})
        new: dict[datetime, int] = {}
        for seen in self._store.first_seen(query.api_id).values():
            if query.start <= seen < query.end:
                week = period_start(seen, "week")
                new[week] = new.get(week, 0) + 1
        weeks = sorted(set(active) | set(new))
        return [
            {"weekStart": stamp(week), "activeConsumers": len(active.get(week, ())), "newConsumers": new.get(week, 0)}
            for week in weeks
        ]


def _top(entries: Iterable[tuple[str, Any]], calls: Callable[[tuple[str, Any]], int]) -> list[tuple[str, Any]]:
    return sorted(entries, key=lambda entry: (-calls(entry), entry[0]))[:TOP]
