"""Counting a delivery of usage records into the hours they belong to.

Each `ApiUsageRecorded` is one delivery, named `<publisher>/<batchId>/<part>`: the store counts a
delivery once, however often the queue hands it over. The gateway refuses bad records before they
become an event; a service that puts events on the bus itself skips the gateway, so the same
checks run again here, and what fails them is dropped and reported in the outcome (there is no one
to answer): records of an API that the publishing team does not own or that is not registered at
that version, and records outside the time window.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from devportal.analytics.operations import OperationTable, Resolved
from devportal.analytics.ports import Applied, UsageStore
from devportal.analytics.records import TimeWindow
from devportal.analytics.usage import fold
from devportal.registry.ports import BlobStore, RegistryRepository
from events.analytics import ApiUsageRecorded, UsageRecord

_CACHED_VERSIONS = 64


@dataclass(frozen=True)
class Refusal:
    reason: str  # a short class of refusal, for counting
    detail: str  # the sentence a publisher reads


class OperationTables:
    """Each registered version's operations, read from its stored document once (a version is
    immutable) and kept for the most recently used versions."""

    def __init__(self, registry: RegistryRepository, specs: BlobStore) -> None:
        self._registry = registry
        self._specs = specs
        self._tables: OrderedDict[tuple[str, str], OperationTable | None] = OrderedDict()
        self._owners: dict[str, str] = {}

    def owner(self, api_id: str) -> str | None:
        owner = self._owners.get(api_id)
        if owner is None:
            entry = self._registry.get_catalog_entry(api_id)
            if entry is None:
                return None  # not kept: the API may be registered a minute later
            owner = self._owners[api_id] = entry.owner
        return owner

    def refusal(self, record: UsageRecord, publisher: str) -> Refusal | None:
        """Why the team `publisher` may not publish this record's usage, if it may not."""
        owner = self.owner(record.api_id)
        if owner is None:
            return Refusal("API not in the catalog", f"API `{record.api_id}` is not in the catalog")
        if owner != publisher:
            return Refusal(
                "API owned by another team",
                f"API `{record.api_id}` belongs to team {owner}; a key of team {publisher} cannot publish its usage",
            )
        if self.of(record.api_id, version=record.version) is None:
            return Refusal(
                "version not registered", f"API `{record.api_id}` has no registered version `{record.version}`"
            )
        return None

    def of(self, api_id: str, version: str) -> OperationTable | None:
        key = (api_id, version)
        if key in self._tables:
            self._tables.move_to_end(key)
            return self._tables[key]
        stored = self._registry.get_version(api_id, version)
        table = OperationTable.of(orjson.loads(self._specs.get(stored.normalized_key))) if stored else None
        if table is not None:  # an unknown version may be registered a minute later: not kept
            self._tables[key] = table
            if len(self._tables) > _CACHED_VERSIONS:
                self._tables.popitem(last=False)
        return table


@dataclass(frozen=True)
class Counted:
    delivery: str
    records: int
    applied: Applied
    dropped: dict[str, int]  # why -> how many records


def delivery_of(event: ApiUsageRecorded) -> str:
    return f"{event.publisher}/{event.batch_id}/{event.part}"


class AggregateUsage:
    def __init__(
        self,
        store: UsageStore,
        tables: OperationTables,
        window: TimeWindow | Callable[[], TimeWindow],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._tables = tables
        self._window = window if callable(window) else (lambda: window)
        self._clock = clock

    def __call__(self, event: ApiUsageRecorded) -> Counted:
        now, window = self._clock(), self._window()
        kept: list[tuple[UsageRecord, Resolved]] = []
        dropped: dict[str, int] = {}
        for record in event.records:
            refusal = self._tables.refusal(record, event.publisher)
            if refusal is None and window.refusal(record.timestamp, now) is not None:
                refusal = Refusal("outside the time window", "")
            table = self._tables.of(record.api_id, record.version) if refusal is None else None
            if table is None:
                why = refusal.reason if refusal else "version not registered"
                dropped[why] = dropped.get(why, 0) + 1
                continue
            kept.append((record, table.resolve(record.operation_id, record.method, record.path)))
        delivery = delivery_of(event)
        applied = self._store.apply(delivery, fold(kept)) if kept else Applied(0, 0)
        return Counted(delivery, len(kept), applied, dropped)
