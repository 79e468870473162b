"""`POST /usage`: a service of a team reports calls to the team's APIs.

Every record is checked on its own (devportal.analytics.records, then: the API is in the catalog,
it belongs to the publishing team, the version is registered); the accepted ones go on the bus as
`ApiUsageRecorded`, in parts small enough for an event, and the aggregator counts them. Retrying
the same batch (same `batchId`, same records) publishes the same parts, which the aggregator counts
once. Nothing is written before the event is published, so a failed publish (503) loses nothing
the client was told was accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from devportal.analytics.aggregate import OperationTables, Refusal
from devportal.analytics.records import RecordRefused, TimeWindow, check_batch
from devportal.errors import DependencyUnavailable, FieldError, InvalidUsageBatch, UsageBatchTooLarge
from devportal.registry.ports import EventPublisher, PublishFailed
from events.analytics import ApiUsageRecorded, UsageRecord
from events.envelope import new_event

PRODUCER = "functions/record_usage"
MAX_BATCH_BYTES = 256 * 1024
# EventBridge takes entries up to 256 KB; a part stays well below, envelope included.
MAX_PART_BYTES = 200 * 1024


@dataclass(frozen=True)
class Recorded:
    batch_id: str
    accepted: int
    refused: tuple[RecordRefused, ...]
    parts: int


class RecordUsage:
    def __init__(
        self,
        tables: OperationTables,
        publisher: EventPublisher,
        window: TimeWindow | Callable[[], TimeWindow],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._tables = tables
        self._publisher = publisher
        self._window = window if callable(window) else (lambda: window)
        self._clock = clock

    def __call__(self, body: bytes, *, team: str, correlation_id: str) -> Recorded:
        if len(body) > MAX_BATCH_BYTES:
            raise UsageBatchTooLarge(
                f"The batch is {len(body):,} bytes; the limit is {MAX_BATCH_BYTES:,}. Send fewer records per batch.",
                [FieldError(detail="too large", pointer="")],
            )
        try:
            parsed = orjson.loads(body or b"null")
        except orjson.JSONDecodeError:
            raise InvalidUsageBatch("The body is not JSON.", [FieldError(detail="not JSON", pointer="")]) from None
        checked = check_batch(parsed, now=self._clock(), window=self._window())
        refused = list(checked.refused)
        accepted: list[UsageRecord] = []
        for index, record in checked.accepted:
            admitted = self._tables.admit(record, team)
            if not isinstance(admitted, Refusal):
                accepted.append(record)
                continue
            refused.append(
                RecordRefused(index, f"/records/{index}/{admitted.member}", f"record {index}: {admitted.detail}")
            )
        refused.sort(key=lambda each: each.index)
        if not accepted:
            raise InvalidUsageBatch(
                f"None of the {len(refused)} records can be counted; each error says why.",
                [FieldError(detail=each.detail, pointer=each.pointer) for each in refused],
            )
        parts = _parts(accepted)
        events = [
            new_event(
                ApiUsageRecorded(batch_id=checked.batch_id, part=number, publisher=team, records=records),
                correlation_id=correlation_id,
                producer=PRODUCER,
            )
            for number, records in enumerate(parts)
        ]
        try:
            self._publisher.publish(events)
        except PublishFailed:
            raise DependencyUnavailable(
                "The usage could not be handed on just now. Send the same batch again, with the same batchId: "
                "whatever part of it went through already is counted once."
            ) from None
        return Recorded(checked.batch_id, len(accepted), tuple(refused), len(parts))


def _parts(records: list[UsageRecord]) -> list[list[UsageRecord]]:
    """The records in order, cut where a part would outgrow an event (deterministic, so a retried
    batch makes the same parts)."""
    parts: list[list[UsageRecord]] = [[]]
    size = 0
    for record in records:
        length = len(orjson.dumps(record.to_wire())) + 1
        if parts[-1] and size + length > MAX_PART_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(record)
        size += length
    return parts
