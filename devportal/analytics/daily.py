"""The seed's analytics workflow for one API and one day (UTC): collect -> process -> report ->
store, each a step of ApiAnalyticsWorkflow (temporal_bridge.reports), which the API's own Temporal
schedule runs every day once the day before is complete.

  collect   the day's usage report by hour (devportal.analytics.report), the figures of the day
            before and of the same day a week before, the health alerts open during the day, the
            consumers whose first call ever fell on it
  process   what changed: calls against the day before and the week before, the busiest hour,
            the calls the spec does not document
  report    the document (the contract's DailyReport): a headline and highlights in plain words,
            with every figure they come from
  store     kept as the API's report of that day (a day reported again replaces it), then
            announced (ApiDailyReportPublished, with an id a retried step repeats)

Which days: every complete day after the last one reported (before the first report: from the
first day with calls), at most CATCH_UP_DAYS back; a day is complete once it has ended and the
clock-skew allowance has passed. A run asked for one day reports that day again (late usage published since is counted),
as long as its hours are still kept.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from devportal.analytics.ports import Alert, HealthStore, ReportStore, UsageStore
from devportal.analytics.records import TimeWindow
from devportal.analytics.report import ReportQuery, UsageReports
from devportal.analytics.usage import Usage, stamp
from devportal.errors import FieldError, InvalidParameter
from devportal.registry.ports import EventPublisher, RegistryRepository
from events.analytics import ApiDailyReportPublished
from events.envelope import new_event

DAY = timedelta(days=1)
CATCH_UP_DAYS = 7
NEW_CONSUMERS_NAMED = 20
PRODUCER = "temporal_bridge/ApiAnalyticsWorkflow"
_EVENT_IDS = uuid.UUID("0b6d3c1e-8f4a-4d52-a1e7-3c9b5f2d7e41")  # the namespace of report event ids


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_day(value: str, parameter: str) -> date:
    """A day as the contract writes it (YYYY-MM-DD), or a 400 naming the parameter."""
    try:
        return date.fromisoformat(value) if _DAY.fullmatch(value) else _not_a_day(value, parameter)
    except ValueError:
        return _not_a_day(value, parameter)


def _not_a_day(value: str, parameter: str) -> date:
    raise InvalidParameter(
        f"`{parameter}` must be a day as YYYY-MM-DD, like 2026-12-04.",
        [FieldError(detail="not a date as YYYY-MM-DD", parameter=parameter)],
    )


def last_complete_day(now: datetime, skew: timedelta) -> date:
    """The latest day (UTC) whose records have all arrived: it ended at least `skew` ago."""
    return (now.astimezone(UTC) - skew - DAY).date()


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class Figures:
    """What a day is compared by."""

    calls: int
    server_errors: int
    error_rate: float | None
    p99_ms: float | None

    @classmethod
    def of(cls, usage: Usage) -> Figures:
        (p99,) = usage.latency.quantiles(0.99)
        rate = usage.error_rate
        return cls(
            usage.calls,
            usage.calls_in_class(5),
            None if rate is None else round(rate, 6),
            None if p99 is None else round(p99, 3),
        )


@dataclass(frozen=True)
class AlertOfDay:
    alert_id: str
    rule: str
    since: datetime
    summary: str  # the reading that opened it, as its owner reads it
    recovered_at: datetime | None = None
    recovery: str | None = None


@dataclass(frozen=True)
class Collected:
    api_id: str
    day: date
    owner: str
    usage: dict[str, Any]  # the day's usage report by hour (the contract's UsageReport)
    day_before: Figures
    week_before: Figures
    alerts: list[AlertOfDay]
    new_consumers: list[str]  # whose first call ever fell on the day, in order of name


@dataclass(frozen=True)
class Processed:
    collected: Collected
    calls_vs_day_before: float | None  # relative change: 0.25 is a quarter more; None if that day had no calls
    calls_vs_week_before: float | None
    busiest_hour: datetime | None
    busiest_calls: int
    undocumented_calls: int


def _change(now: int, before: int) -> float | None:
    return None if before == 0 else round((now - before) / before, 4)


def process(collected: Collected) -> Processed:
    usage = collected.usage
    calls = usage["totals"]["calls"]
    busiest = min(usage["series"], key=lambda point: (-point["calls"], point["start"]), default=None)  # the first
    if busiest is not None and busiest["calls"] == 0:
        busiest = None
    return Processed(
        collected,
        _change(calls, collected.day_before.calls),
        _change(calls, collected.week_before.calls),
        datetime.fromisoformat(busiest["start"]) if busiest is not None else None,
        busiest["calls"] if busiest is not None else 0,
        sum(call["calls"] for call in usage["undocumented"]),
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f} %"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def _signed(change: float) -> str:
    return f"{change * 100:+.0f} %"


def _against(processed: Processed) -> list[str]:
    """'914 the day before (+35 %)', '1,272 on the same day last week (-3 %)'."""
    collected = processed.collected
    parts = []
    for figures, change, when in (
        (collected.day_before, processed.calls_vs_day_before, "the day before"),
        (collected.week_before, processed.calls_vs_week_before, "on the same day last week"),
    ):
        parts.append(f"{figures.calls:,} {when}" + (f" ({_signed(change)})" if change is not None else ""))
    return parts


def headline(processed: Processed) -> str:
    """The day in a sentence."""
    collected = processed.collected
    totals = collected.usage["totals"]
    if totals["calls"] == 0:
        before = collected.day_before.calls
        return "No calls" + (f"; the day before had {before:,}." if before else ".")
    sentence = (
        f"{_count(totals['calls'], 'call')}, {_percent(totals['errorRate'])} answered 5xx, "
        f"p99 {_ms(totals['latencyMs']['p99'])}"
    )
    change = processed.calls_vs_day_before
    if change is not None and abs(change) >= 0.005:
        sentence += f"; {abs(change) * 100:.0f} % {'more' if change > 0 else 'fewer'} calls than the day before"
    return sentence + "."


def highlights(processed: Processed) -> list[str]:
    """What an owner should know of the day, each in a sentence."""
    collected = processed.collected
    usage = collected.usage
    calls = usage["totals"]["calls"]
    said = [f"Calls: {calls:,}, against " + " and ".join(_against(processed)) + "."]
    if processed.busiest_hour is not None:
        end = processed.busiest_hour + timedelta(hours=1)
        said.append(
            f"Busiest hour: {processed.busiest_hour:%H:%M}-{end:%H:%M} UTC, {_count(processed.busiest_calls, 'call')}."
        )
    if usage["topOperations"]:
        top = usage["topOperations"][0]
        said.append(
            f"Most called: {top['operation']} ({_count(top['calls'], 'call')}, {_percent(top['errorRate'])} 5xx)."
        )
    consumers = usage["consumers"]["distinct"]
    if consumers:
        said.append(f"{_count(consumers, 'consumer')} called.")
    new = collected.new_consumers
    if new:
        named = ", ".join(new[:NEW_CONSUMERS_NAMED]) + (
            f" and {len(new) - NEW_CONSUMERS_NAMED:,} more" if len(new) > NEW_CONSUMERS_NAMED else ""
        )
        said.append(f"{_count(len(new), 'new consumer')} made a first call: {named}.")
    day_end = start_of(collected.day) + DAY
    for alert in collected.alerts:
        sentence = f"Health alert {alert.rule}: {alert.summary}"
        if alert.recovered_at is not None and alert.recovered_at < day_end and alert.recovery:
            sentence += f"; {alert.recovery}"
        else:
            sentence += "; still open at the end of the day"
        said.append(sentence + ".")
    if processed.undocumented_calls:
        most = usage["undocumented"][0]
        said.append(
            f"{_count(processed.undocumented_calls, 'call')} ({processed.undocumented_calls / calls * 100:.1f} %) "
            f"to operations or status codes the spec does not document; the most: {most['call']} "
            f"({_count(most['calls'], 'call')})."
        )
    satisfaction = usage["satisfaction"]
    if satisfaction and satisfaction["votes"]:
        said.append(
            f"Docs rated helpful by {satisfaction['helpful']:,} of {_count(satisfaction['votes'], 'reader')} so far."
        )
    return said


def generate(processed: Processed, generated_at: datetime) -> dict[str, Any]:
    """The report as the contract's DailyReport."""
    collected = processed.collected
    compared = {}
    for name, figures, change, offset in (
        ("dayBefore", collected.day_before, processed.calls_vs_day_before, DAY),
        ("weekBefore", collected.week_before, processed.calls_vs_week_before, 7 * DAY),
    ):
        compared[name] = {
            "day": (collected.day - offset).isoformat(),
            "calls": figures.calls,
            "serverErrors": figures.server_errors,
            "errorRate": figures.error_rate,
            "p99Ms": figures.p99_ms,
            "callsChange": change,
        }
    new = collected.new_consumers
    return {
        "apiId": collected.api_id,
        "day": collected.day.isoformat(),
        "owner": collected.owner,
        "generatedAt": stamp(generated_at),
        "headline": headline(processed),
        "highlights": highlights(processed),
        "comparison": compared,
        "busiestHour": None
        if processed.busiest_hour is None
        else {"start": stamp(processed.busiest_hour), "calls": processed.busiest_calls},
        "newConsumers": {"count": len(new), "named": new[:NEW_CONSUMERS_NAMED]},
        "alerts": [
            {
                "alertId": alert.alert_id,
                "rule": alert.rule,
                "since": stamp(alert.since),
                "summary": alert.summary,
                "recoveredAt": stamp(alert.recovered_at) if alert.recovered_at else None,
                "recovery": alert.recovery,
            }
            for alert in collected.alerts
        ],
        "usage": collected.usage,
    }


def summary_of(report: Mapping[str, Any]) -> dict[str, Any]:
    """A report as its API's list of reports shows it."""
    totals = report["usage"]["totals"]
    return {
        "day": report["day"],
        "generatedAt": report["generatedAt"],
        "headline": report["headline"],
        "calls": totals["calls"],
        "errorRate": totals["errorRate"],
        "p99Ms": totals["latencyMs"]["p99"],
        "alerts": len(report["alerts"]),
    }


class DailyReports:
    def __init__(
        self,
        reports: UsageReports,
        usage: UsageStore,
        health: HealthStore,
        registry: RegistryRepository,
        store: ReportStore,
        publisher: EventPublisher,
        window: Callable[[], TimeWindow],
    ) -> None:
        self._reports = reports
        self._usage = usage
        self._health = health
        self._registry = registry
        self._store = store
        self._publisher = publisher
        self._window = window

    def due(self, api_id: str, now: datetime, day: date | None = None) -> list[date]:
        """The days to report now, oldest first: `day` alone when asked for (if it is complete and
        its hours are still kept); else every complete day after the last one reported - or, before
        the first report, from the first day with calls - at most CATCH_UP_DAYS back."""
        window = self._window()
        last = last_complete_day(now, timedelta(seconds=window.skew_seconds))
        if day is not None:
            kept_from = (now.astimezone(UTC) - timedelta(days=window.retention_days)).date() + DAY
            return [day] if kept_from <= day <= last else []
        earliest = last - (CATCH_UP_DAYS - 1) * DAY
        newest = self._store.page(api_id, limit=1).reports
        if newest:
            first = max(earliest, date.fromisoformat(newest[0]["day"]) + DAY)
        else:  # usage published late for days before the API's first counted call counts too
            with_calls = self._usage.calls(api_id, "ALL", start_of(earliest), start_of(last + DAY), days=True)
            if not with_calls:
                return []
            first = min(with_calls).date()
        return [first + n * DAY for n in range((last - first).days + 1)]

    def collect(self, api_id: str, day: date) -> Collected:
        start = start_of(day)
        end = start + DAY
        usage = self._reports.report(ReportQuery(api_id, start, end, "hour"))
        entry = self._registry.get_catalog_entry(api_id)
        new = sorted(consumer for consumer, seen in self._usage.first_seen(api_id).items() if start <= seen < end)
        return Collected(
            api_id,
            day,
            entry.owner if entry is not None else "unknown",
            usage,
            self._figures(api_id, start - DAY),
            self._figures(api_id, start - 7 * DAY),
            [_of_day(alert) for alert in reversed(self._health.alerts(api_id)) if _during(alert, start, end)],
            new,
        )

    def _figures(self, api_id: str, start: datetime) -> Figures:
        return Figures.of(self._reports.total(ReportQuery(api_id, start, start + DAY, "day")))

    def store(self, report: Mapping[str, Any]) -> None:
        """Keeps the report, then announces it; a retried step keeps the same report again and
        announces it with the same event id."""
        self._store.put(report)
        summary = summary_of(report)
        event = ApiDailyReportPublished(
            api_id=report["apiId"],
            owner=report["owner"],
            day=date.fromisoformat(report["day"]),
            headline=report["headline"],
            calls=summary["calls"],
            error_rate=summary["errorRate"],
            p99_ms=summary["p99Ms"],
            alerts=summary["alerts"],
        )
        key = f"{report['apiId']}/{report['day']}/{report['generatedAt']}"
        self._publisher.publish(
            [
                new_event(
                    event,
                    correlation_id=f"report-{report['apiId']}-{report['day']}",
                    producer=PRODUCER,
                    event_id=str(uuid.uuid5(_EVENT_IDS, key)),
                )
            ]
        )


def _during(alert: Alert, start: datetime, end: datetime) -> bool:
    """Open at some time of [start, end): opened before its end, not closed before its start."""
    return alert.since < end and (alert.recovered_at is None or alert.recovered_at >= start)


def _of_day(alert: Alert) -> AlertOfDay:
    recovered = alert.recovered or {}
    return AlertOfDay(
        alert.alert_id,
        alert.rule,
        alert.since,
        str(alert.degraded.get("summary", "")),
        alert.recovered_at,
        str(recovered["summary"]) if "summary" in recovered else None,
    )
