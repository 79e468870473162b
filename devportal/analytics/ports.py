"""What the analytics core needs from the outside world."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from devportal.analytics.usage import Bucket, Usage


@dataclass(frozen=True)
class Applied:
    buckets: int  # buckets (hours and days, at their scopes) that took this delivery's counts
    already: int  # buckets this delivery had already been counted in (a redelivery)


class UsageStore(Protocol):
    """Usage per API and scope, by hour (and by day for the API and version scopes)."""

    def apply(self, delivery: str, buckets: Mapping[Bucket, Usage]) -> Applied:
        """Adds each bucket's usage to what the store holds, exactly once per `delivery` (a
        deterministic name for these records, the same when they arrive again): a bucket that
        has taken this delivery's counts before is left as it is."""
        ...

    def note_first_seen(self, api_id: str, consumers: Mapping[str, datetime]) -> None:
        """Each consumer's first call to the API is the earliest of what the store holds and
        `consumers` (idempotent: noting the same call again moves nothing)."""
        ...

    def first_seen(self, api_id: str) -> dict[str, datetime]:
        """Every consumer of the API with its first call."""
        ...

    def read(
        self, api_id: str, scope: str, start: datetime, end: datetime, *, days: bool = False
    ) -> list[tuple[datetime, Usage]]:
        """The hours of `scope` that overlap [start, end), in order - or, with `days`, the days
        (kept for the ALL and V# scopes); periods without calls are absent."""
        ...
