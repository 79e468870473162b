"""GET /apis/{apiId}/health as its readers see it, and a team's lines refused member by member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal.analytics.alerts import CheckHealth
from devportal.analytics.health import Thresholds
from devportal.analytics.overview import HealthOverview, check_overrides
from devportal.errors import InvalidParameter
from tests.unit.test_check_health import START, World


def test_lines_are_checked_member_by_member_in_plain_words() -> None:
    assert check_overrides({"errorRate": 0.1, "minCalls": 5.0}) == {"errorRate": 0.1, "minCalls": 5}
    assert check_overrides({}) == {}
    with pytest.raises(InvalidParameter) as refused:
        check_overrides({"errorRate": 5, "p99Ms": "2s", "minCalls": 0.5, "trafficSigma": True, "bogus": 1})
    by_pointer = {error.pointer: error.detail for error in refused.value.errors}
    assert by_pointer == {
        "/errorRate": "`errorRate` is 5; expected a share of calls answered 5xx, above 0 and below 1 (0.05 is 5 %)",
        "/p99Ms": '`p99Ms` is "2s"; expected a latency in milliseconds, above 0 and at most 3600000',
        "/minCalls": "`minCalls` is 0.5; expected a whole number of calls, at least 1 and at most 1000000",
        "/trafficSigma": "`trafficSigma` is true; expected a number of standard deviations, above 0 and at most 100",
        "/bogus": "unknown member `bogus`; the lines are `errorRate`, `p99Ms`, `trafficSigma`, `minCalls`",
    }
    with pytest.raises(InvalidParameter):
        check_overrides({"errorRate": 1.0})
    with pytest.raises(InvalidParameter):
        check_overrides({"p99Ms": float("nan")})


def test_the_view_shows_rules_lines_overrides_and_alerts() -> None:
    world = World()
    world.hour(1, 200, errors=40)
    world.health.note_traffic("shop", START)
    check: CheckHealth = world.check
    check("shop")
    world.health.set_thresholds("shop", {"p99Ms": 500.0}, "alice", START + timedelta(hours=5))
    view = HealthOverview(world.health, Thresholds).view("shop")
    assert view["status"] == "degraded"
    assert view["checked"] is True
    assert view["evaluatedThrough"] == "2026-12-04T08:00:00Z"
    rules = {rule["rule"]: rule for rule in view["rules"]}
    assert rules["error-rate"] == {
        "rule": "error-rate",
        "status": "degraded",
        "line": 0.05,
        "alertId": "shop:error-rate:20261204T07",
        "since": "2026-12-04T07:00:00Z",
    }
    assert rules["latency-p99"]["line"] == 500.0
    assert view["thresholds"]["p99Ms"] == 500.0
    assert view["defaults"]["p99Ms"] == 2000.0
    assert (view["overrides"], view["overriddenBy"]) == ({"p99Ms": 500.0}, "alice")
    (alert,) = view["alerts"]
    assert alert["status"] == "open"
    assert alert["degraded"]["hour"] == "2026-12-04T07:00:00Z"
    assert alert["degraded"]["summary"].startswith("degraded at 2026-12-04T07:00:00Z: 20.0 % of calls")
    assert alert["recovered"] is None
    assert datetime.fromisoformat(alert["since"]) == START + timedelta(hours=1)
    assert START.tzinfo is UTC
