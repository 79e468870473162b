"""Checking a usage batch record by record.

A batch is `{"batchId": "...", "records": [...]}`. What is wrong with the batch as a whole (not an
object, no batch id, no records, too many) refuses it; what is wrong with one record refuses that
record only, reported by its index with a JSON pointer and a sentence saying what was expected, and
the rest of the batch goes on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from devportal.errors import FieldError, InvalidUsageBatch
from events.analytics import MAX_RECORDS, UsageRecord

_PRINTABLE_ID = re.compile(r"^[!-~]{1,128}$")

# What each field must be, in the words a refusal uses.
EXPECTED: Mapping[str, str] = {
    "apiId": "the API's id in the catalog (lower-case letters, digits and dashes)",
    "version": "the registered version the call was served by",
    "operationId": "the operation's operationId (1-256 characters)",
    "method": "an HTTP method (get, put, post, delete, options, head, patch or trace)",
    "path": "the path called or its template, starting with /",
    "status": "the HTTP status code returned, an integer from 100 to 599",
    "latencyMs": "the time to answer in milliseconds, a number from 0 to 3600000",
    "timestamp": "when the call was served, an RFC 3339 date-time with its offset (2026-12-04T10:15:00Z)",
    "consumerId": "who called, 1-128 printable characters without spaces",
}


@dataclass(frozen=True)
class RecordRefused:
    index: int
    pointer: str
    detail: str


@dataclass(frozen=True)
class CheckedBatch:
    batch_id: str
    accepted: tuple[tuple[int, UsageRecord], ...]  # (index in the batch, record)
    refused: tuple[RecordRefused, ...]


@dataclass(frozen=True)
class TimeWindow:
    """Records older than the retention window, or further in the future than clock skew
    explains, are refused: the first would land in hours already reported and expired, the second
    in hours not yet lived."""

    retention_days: int
    skew_seconds: int

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """The oldest and the latest timestamp counted now."""
        return now - timedelta(days=self.retention_days), now + timedelta(seconds=self.skew_seconds)

    def refusal(self, timestamp: datetime, now: datetime) -> str | None:
        oldest, latest = self.bounds(now)
        if timestamp < oldest:
            return f"is older than the {self.retention_days}-day retention window"
        if timestamp > latest:
            return f"is more than {self.skew_seconds} s in the future (the clock-skew allowance)"
        return None


def check_batch(body: object, *, now: datetime, window: TimeWindow) -> CheckedBatch:
    if not isinstance(body, dict):
        raise InvalidUsageBatch(
            'The body must be a JSON object: {"batchId": "...", "records": [...]}.',
            [FieldError(detail="not an object", pointer="")],
        )
    batch_id = body.get("batchId")
    if not isinstance(batch_id, str) or not _PRINTABLE_ID.fullmatch(batch_id):
        raise InvalidUsageBatch(
            "`batchId` must be 1-128 printable characters without spaces, the same on every retry of the "
            "batch (a retried batch is counted once).",
            [FieldError(detail="required" if batch_id is None else "invalid", pointer="/batchId")],
        )
    records = body.get("records")
    if not isinstance(records, list) or not records:
        raise InvalidUsageBatch(
            f"`records` must be an array of 1 to {MAX_RECORDS} usage records.",
            [FieldError(detail="required" if records is None else "invalid", pointer="/records")],
        )
    if len(records) > MAX_RECORDS:
        raise InvalidUsageBatch(
            f"A batch holds at most {MAX_RECORDS} records; this one has {len(records)}. Send the rest in "
            "another batch, with its own batchId.",
            [FieldError(detail="too many", pointer="/records")],
        )
    unknown = sorted(set(body) - {"batchId", "records"})
    if unknown:
        raise InvalidUsageBatch(
            f"Unknown member `{unknown[0][:40]}`: a batch has only `batchId` and `records`.",
            [FieldError(detail="unknown member", pointer=f"/{_escape(unknown[0][:40])}")],
        )

    accepted: list[tuple[int, UsageRecord]] = []
    refused: list[RecordRefused] = []
    for index, raw in enumerate(records):
        outcome = _check_record(index, raw, now, window)
        if isinstance(outcome, RecordRefused):
            refused.append(outcome)
        else:
            accepted.append((index, outcome))
    return CheckedBatch(batch_id, tuple(accepted), tuple(refused))


def _check_record(index: int, raw: object, now: datetime, window: TimeWindow) -> UsageRecord | RecordRefused:
    at = f"/records/{index}"
    if not isinstance(raw, dict):
        return RecordRefused(index, at, f"record {index} is not a JSON object")
    try:
        record = UsageRecord.model_validate(raw)
    except ValidationError as invalid:
        return _first_refusal(index, raw, invalid)
    late_or_early = window.refusal(record.timestamp, now)
    if late_or_early:
        return RecordRefused(
            index, f"{at}/timestamp", f"record {index}: `timestamp` {record.timestamp.isoformat()} {late_or_early}"
        )
    return record


def _first_refusal(index: int, raw: Mapping[str, Any], invalid: ValidationError) -> RecordRefused:
    error = invalid.errors(include_url=False)[0]
    location = [str(part) for part in error["loc"]]
    at = f"/records/{index}"
    if not location:  # the record as a whole: it names no operation
        return RecordRefused(index, at, f"record {index}: {error['msg'].removeprefix('Value error, ')}")
    name = location[0]
    pointer = f"{at}/{_escape(name)}"
    if error["type"] == "extra_forbidden":
        known = ", ".join(f"`{field}`" for field in EXPECTED)
        return RecordRefused(index, pointer, f"record {index}: unknown member `{name[:40]}`; a record has {known}")
    expected = EXPECTED.get(name, "")
    if error["type"] == "missing":
        return RecordRefused(index, pointer, f"record {index}: `{name}` is required: {expected}")
    return RecordRefused(index, pointer, f"record {index}: `{name}` is {_brief(raw.get(name))}; expected {expected}")


def _brief(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
