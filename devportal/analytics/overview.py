"""An API's health as its readers see it (`GET /apis/{apiId}/health`): each rule's state and line,
the lines in effect and where they come from, the alert history; and the owning team's own lines
(`PUT /apis/{apiId}/health/thresholds`), checked member by member."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from devportal.analytics.health import RULES, Thresholds, overridden
from devportal.analytics.ports import Alert, HealthStore
from devportal.analytics.usage import stamp
from devportal.errors import FieldError, InvalidParameter

# member -> (type, low, high, what a reader is told it is)
_LINES: dict[str, tuple[type, float, float, str]] = {
    "errorRate": (float, 0.0, 1.0, "a share of calls answered 5xx, above 0 and below 1 (0.05 is 5 %)"),
    "p99Ms": (float, 0.0, 3_600_000.0, "a latency in milliseconds, above 0 and at most 3600000"),
    "trafficSigma": (float, 0.0, 100.0, "a number of standard deviations, above 0 and at most 100"),
    "minCalls": (int, 0, 1_000_000, "a whole number of calls, at least 1 and at most 1000000"),
}


def check_overrides(body: Mapping[str, Any]) -> dict[str, float | int]:
    """A team's lines: any of the four members (the others stay at the defaults); `{}` resets."""
    problems: list[FieldError] = []
    checked: dict[str, float | int] = {}
    for name, value in body.items():
        pointer = "/" + name.replace("~", "~0").replace("/", "~1")
        if name not in _LINES:
            known = ", ".join(f"`{member}`" for member in _LINES)
            problems.append(FieldError(detail=f"unknown member `{name[:40]}`; the lines are {known}", pointer=pointer))
            continue
        kind, low, high, expected = _LINES[name]
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if kind is int:
            fits = number and float(value).is_integer() and low < value <= high
        else:
            fits = number and math.isfinite(value) and low < value <= high and not (name == "errorRate" and value >= 1)
        if not fits:
            problems.append(FieldError(detail=f"`{name}` is {_brief(value)}; expected {expected}", pointer=pointer))
            continue
        checked[name] = int(value) if kind is int else float(value)
    if problems:
        raise InvalidParameter(
            "The health thresholds are not usable: " + "; ".join(p.detail for p in problems), problems
        )
    return checked


def _brief(value: object) -> str:
    text = (
        f'"{value}"' if isinstance(value, str) else repr(value) if not isinstance(value, bool) else str(value).lower()
    )
    return text if len(text) <= 40 else text[:37] + "..."


class HealthOverview:
    def __init__(self, health: HealthStore, defaults: Callable[[], Thresholds]) -> None:
        self._health = health
        self._defaults = defaults

    def view(self, api_id: str, limit: int = 50) -> dict[str, Any]:
        record = self._health.record(api_id)
        defaults = self._defaults()
        lines = overridden(defaults, record.overrides)
        state = record.state
        rules = []
        for rule in RULES:
            opened = state.open.get(rule)
            rules.append(
                {
                    "rule": rule,
                    "status": "degraded" if opened is not None else "healthy",
                    "line": lines.line(rule),
                    "alertId": opened.alert_id if opened is not None else None,
                    "since": stamp(opened.since) if opened is not None else None,
                }
            )
        return {
            "apiId": api_id,
            "status": state.status(),
            "checked": self._health.has_traffic(api_id),
            "evaluatedThrough": stamp(state.evaluated_through) if state.evaluated_through else None,
            "rules": rules,
            "thresholds": lines.to_wire(),
            "defaults": defaults.to_wire(),
            "overrides": dict(record.overrides),
            "overriddenBy": record.overridden_by,
            "overriddenAt": stamp(record.overridden_at) if record.overridden_at else None,
            "alerts": [_alert_view(alert) for alert in self._health.alerts(api_id, limit)],
        }

    def set_lines(self, api_id: str, overrides: Mapping[str, float | int], by: str, at: datetime) -> None:
        self._health.set_thresholds(api_id, overrides, by, at)


def _alert_view(alert: Alert) -> dict[str, Any]:
    return {
        "alertId": alert.alert_id,
        "rule": alert.rule,
        "status": "open" if alert.recovered_at is None else "closed",
        "since": stamp(alert.since),
        "degraded": _reading(alert.degraded),
        "recoveredAt": stamp(alert.recovered_at) if alert.recovered_at else None,
        "recovered": _reading(alert.recovered) if alert.recovered else None,
    }


def _reading(reading: Mapping[str, Any]) -> dict[str, Any]:
    hour = reading.get("hour")
    if isinstance(hour, str):  # as the table keeps it
        hour = datetime.fromisoformat(hour)
    return {
        "hour": stamp(hour) if isinstance(hour, datetime) else None,
        "value": reading.get("value"),
        "line": reading.get("line"),
        "summary": reading.get("summary"),
        "evidence": reading.get("evidence", {}),
    }
