"""What calls add up to, per hour, and how hours add up to days, weeks and months.

An hour of an API's traffic is kept at three scopes: the whole API (`ALL`), one version (`V#1.2.0`)
and one operation of one version (`O#1.2.0#getPet`). Each holds the same `Usage`: calls, status
codes, a latency sketch, calls per consumer, calls and server errors per operation, and the calls
the spec does not document. A longer period is the merge of its hours - counts add, sketches merge,
consumers unite - never a recomputation from records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from devportal.analytics.operations import Resolved
from devportal.analytics.sketch import LatencySketch
from events.analytics import UsageRecord

# An hour's item names at most this many consumers; the calls of any more are counted together
# under OTHER_CONSUMERS (an item stays far below DynamoDB's 400 KB, and the report says so).
MAX_CONSUMERS = 2_000
OTHER_CONSUMERS = "(others)"
# and at most this many undocumented operations or status codes (a client probing random paths
# must not grow the item without bound)
MAX_UNDOCUMENTED = 200
OTHER_UNDOCUMENTED = "(other undocumented calls)"

HOUR_FORMAT = "%Y-%m-%dT%H"
DAY_FORMAT = "%Y-%m-%d"


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def stamp(moment: datetime) -> str:
    """A moment as the gateway writes it: RFC 3339 in UTC with a `Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def hour_label(hour: datetime) -> str:
    return hour.strftime(HOUR_FORMAT)


@dataclass
class Usage:
    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latency: LatencySketch = field(default_factory=LatencySketch)
    consumers: dict[str, int] = field(default_factory=dict)
    operations: dict[str, list[int]] = field(default_factory=dict)  # key -> [calls, server errors]
    undocumented: dict[str, int] = field(default_factory=dict)  # "key" or "key status" -> calls

    def add(self, record: UsageRecord, resolved: Resolved) -> None:
        self.calls += 1
        self.statuses[record.status] = self.statuses.get(record.status, 0) + 1
        self.latency.add(record.latency_ms)
        consumer = record.consumer_id
        if consumer not in self.consumers and len(self.consumers) >= MAX_CONSUMERS:
            consumer = OTHER_CONSUMERS
        self.consumers[consumer] = self.consumers.get(consumer, 0) + 1
        counts = self.operations.setdefault(resolved.key, [0, 0])
        counts[0] += 1
        if record.status >= 500:
            counts[1] += 1
        if resolved.undocumented(record.status):
            what = resolved.key if resolved.operation is None else f"{resolved.key} {record.status}"
            if what not in self.undocumented and len(self.undocumented) >= MAX_UNDOCUMENTED:
                what = OTHER_UNDOCUMENTED
            self.undocumented[what] = self.undocumented.get(what, 0) + 1

    def merge(self, other: Usage, *, capped: bool = False) -> None:
        """Adds `other` in. `capped`: as a stored hour must, keeps at most MAX_CONSUMERS consumers
        and MAX_UNDOCUMENTED undocumented calls by name, counting the rest together."""
        self.calls += other.calls
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.latency.merge(other.latency)
        _add_counts(self.consumers, other.consumers, MAX_CONSUMERS if capped else None, OTHER_CONSUMERS)
        for key, (calls, errors) in other.operations.items():
            counts = self.operations.setdefault(key, [0, 0])
            counts[0] += calls
            counts[1] += errors
        _add_counts(self.undocumented, other.undocumented, MAX_UNDOCUMENTED if capped else None, OTHER_UNDOCUMENTED)

    @classmethod
    def merged(cls, parts: Iterable[Usage]) -> Usage:
        total = cls()
        for part in parts:
            total.merge(part)
        return total

    def calls_in_class(self, first_digit: int) -> int:
        return sum(count for status, count in self.statuses.items() if status // 100 == first_digit)

    @property
    def error_rate(self) -> float | None:
        """The share of calls answered with a server error (5xx)."""
        return self.calls_in_class(5) / self.calls if self.calls else None

    def to_bytes(self) -> tuple[bytes, bytes]:
        """(the counts as JSON, the latency sketch): how an item stores it."""
        body = {
            "calls": self.calls,
            "statuses": {str(status): count for status, count in self.statuses.items()},
            "consumers": self.consumers,
            "operations": self.operations,
            "undocumented": self.undocumented,
        }
        return orjson.dumps(body), self.latency.to_bytes()

    @classmethod
    def from_bytes(cls, body: bytes, latency: bytes) -> Usage:
        data = orjson.loads(body)
        return cls(
            calls=data["calls"],
            statuses={int(status): count for status, count in data["statuses"].items()},
            latency=LatencySketch.from_bytes(latency),
            consumers=data["consumers"],
            operations=data["operations"],
            undocumented=data["undocumented"],
        )


@dataclass(frozen=True, order=True)
class Bucket:
    """Where an hour of one scope of an API's usage is kept - or, with `day`, the whole day
    (UTC) that starts at `hour`: the merge of its hours, kept for the API and version scopes so
    that a month's report reads 30 items rather than 720."""

    api_id: str
    scope: str  # "ALL", "V#<version>", "O#<version>#<operation key>"
    hour: datetime
    day: bool = False

    @property
    def sort_key(self) -> str:
        if self.day:
            return f"{self.scope}#D#{self.hour:{DAY_FORMAT}}"
        return f"{self.scope}#H#{hour_label(self.hour)}"


def fold(records: Iterable[tuple[UsageRecord, Resolved]]) -> dict[Bucket, Usage]:
    """Each record added to its hour at each of its scopes: once, to its operation's hour, which
    then merges into its version's hour and that into the API's (a merge costs per latency bin,
    not per record)."""
    operations: dict[tuple[str, datetime, str, str], Usage] = {}
    for record, resolved in records:
        leaf = (record.api_id, hour_of(record.timestamp), record.version, resolved.key)
        usage = operations.get(leaf)
        if usage is None:
            usage = operations[leaf] = Usage()
        usage.add(record, resolved)
    buckets: dict[Bucket, Usage] = {}
    for (api_id, hour, version, key), usage in operations.items():
        buckets[Bucket(api_id, f"O#{version}#{key}", hour)] = usage
        day = hour.replace(hour=0)
        for bucket in (
            Bucket(api_id, f"V#{version}", hour),
            Bucket(api_id, "ALL", hour),
            Bucket(api_id, f"V#{version}", day, day=True),
            Bucket(api_id, "ALL", day, day=True),
        ):
            total = buckets.get(bucket)
            if total is None:
                total = buckets[bucket] = Usage()
            total.merge(usage, capped=True)
    return buckets


def _add_counts(into: dict[str, int], counts: dict[str, int], limit: int | None, other: str) -> None:
    for name, count in counts.items():
        if limit is not None and name not in into and len(into) >= limit:
            name = other
        into[name] = into.get(name, 0) + count
