"""The seed's analytics workflow, step by step, on one API and one day: which days are due, what is
collected, the changes worked out, the report in plain words (and in the contract's shape), kept
and announced once per report however often a step is retried."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from devportal.analytics.aggregate import AggregateUsage, OperationTables
from devportal.analytics.daily import (
    CATCH_UP_DAYS,
    DailyReports,
    check_day,
    generate,
    last_complete_day,
    process,
)
from devportal.analytics.ports import Alert
from devportal.analytics.ratings import Ratings
from devportal.analytics.records import TimeWindow
from devportal.analytics.report import UsageReports
from devportal.errors import InvalidParameter
from devportal.registry.models import ApiVersionRecord
from events.analytics import ApiDailyReportPublished, ApiUsageRecorded, UsageRecord
from tests.support.contract import assert_matches_contract
from tests.support.fakes import (
    InMemoryBlobStore,
    InMemoryHealthStore,
    InMemoryRatings,
    InMemoryRegistry,
    InMemoryReportStore,
    InMemoryUsageStore,
    RecordingPublisher,
)

DAY = date(2026, 12, 3)  # a Thursday
MIDNIGHT = datetime(2026, 12, 3, tzinfo=UTC)
NOW = datetime(2026, 12, 4, 0, 30, tzinfo=UTC)  # when the daily schedule runs
WINDOW = TimeWindow(retention_days=90, skew_seconds=300)


class World:
    def __init__(self) -> None:
        self.registry, specs, self.usage = InMemoryRegistry(), InMemoryBlobStore(), InMemoryUsageStore()
        self.health, self.store, self.publisher = InMemoryHealthStore(), InMemoryReportStore(), RecordingPublisher()
        record = ApiVersionRecord("shop", "1.0.0", "Shop", "shop-team", "a" * 64, "raw", "n/1", "d", "3.1.0", 1,
                                  "sub-1", MIDNIGHT - timedelta(days=30))  # fmt: skip
        self.registry.store_version(record)
        self.registry.add_to_catalog(record)
        specs.put(
            "n/1", b'{"paths": {"/orders": {"get": {"operationId": "listOrders", "responses": {"200": {}}}}}}', "x"
        )
        self.aggregate = AggregateUsage(
            self.usage, OperationTables(self.registry, specs), WINDOW, clock=lambda: NOW,
            health=self.health, publisher=RecordingPublisher(),
        )  # fmt: skip
        self.ratings = Ratings(InMemoryRatings())
        reports = UsageReports(self.usage, self.registry, self.ratings)
        self.daily = DailyReports(
            reports, self.usage, self.health, self.registry, self.store, self.publisher, lambda: WINDOW
        )
        self._batches = 0

    def calls(self, at: datetime, n: int, **overrides: object) -> None:
        records = []
        for i in range(n):
            values: dict[str, object] = {"api_id": "shop", "version": "1.0.0", "operation_id": "listOrders",
                                         "status": 200, "latency_ms": 10.0, "timestamp": at + timedelta(seconds=i),
                                         "consumer_id": "web"}  # fmt: skip
            values.update(overrides)
            records.append(UsageRecord.model_validate(values))
        self._batches += 1
        self.aggregate(ApiUsageRecorded(batch_id=f"b-{self._batches}", publisher="shop-team", records=records))


def a_busy_thursday() -> World:
    """The week before: 40 calls. The day before: 80. The day: 100 - its busiest hour (14:00) has
    50, ten of them answered 500; a new consumer, `mobile`; 3 calls of an operation the spec does
    not declare; an error-rate alert opened at 14:00 and closed at 15:00."""
    world = World()
    world.calls(MIDNIGHT - timedelta(days=7) + timedelta(hours=10), 40)
    world.calls(MIDNIGHT - timedelta(days=1) + timedelta(hours=10), 80)
    world.calls(MIDNIGHT + timedelta(hours=9), 27)
    world.calls(MIDNIGHT + timedelta(hours=9, minutes=30), 3, operation_id="deleteOrder")
    world.calls(MIDNIGHT + timedelta(hours=14), 40)
    world.calls(MIDNIGHT + timedelta(hours=14, minutes=30), 10, status=500)
    world.calls(MIDNIGHT + timedelta(hours=20), 20, consumer_id="mobile")
    world.health.kept["shop"] = {
        "a1": Alert(
            "shop:error-rate:20261203T14",
            "error-rate",
            MIDNIGHT + timedelta(hours=14),
            {"summary": "degraded at 2026-12-03T14:00:00Z: 20.0 % of calls answered 5xx (line 5 %)"},
            MIDNIGHT + timedelta(hours=15),
            {"summary": "recovered at 2026-12-03T15:00:00Z: 0.0 % of calls answered 5xx (back under 4 %)"},
        )
    }
    world.ratings.vote("shop", "1.0.0", "reader-1", {"helpful": True}, NOW)
    world.ratings.vote("shop", "1.0.0", "reader-2", {"helpful": False, "comment": "no examples"}, NOW)
    return world


def test_a_day_is_complete_once_it_ended_and_the_skew_allowance_passed() -> None:
    skew = timedelta(minutes=5)
    assert last_complete_day(datetime(2026, 12, 4, 0, 4, tzinfo=UTC), skew) == date(2026, 12, 2)
    assert last_complete_day(datetime(2026, 12, 4, 0, 5, tzinfo=UTC), skew) == date(2026, 12, 3)
    assert last_complete_day(datetime(2026, 12, 4, 23, 59, tzinfo=UTC), skew) == date(2026, 12, 3)


def test_due_days_start_at_the_first_day_with_calls_and_never_report_a_day_twice() -> None:
    # Given calls on the week before (outside the catch-up week), the day before and the day
    world = a_busy_thursday()
    # Then a first run reports from the first day with calls in the last CATCH_UP_DAYS days
    assert world.daily.due("shop", NOW) == [DAY - timedelta(days=1), DAY]
    # When the day is reported, the next run the same night has nothing left to do
    world.daily.store(generate(process(world.daily.collect("shop", DAY)), NOW))
    assert world.daily.due("shop", NOW) == []
    # and the next night reports the one day after it, calls or not
    assert world.daily.due("shop", NOW + timedelta(days=1)) == [DAY + timedelta(days=1)]
    # An API without calls in the week has nothing due
    assert world.daily.due("other", NOW) == []


def test_days_missed_are_caught_up_a_week_at_most() -> None:
    # Given an API last reported twelve days ago (the worker was down since)
    world = a_busy_thursday()
    world.daily.store(generate(process(world.daily.collect("shop", DAY - timedelta(days=12))), NOW))
    # Then the next run reports the last CATCH_UP_DAYS days, oldest first
    due = world.daily.due("shop", NOW)
    assert due == [DAY - timedelta(days=n) for n in range(CATCH_UP_DAYS - 1, -1, -1)]


def test_usage_published_late_for_days_before_the_first_call_is_reported() -> None:
    # Given an API whose service published today's calls first, then yesterday's
    world = World()
    world.calls(NOW - timedelta(minutes=20), 5)
    world.calls(MIDNIGHT + timedelta(hours=8), 5)
    assert world.health.since["shop"] == MIDNIGHT + timedelta(days=1)
    # Then yesterday is due all the same
    assert world.daily.due("shop", NOW) == [DAY]


def test_a_day_asked_for_is_reported_again_if_complete_and_its_hours_still_kept() -> None:
    world = a_busy_thursday()
    assert world.daily.due("shop", NOW, DAY) == [DAY]
    assert world.daily.due("shop", NOW, DAY + timedelta(days=1)) == []  # not over yet
    # usage is kept 90 days: at 00:30 the first hours of 2026-09-05 have gone, a report would miss them
    assert world.daily.due("shop", NOW, date(2026, 9, 6)) == [date(2026, 9, 6)]
    assert world.daily.due("shop", NOW, date(2026, 9, 5)) == []


def test_the_day_in_plain_words_with_the_figures_it_comes_from() -> None:
    # Given the busy Thursday, when its report is collected, processed and written
    world = a_busy_thursday()
    collected = world.daily.collect("shop", DAY)
    processed = process(collected)
    report = generate(processed, NOW)

    # Then the changes are worked out against the day before and the week before
    assert (processed.calls_vs_day_before, processed.calls_vs_week_before) == (0.25, 1.5)
    assert (processed.busiest_hour, processed.busiest_calls) == (MIDNIGHT + timedelta(hours=14), 50)
    assert collected.new_consumers == ["mobile"]
    # and an owner reads the day
    assert report["headline"] == "100 calls, 10.0 % answered 5xx, p99 10 ms; 25 % more calls than the day before."
    assert report["highlights"] == [
        "Calls: 100, against 80 the day before (+25 %) and 40 on the same day last week (+150 %).",
        "Busiest hour: 14:00-15:00 UTC, 50 calls.",
        "Most called: listOrders (97 calls, 10.3 % 5xx).",
        "2 consumers called.",
        "1 new consumer made a first call: mobile.",
        "Health alert error-rate: degraded at 2026-12-03T14:00:00Z: 20.0 % of calls answered 5xx (line 5 %); "
        "recovered at 2026-12-03T15:00:00Z: 0.0 % of calls answered 5xx (back under 4 %).",
        "13 calls (13.0 %) to operations or status codes the spec does not document; the most: listOrders 500 "
        "(10 calls).",
        "Docs rated helpful by 1 of 2 readers so far.",
    ]
    assert report["comparison"]["dayBefore"] == {
        "day": "2026-12-02", "calls": 80, "serverErrors": 0, "errorRate": 0.0, "p99Ms": 10.0, "callsChange": 0.25,
    }  # fmt: skip
    assert report["busiestHour"] == {"start": "2026-12-03T14:00:00Z", "calls": 50}
    assert report["newConsumers"] == {"count": 1, "named": ["mobile"]}
    assert [a["alertId"] for a in report["alerts"]] == ["shop:error-rate:20261203T14"]
    # the day's usage, by hour, is the usage report of that day
    assert report["usage"]["from"] == "2026-12-03T00:00:00Z"
    assert report["usage"]["granularity"] == "hour"
    assert [p["calls"] for p in report["usage"]["series"]] == [30, 50, 20]
    # and the whole is what the contract promises
    assert_matches_contract("/apis/{apiId}/analytics/reports/{day}", "GET", 200, "application/json", report)


def test_a_day_without_calls_says_so_and_what_came_before() -> None:
    world = a_busy_thursday()
    quiet = generate(process(world.daily.collect("shop", DAY + timedelta(days=1))), NOW + timedelta(days=1))
    assert quiet["headline"] == "No calls; the day before had 100."
    assert quiet["highlights"][0] == "Calls: 0, against 100 the day before (-100 %) and 0 on the same day last week."
    assert quiet["busiestHour"] is None
    assert_matches_contract("/apis/{apiId}/analytics/reports/{day}", "GET", 200, "application/json", quiet)


def test_an_alert_still_open_at_the_end_of_the_day_is_said_to_be() -> None:
    world = a_busy_thursday()
    (alert,) = world.health.kept["shop"].values()
    world.health.kept["shop"] = {
        "a1": Alert(alert.alert_id, alert.rule, alert.since, alert.degraded, MIDNIGHT + timedelta(days=1, hours=2),
                    {"summary": "recovered the next day"})
    }  # fmt: skip
    report = generate(process(world.daily.collect("shop", DAY)), NOW)
    said = [line for line in report["highlights"] if line.startswith("Health alert")]
    assert said == [
        "Health alert error-rate: degraded at 2026-12-03T14:00:00Z: 20.0 % of calls answered 5xx (line 5 %); "
        "still open at the end of the day."
    ]
    # an alert closed before the day began is not the day's
    assert world.daily.collect("shop", DAY + timedelta(days=2)).alerts == []


def test_a_report_is_kept_then_announced_once_however_often_the_step_runs() -> None:
    # Given a report of the day
    world = a_busy_thursday()
    report = generate(process(world.daily.collect("shop", DAY)), NOW)
    # When the store step runs twice (a retried activity)
    world.daily.store(report)
    world.daily.store(report)
    # Then the day holds the report, listed with its headline and figures
    assert world.store.get("shop", DAY) == report
    (summary,) = world.store.page("shop", limit=10).reports
    assert summary == {
        "day": "2026-12-03", "generatedAt": "2026-12-04T00:30:00Z", "headline": report["headline"], "calls": 100,
        "errorRate": 0.1, "p99Ms": 10.0, "alerts": 1,
    }  # fmt: skip
    # and both announcements carry one event id, which consumers recognise
    published = world.publisher.published
    assert len(published) == 2
    assert published[0].metadata.event_id == published[1].metadata.event_id
    event = published[0].data
    assert isinstance(event, ApiDailyReportPublished)
    assert (event.api_id, event.owner, event.day, event.calls, event.alerts) == ("shop", "shop-team", DAY, 100, 1)
    # while a report of the same day made again later (late usage) is a new announcement
    again = generate(process(world.daily.collect("shop", DAY)), NOW + timedelta(hours=5))
    world.daily.store(again)
    assert world.publisher.published[-1].metadata.event_id != published[0].metadata.event_id


def test_reports_are_listed_newest_first_a_page_at_a_time() -> None:
    world = a_busy_thursday()
    for back in range(7):
        world.daily.store(generate(process(world.daily.collect("shop", DAY - timedelta(days=back))), NOW))
    first = world.store.page("shop", limit=3)
    assert [r["day"] for r in first.reports] == ["2026-12-03", "2026-12-02", "2026-12-01"]
    assert first.next_day == date(2026, 12, 1)
    rest = world.store.page("shop", limit=10, before=first.next_day)
    assert [r["day"] for r in rest.reports] == ["2026-11-30", "2026-11-29", "2026-11-28", "2026-11-27"]
    assert rest.next_day is None


@pytest.mark.parametrize("given", ["2026-12-3", "20261203", "2026-02-30", "yesterday", "2026-12-03T00:00:00Z", ""])
def test_a_day_that_is_not_yyyy_mm_dd_is_refused_naming_the_parameter(given: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        check_day(given, "cursor")
    assert refused.value.errors[0].parameter == "cursor"
    assert "YYYY-MM-DD" in str(refused.value)


def test_a_day_as_the_contract_writes_it_is_read() -> None:
    assert check_day("2026-12-03", "day") == DAY


def test_of_hours_equally_busy_the_first_is_the_busiest() -> None:
    world = World()
    world.calls(MIDNIGHT + timedelta(hours=15), 10)
    world.calls(MIDNIGHT + timedelta(hours=8), 10)
    processed = process(world.daily.collect("shop", DAY))
    assert (processed.busiest_hour, processed.busiest_calls) == (MIDNIGHT + timedelta(hours=8), 10)
