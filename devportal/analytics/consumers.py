"""Who called some operations of a version lately - what an approval request shows for each
breaking change: the consumers the change would break, from the hours of usage kept per operation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from devportal.analytics.aggregate import OperationTables
from devportal.analytics.ports import UsageStore
from devportal.analytics.usage import OTHER_CONSUMERS

MAX_OPERATIONS = 50  # operations looked up per request (each reads its hours of the window)


class RecentConsumers:
    def __init__(self, usage: UsageStore, tables: OperationTables, clock: Callable[[], datetime]) -> None:
        self._usage = usage
        self._tables = tables
        self._clock = clock

    def __call__(
        self, api_id: str, version: str, operations: Sequence[str], since: datetime
    ) -> dict[str, tuple[str, ...]]:
        """For each operation ("POST /pets") of `version`, the consumers that called it since
        `since`, by name; one whose usage could not be named (over an hour's cap) is not listed."""
        table = self._tables.of(api_id, version)
        if table is None:
            return {}
        now = self._clock()
        found: dict[str, tuple[str, ...]] = {}
        for label in operations[:MAX_OPERATIONS]:
            method, _, path = label.partition(" ")
            if not path:
                continue
            key = table.resolve(None, method.lower(), path).key
            names: set[str] = set()
            for _hour, usage in self._usage.read(api_id, f"O#{version}#{key}", since, now):
                names.update(usage.consumers)
            names.discard(OTHER_CONSUMERS)
            found[label] = tuple(sorted(names))
        return found
