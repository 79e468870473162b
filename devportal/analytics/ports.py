"""What the analytics core needs from the outside world."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from devportal.analytics.health import HealthState
from devportal.analytics.usage import Bucket, Usage


@dataclass(frozen=True)
class Applied:
    buckets: int  # buckets (hours and days, at their scopes) that took this delivery's counts
    already: int  # buckets this delivery had already been counted in (a redelivery)


class UsageStore(Protocol):
    """Usage per API and scope, by hour (and by day for the API and version scopes)."""

    def apply(self, delivery: str, buckets: Mapping[Bucket, Usage]) -> Applied:
        """Adds each bucket's usage to what the store holds, exactly once per `delivery` (a
        deterministic name for these records, the same when they arrive again): a bucket that
        has taken this delivery's counts before is left as it is."""
        ...

    def note_first_seen(self, api_id: str, consumers: Mapping[str, datetime]) -> None:
        """Each consumer's first call to the API (the hour it fell in) is the earliest of what the
        store holds and `consumers` (idempotent: noting the same call again moves nothing)."""
        ...

    def first_seen(self, api_id: str) -> dict[str, datetime]:
        """Every consumer of the API with its first call."""
        ...

    def read(
        self, api_id: str, scope: str, start: datetime, end: datetime, *, days: bool = False
    ) -> list[tuple[datetime, Usage]]:
        """The hours of `scope` that overlap [start, end), in order - or, with `days`, the days
        (kept for the ALL and V# scopes); periods without calls are absent."""
        ...

    def calls(
        self, api_id: str, scope: str, start: datetime, end: datetime, *, days: bool = False
    ) -> dict[datetime, int]:
        """The calls alone of what `read` would give (a small read: no counts, no sketches)."""
        ...


@dataclass(frozen=True)
class Alert:
    """A health alert as kept for its API's history: opened by one hour, closed by a later one."""

    alert_id: str
    rule: str
    since: datetime
    degraded: Mapping[str, Any]  # the reading that opened it: value, line, summary, evidence
    recovered_at: datetime | None = None
    recovered: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class HealthRecord:
    state: HealthState
    overrides: Mapping[str, Any]  # the owning team's thresholds (wire names), over the defaults
    overridden_by: str | None = None
    overridden_at: datetime | None = None


class HealthStore(Protocol):
    """Which APIs have traffic, and each one's health: its rules' state, alerts and thresholds."""

    def note_traffic(self, api_id: str, since: datetime) -> bool:
        """Marks the API as having traffic from `since`; True the first time only."""
        ...

    def has_traffic(self, api_id: str) -> bool: ...

    def traffic(self) -> Iterator[tuple[str, datetime]]:
        """Every API with traffic and the hour of its first call, by API id."""
        ...

    def reports_unscheduled(self, limit: int) -> list[str]:
        """APIs with traffic not yet known to have their daily report schedule (their first usage
        was counted before daily reports existed), at most `limit`."""
        ...

    def note_reports_scheduled(self, api_id: str) -> None: ...

    def record(self, api_id: str) -> HealthRecord: ...

    def save(self, api_id: str, state: HealthState, alerts: Sequence[Alert]) -> bool:
        """Writes the state (and the alerts opened or closed with it) if nobody wrote since
        `state.rev` was read; False when somebody did."""
        ...

    def alerts(self, api_id: str, limit: int = 50) -> list[Alert]:
        """The most recent alerts first."""
        ...

    def set_thresholds(self, api_id: str, overrides: Mapping[str, Any], by: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class ReportPage:
    reports: list[dict[str, Any]]  # each day's summary (day, generatedAt, headline, figures), newest first
    next_day: date | None  # the cursor of the next page (its first day is before this one)


class ReportStore(Protocol):
    """The daily analytics reports of each API, kept by day (UTC)."""

    def put(self, report: Mapping[str, Any]) -> None:
        """Keeps the report (a DailyReport of the contract) as its API's report of its day,
        replacing the one kept before for that day."""
        ...

    def get(self, api_id: str, day: date) -> dict[str, Any] | None: ...

    def page(self, api_id: str, *, limit: int, before: date | None = None) -> ReportPage:
        """The summaries of the API's reports, newest first, of days before `before`."""
        ...
