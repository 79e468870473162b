"""Checking an API's health: its complete hours not yet evaluated, read against the rules
(devportal.analytics.health), the alerts they open or close announced and kept.

Announce, then keep: the events go out before the new state is written, with ids derived from the
alert and its change, so an evaluation that fails half-way is simply run again - it computes the
same changes, publishes copies that consumers recognise by their ids, and writes the state. Two
evaluations of one API at once cannot both write: the state is written on the condition that its
revision is the one read, and the loser reads again (and finds nothing left to do).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from devportal.analytics.health import (
    HOUR,
    TRAILING_WEEKS,
    WEEK,
    Change,
    HourSeen,
    Thresholds,
    baseline_for,
    describe,
    evaluate,
    hours_due,
    last_complete_hour,
    overridden,
)
from devportal.analytics.ports import Alert, HealthStore, UsageStore
from devportal.registry.ports import EventPublisher, RegistryRepository
from events.analytics import ApiHealthDegraded, ApiHealthRecovered
from events.envelope import Envelope, new_event

_ATTEMPTS = 3
_EVENT_IDS = uuid.UUID("5f0c8f52-4a51-4c2e-9d0e-6d1a3c5e7b90")  # the namespace of alert event ids


@dataclass(frozen=True)
class Checked:
    api_id: str
    hours: int  # hours evaluated now
    changes: tuple[Change, ...]
    status: str  # "healthy" | "degraded"
    through: datetime | None


class CheckHealth:
    def __init__(
        self,
        usage: UsageStore,
        health: HealthStore,
        registry: RegistryRepository,
        publisher: EventPublisher,
        defaults: Callable[[], Thresholds],
        skew: Callable[[], timedelta],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._usage = usage
        self._health = health
        self._registry = registry
        self._publisher = publisher
        self._defaults = defaults
        self._skew = skew
        self._clock = clock

    def last_complete(self, now: datetime) -> datetime:
        return last_complete_hour(now, self._skew())

    def thresholds(self, api_id: str) -> Thresholds:
        return overridden(self._defaults(), self._health.record(api_id).overrides)

    def __call__(self, api_id: str, *, through: datetime | None = None) -> Checked:
        """Evaluates the API's complete hours up to `through` (default: the last complete hour)."""
        last = through if through is not None else self.last_complete(self._clock())
        for _ in range(_ATTEMPTS):
            record = self._health.record(api_id)
            thresholds = overridden(self._defaults(), record.overrides)
            due = hours_due(record.state, last)
            if not due:
                return Checked(api_id, 0, (), record.state.status(), record.state.evaluated_through)
            state, changes = evaluate(api_id, record.state, self._seen(api_id, due), thresholds)
            if changes:
                self._announce(api_id, changes)
            if self._health.save(api_id, state, alerts_of(changes)):
                return Checked(api_id, len(due), tuple(changes), state.status(), state.evaluated_through)
        raise RuntimeError(f"the health of {api_id} kept changing under {_ATTEMPTS} evaluations")

    def _seen(self, api_id: str, due: list[datetime]) -> list[HourSeen]:
        start, end = due[0], due[-1] + HOUR
        hours = dict(self._usage.read(api_id, "ALL", start, end))
        back = start - TRAILING_WEEKS * WEEK
        calls = self._usage.calls(api_id, "ALL", back, end - WEEK)
        days = set(self._usage.calls(api_id, "ALL", back.replace(hour=0), end - WEEK, days=True))
        return [HourSeen(hour, hours.get(hour), baseline_for(hour, calls, days)) for hour in due]

    def _announce(self, api_id: str, changes: list[Change]) -> None:
        entry = self._registry.get_catalog_entry(api_id)
        owner = entry.owner if entry is not None else "unknown"
        events: list[Envelope[Any]] = []
        for change in changes:
            common: dict[str, Any] = {
                "alert_id": change.alert_id,
                "api_id": api_id,
                "owner": owner,
                "rule": change.rule,
                "hour": change.hour,
                "value": change.reading.value,
                "line": change.reading.line,
                "summary": describe(change),
                "evidence": dict(change.reading.evidence),
            }
            data = (
                ApiHealthDegraded(**common)
                if change.kind == "degraded"
                else ApiHealthRecovered(**common, since=change.since)
            )
            events.append(
                new_event(
                    data,
                    correlation_id=change.alert_id,
                    producer="temporal_bridge/ApiHealthWorkflow",
                    event_id=str(uuid.uuid5(_EVENT_IDS, f"{change.alert_id}/{change.kind}")),
                )
            )
        for start in range(0, len(events), 10):  # PutEvents takes 10 entries at most
            self._publisher.publish(events[start : start + 10])


def reading_of(change: Change) -> dict[str, Any]:
    return {
        "hour": change.hour,
        "value": change.reading.value,
        "line": change.reading.line,
        "summary": describe(change),
        "evidence": dict(change.reading.evidence),
    }


def alerts_of(changes: list[Change]) -> list[Alert]:
    """The alerts to keep: one per alert id, an alert opened and closed by the same evaluation
    written whole. A closing alone carries no opening reading (the store has it)."""
    alerts: dict[str, Alert] = {}
    for change in changes:
        if change.kind == "degraded":
            alerts[change.alert_id] = Alert(change.alert_id, change.rule, change.since, reading_of(change))
        else:
            opened = alerts.get(change.alert_id)
            degraded = opened.degraded if opened is not None else {}
            alerts[change.alert_id] = Alert(
                change.alert_id, change.rule, change.since, degraded, change.hour, reading_of(change)
            )
    return list(alerts.values())
