"""Test schedules: what a team may write as its cron expression, and the calendar it becomes."""

from __future__ import annotations

import pytest

from devportal.errors import ConstraintViolated, InvalidParameter
from devportal.testing.runs import check_settings
from devportal.testing.schedules import check_schedule, parse_cron

pytestmark = pytest.mark.unit


def test_a_weekday_morning_becomes_ranges_per_field() -> None:
    calendar = parse_cron("15 6 * * MON-FRI")
    assert calendar.of("minute") == ((15, 15, 1),)
    assert calendar.of("hour") == ((6, 6, 1),)
    assert calendar.of("day-of-month") == ((1, 31, 1),)
    assert calendar.of("day-of-week") == ((1, 5, 1),)
    assert calendar.cron == "15 6 * * MON-FRI"


@pytest.mark.parametrize(
    ("cron", "field", "ranges"),
    [
        ("*/15 * * * *", "minute", ((0, 59, 15),)),
        ("0,30 * * * *", "minute", ((0, 0, 1), (30, 30, 1))),
        ("5/20 * * * *", "minute", ((5, 59, 20),)),
        ("0 0 1 jan,jul *", "month", ((1, 1, 1), (7, 7, 1))),
        ("0 0 * * 7", "day-of-week", ((0, 0, 1),)),  # Sunday, counted 7
        ("0 0 * * 5-7", "day-of-week", ((5, 6, 1), (0, 0, 1))),
        ("@daily", "hour", ((0, 0, 1),)),
        ("@hourly", "hour", ((0, 23, 1),)),
    ],
)
def test_cron_forms(cron: str, field: str, ranges: tuple[tuple[int, int, int], ...]) -> None:
    assert parse_cron(cron).of(field) == ranges


@pytest.mark.parametrize(
    ("cron", "words", "refusal"),
    [
        # not five fields: its form is wrong (the contract's pattern says so too): a 400
        ("0 6 * *", "it has 4 fields; cron takes five", InvalidParameter),
        # five fields whose values no schema checks: a 422
        ("61 * * * *", "the minute field has 61, outside 0-59", ConstraintViolated),
        ("0 24 * * *", "the hour field has 24, outside 0-23", ConstraintViolated),
        ("0 0 0 * *", "the day-of-month field has 0, outside 1-31", ConstraintViolated),
        ("0 0 * FOO *", "the month field has 'FOO', which is neither a number nor a name", ConstraintViolated),
        ("0 0 * * 5-2", "the day-of-week field has the range 5-2, which runs backwards", ConstraintViolated),
        ("*/0 * * * *", "the minute field has a step of 0", ConstraintViolated),
        ("0 0 1 * MON", "narrows both the day of the month and the day of the week", ConstraintViolated),
        ("0 ** * * *", "the hour field has '**', which is not `*`, a value, a range or a step", ConstraintViolated),
        ("@yearly", "@yearly is not one of @hourly, @daily, @midnight, @weekly, @monthly", ConstraintViolated),
    ],
)
def test_a_wrong_cron_says_what_is_wrong(cron: str, words: str, refusal: type[Exception]) -> None:
    with pytest.raises((InvalidParameter, ConstraintViolated)) as refused:
        check_schedule({"cron": cron})
    assert type(refused.value) is refusal
    assert words in refused.value.detail
    assert [error.pointer for error in refused.value.errors] == ["/cron"]


def test_a_schedule_names_a_real_time_zone_and_nothing_else() -> None:
    assert check_schedule({"cron": "0 6 * * *", "timeZone": "Europe/Berlin"}).time_zone == "Europe/Berlin"
    assert check_schedule({"cron": "0 6 * * *"}).time_zone == "UTC"
    with pytest.raises(InvalidParameter) as refused:
        check_schedule({"cron": "0 6 * * *", "every": "day"})
    assert [error.pointer for error in refused.value.errors] == ["/every"]
    # a well-formed name that is no time zone breaks a rule the schema cannot say: a 422
    with pytest.raises(ConstraintViolated) as unknown:
        check_schedule({"cron": "0 6 * * *", "timeZone": "Mars/Olympus"})
    assert "'Mars/Olympus' is not a time zone name" in unknown.value.detail
    assert [error.pointer for error in unknown.value.errors] == ["/timeZone"]


def test_an_environment_named_twice_is_refused_by_its_second_place() -> None:
    with pytest.raises(ConstraintViolated) as twice:
        check_settings(
            {
                "environments": [
                    {"name": "a", "baseUrl": "https://a.example"},
                    {"name": "a", "baseUrl": "https://b.example"},
                ]
            }
        )
    assert [error.pointer for error in twice.value.errors] == ["/environments/1/name"]
    assert "named twice" in twice.value.detail
