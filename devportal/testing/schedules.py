"""An API's contract-test schedule: a cron expression in a time zone, the environment it tests, and
whether it is paused. Temporal Schedules run it (temporal_bridge.schedules); this module checks
what the owning team sends and turns the cron expression into the calendar Temporal keeps.

Cron here is the classic five fields, `minute hour day-of-month month day-of-week`, each `*`, a
number, a range `a-b`, a list `a,b` and an optional step `/n`; months and days may be named
(`JAN`, `MON`), Sunday is 0 or 7, and `@hourly`, `@daily`, `@weekly`, `@monthly` stand for their
usual expressions. A day of the month and a day of the week cannot both be narrowed: classic
cron would run on either, a calendar only on both, and the portal will not guess which was meant.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import Field, ValidationError

from devportal.bodies import JsonBody, invalid_body
from devportal.errors import ConstraintViolated, FieldError, InvalidParameter
from events.testing import ENVIRONMENT

MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# Five fields, or a macro: the form the contract states (TestSchedule.cron); the values are checked here.
CRON_SHAPE = r"^\s*(?:@[A-Za-z]+|\S+(?:\s+\S+){4})\s*$"
_ITEM = re.compile(r"^(?P<range>\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(?P<step>[0-9]+))?$")


@dataclass(frozen=True)
class CronField:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    first_name: int = 0  # the number the first name stands for

    def value(self, text: str) -> int:
        upper = text.upper()
        if upper in self.names:
            return self.names.index(upper) + self.first_name
        if not text.isdigit():
            raise ValueError(f"the {self.name} field has {text!r}, which is neither a number nor a name")
        number = int(text)
        if not self.low <= number <= self.high:
            raise ValueError(f"the {self.name} field has {number}, outside {self.low}-{self.high}")
        return number


FIELDS = (
    CronField("minute", 0, 59),
    CronField("hour", 0, 23),
    CronField("day-of-month", 1, 31),
    CronField("month", 1, 12, _MONTHS, 1),
    CronField("day-of-week", 0, 7, _DAYS, 0),
)

Range = tuple[int, int, int]  # start, end, step (both ends included)


@dataclass(frozen=True)
class Calendar:
    """A cron expression as ranges per field, in FIELDS order (what a Temporal calendar holds)."""

    cron: str
    fields: tuple[tuple[Range, ...], ...]

    def of(self, name: str) -> tuple[Range, ...]:
        return self.fields[[f.name for f in FIELDS].index(name)]


def parse_cron(text: str) -> Calendar:
    """The calendar a cron expression stands for; ValueError saying what is wrong, in words."""
    if text.strip().startswith("@") and text.strip().lower() not in MACROS:
        raise ValueError(f"{text.strip()} is not one of {', '.join(MACROS)}")
    expression = MACROS.get(text.strip().lower(), text.strip())
    parts = expression.split()
    if len(parts) != len(FIELDS):
        raise ValueError(
            f"it has {len(parts)} field{'s' if len(parts) != 1 else ''}; cron takes five: "
            "minute hour day-of-month month day-of-week (for example `0 6 * * 1-5`)"
        )
    fields = tuple(_field(spec, part) for spec, part in zip(FIELDS, parts, strict=True))
    days_of_month, days_of_week = parts[2], parts[4]
    if days_of_month not in ("*", "?") and days_of_week not in ("*", "?"):
        raise ValueError("it narrows both the day of the month and the day of the week; give one of them as `*`")
    return Calendar(text.strip(), fields)


def _field(spec: CronField, part: str) -> tuple[Range, ...]:
    ranges = []
    for item in part.split(","):
        matched = _ITEM.match("*" if item == "?" else item)
        if matched is None:
            raise ValueError(f"the {spec.name} field has {item!r}, which is not `*`, a value, a range or a step")
        step = int(matched["step"]) if matched["step"] is not None else 1
        if step < 1:
            raise ValueError(f"the {spec.name} field has a step of 0")
        text = matched["range"]
        if text == "*":
            start, end = spec.low, spec.high
        elif "-" in text:
            first, last = text.split("-")
            start, end = spec.value(first), spec.value(last)
            if start > end:
                raise ValueError(f"the {spec.name} field has the range {text}, which runs backwards")
        else:
            start = spec.value(text)
            end = spec.high if matched["step"] is not None else start
        ranges.extend(_sunday_as_zero(spec, start, end, step))
    return tuple(ranges)


def _sunday_as_zero(spec: CronField, start: int, end: int, step: int) -> list[Range]:
    """Day of week 7 is Sunday, as 0 is (Temporal counts 0-6)."""
    if spec.name != "day-of-week" or end < 7:
        return [(start, end, step)]
    ranges = []
    if start <= 6:
        ranges.append((start, 6, step))
    if (7 - start) % step == 0:
        ranges.append((0, 0, 1))
    return ranges


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


class TestSchedule(JsonBody):
    """What the owning team sets: when runs start, in which time zone, against which environment."""

    __test__ = False

    cron: str = Field(min_length=1, max_length=100)
    time_zone: str = Field(default="UTC", alias="timeZone", min_length=1, max_length=64)
    environment: str | None = Field(default=None, pattern=ENVIRONMENT)
    paused: bool = False

    def calendar(self) -> Calendar:
        return parse_cron(self.cron)


def check_schedule(body: Mapping[str, Any]) -> TestSchedule:
    """The schedule in a PUT body: a 400 naming each member that is wrong in form, a 422 for what
    its schema cannot say - a cron field's value out of its range, a time zone the time zone
    database does not have."""
    try:
        schedule = TestSchedule.model_validate(body)
    except ValidationError as error:
        raise invalid_body("The schedule's members", error) from None
    try:
        parse_cron(schedule.cron)
    except ValueError as why:
        if not re.fullmatch(CRON_SHAPE, schedule.cron):  # not even five fields: its form is wrong
            raise InvalidParameter(
                f"The schedule's members are not valid: /cron: {why}.", [FieldError(detail=str(why), pointer="/cron")]
            ) from None
        raise ConstraintViolated(
            f"The cron expression {schedule.cron!r} cannot be used: {why}.",
            [FieldError(detail=str(why), pointer="/cron")],
        ) from None
    if schedule.time_zone not in _time_zones():
        raise ConstraintViolated(
            f"{schedule.time_zone!r} is not a time zone name (IANA, for example `Europe/Berlin` or `UTC`).",
            [FieldError(detail="unknown time zone", pointer="/timeZone")],
        )
    return schedule
