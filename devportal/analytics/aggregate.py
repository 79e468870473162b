"""Counting a delivery of usage records into the hours they belong to.

Each `ApiUsageRecorded` is one delivery, named `<publisher>/<batchId>/<part>`: the store counts a
delivery once, however often the queue hands it over. The gateway refuses bad records before they
become an event; a service that puts events on the bus itself skips the gateway, so the same
checks run again here, and what fails them is dropped and reported in the outcome (there is no one
to answer): records of an API that the publishing team does not own or that is not registered at
that version, and records outside the time window.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from devportal.analytics.operations import OperationTable, Resolved
from devportal.analytics.ports import Applied, HealthStore, UsageStore
from devportal.analytics.records import TimeWindow
from devportal.analytics.usage import fold, hour_of
from devportal.registry.ports import BlobStore, EventPublisher, RegistryRepository
from events.analytics import ApiTrafficStarted, ApiUsageRecorded, UsageRecord
from events.envelope import new_event

_CACHED_VERSIONS = 64
_KNOWN_CONSUMERS = 100_000
_TRAFFIC_EVENTS = uuid.UUID("0b6f5a1e-2d7c-4f1b-8a59-3c2e9d4b7f61")  # the namespace of ApiTrafficStarted ids


@dataclass(frozen=True)
class Refusal:
    reason: str  # a short class of refusal, for counting
    detail: str  # the sentence a publisher reads
    member: str  # the record's member at fault


@dataclass(frozen=True)
class _Version:
    owner: str
    operations: OperationTable


class OperationTables:
    """Each registered version's owner and operations, read from its record and its stored
    document once (a version is immutable) and kept for the most recently used versions. A version
    not found is not kept: it may be registered a minute later."""

    def __init__(self, registry: RegistryRepository, specs: BlobStore) -> None:
        self._registry = registry
        self._specs = specs
        self._versions: OrderedDict[tuple[str, str], _Version] = OrderedDict()

    def admit(self, record: UsageRecord, publisher: str) -> OperationTable | Refusal:
        """The operations of the record's version, or why the team `publisher` may not publish the
        record's usage. Whose API it is comes from the version's own record (the catalog entry
        follows registrations a moment later), or from the catalog entry when the version is not
        registered."""
        stored = self._version(record.api_id, record.version)
        if stored is not None:
            owner: str | None = stored.owner
        else:
            entry = self._registry.get_catalog_entry(record.api_id)
            owner = entry.owner if entry is not None else None
        if owner is None:
            return Refusal("API not in the catalog", f"API `{record.api_id}` is not in the catalog", "apiId")
        if owner != publisher:
            return Refusal(
                "API owned by another team",
                f"API `{record.api_id}` belongs to team {owner}; a key of team {publisher} cannot publish its usage",
                "apiId",
            )
        if stored is None:
            return Refusal(
                "version not registered",
                f"API `{record.api_id}` has no registered version `{record.version}`",
                "version",
            )
        return stored.operations

    def owner_of(self, api_id: str, version: str) -> str | None:
        stored = self._version(api_id, version)
        return stored.owner if stored is not None else None

    def of(self, api_id: str, version: str) -> OperationTable | None:
        stored = self._version(api_id, version)
        return stored.operations if stored is not None else None

    def _version(self, api_id: str, version: str) -> _Version | None:
        key = (api_id, version)
        known = self._versions.get(key)
        if known is not None:
            self._versions.move_to_end(key)
            return known
        stored = self._registry.get_version(api_id, version)
        if stored is None:
            return None
        known = self._versions[key] = _Version(
            stored.owner, OperationTable.of(orjson.loads(self._specs.get(stored.normalized_key)))
        )
        if len(self._versions) > _CACHED_VERSIONS:
            self._versions.popitem(last=False)
        return known


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
        *,
        health: HealthStore | None = None,
        publisher: EventPublisher | None = None,
    ) -> None:
        self._store = store
        self._tables = tables
        self._window = window if callable(window) else (lambda: window)
        self._clock = clock
        self._first_seen: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._health = health
        self._publisher = publisher
        self._with_traffic: set[str] = set()

    def __call__(self, event: ApiUsageRecorded) -> Counted:
        oldest, latest = self._window().bounds(self._clock())
        kept: list[tuple[UsageRecord, Resolved]] = []
        dropped: dict[str, int] = {}
        for record in event.records:
            admitted = self._tables.admit(record, event.publisher)
            if not isinstance(admitted, Refusal) and not oldest <= record.timestamp <= latest:
                admitted = Refusal("outside the time window", "", "timestamp")
            if isinstance(admitted, Refusal):
                dropped[admitted.reason] = dropped.get(admitted.reason, 0) + 1
                continue
            kept.append((record, admitted.resolve(record.operation_id, record.method, record.path)))
        delivery = delivery_of(event)
        applied = self._store.apply(delivery, fold(kept)) if kept else Applied(0, 0)
        self._note_consumers(kept)
        self._note_traffic(kept)
        return Counted(delivery, len(kept), applied, dropped)

    def _note_traffic(self, kept: list[tuple[UsageRecord, Resolved]]) -> None:
        """An API's first counted usage is announced (ApiTrafficStarted: its health checks and
        reports start), then marked; a crash between the two announces again, with the same id."""
        if self._health is None or self._publisher is None:
            return
        first: dict[str, UsageRecord] = {}
        for record, _ in kept:
            if record.api_id not in self._with_traffic:
                known = first.get(record.api_id)
                if known is None or record.timestamp < known.timestamp:
                    first[record.api_id] = record
        for api_id, record in first.items():
            if not self._health.has_traffic(api_id):
                since = hour_of(record.timestamp)
                owner = self._tables.owner_of(api_id, record.version) or "unknown"
                self._publisher.publish(
                    [
                        new_event(
                            ApiTrafficStarted(api_id=api_id, owner=owner, since=since),
                            correlation_id=f"traffic-{api_id}",
                            producer="functions/aggregate_usage",
                            event_id=str(uuid.uuid5(_TRAFFIC_EVENTS, api_id)),
                        )
                    ]
                )
                self._health.note_traffic(api_id, since)
            self._with_traffic.add(api_id)

    def _note_consumers(self, kept: list[tuple[UsageRecord, Resolved]]) -> None:
        """Each consumer's first call, to the hour (adoption and a day's new consumers read it by
        day and week), written only when its hour is earlier than what this process last knew: a
        warm aggregator writes for new consumers and for records late by an hour or more."""
        earliest: dict[tuple[str, str], datetime] = {}
        for record, _ in kept:
            key = (record.api_id, record.consumer_id)
            if key not in earliest or record.timestamp < earliest[key]:
                earliest[key] = record.timestamp
        news: dict[str, dict[str, datetime]] = {}
        for (api_id, consumer), seen in earliest.items():
            hour = hour_of(seen)
            known = self._first_seen.get((api_id, consumer))
            if known is None or hour < known:
                news.setdefault(api_id, {})[consumer] = hour
        for api_id, consumers in news.items():
            self._store.note_first_seen(api_id, consumers)
            for consumer, hour in consumers.items():
                self._first_seen[(api_id, consumer)] = hour
            while len(self._first_seen) > _KNOWN_CONSUMERS:
                self._first_seen.popitem(last=False)
