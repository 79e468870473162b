"""Latency distributions that merge: DDSketch (PyPI `ddsketch`) with 1 % relative accuracy.

An hour's latencies are kept as a sketch, and a day, a week or a month is the merge of its hours,
never a recomputation from records. DDSketch's logarithmic mapping puts a latency `x` in bin
`ceil(log_gamma(x))`, so any quantile read from the bins is within 1 % of the exact value, and
merging two sketches is adding their bins.

The bins are kept sparse (an hour of traffic fills a few hundred of them) and encoded as two
packed arrays, so a report that merges 720 hours decodes them in microseconds each. Quantiles are
read with DDSketch's own rule (the rank `q * (count - 1)`, the first bin whose running count
passes it, the bin's representative value), in one pass for several quantiles; `as_ddsketch()`
builds the library's own sketch with the same bins, which the tests use as the oracle.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from ddsketch import DDSketch, LogarithmicMapping

RELATIVE_ACCURACY = 0.01
_MAPPING = LogarithmicMapping(RELATIVE_ACCURACY)
_FORMAT = 1
# format, zero count, count, sum, min, max, number of bins; then the keys, then the counts
_HEADER = struct.Struct("<BQQdddI")
_KEYS, _COUNTS = "i", "Q"  # 4 and 8 bytes on every platform Lambda and the local stack run on
_KEY_BYTES = array(_KEYS).itemsize
_BIN_BYTES = _KEY_BYTES + array(_COUNTS).itemsize


class CorruptSketch(ValueError):
    """Bytes that are not an encoded sketch (a bug or a damaged item, never user input)."""


@dataclass
class LatencySketch:
    """Latencies in milliseconds (>= 0). Counts are exact; quantiles within 1 % relative error."""

    bins: dict[int, int] = field(default_factory=dict)
    zeros: int = 0
    count: int = 0
    total_ms: float = 0.0
    min_ms: float = float("inf")
    max_ms: float = 0.0

    def add(self, latency_ms: float) -> None:
        if latency_ms > _MAPPING.min_possible:
            key = _MAPPING.key(latency_ms)
            self.bins[key] = self.bins.get(key, 0) + 1
        else:
            self.zeros += 1
        self.count += 1
        self.total_ms += latency_ms
        if latency_ms < self.min_ms:
            self.min_ms = latency_ms
        if latency_ms > self.max_ms:
            self.max_ms = latency_ms

    def merge(self, other: LatencySketch) -> None:
        if not other.count:
            return
        bins = self.bins
        for key, weight in other.bins.items():
            bins[key] = bins.get(key, 0) + weight
        self.zeros += other.zeros
        self.count += other.count
        self.total_ms += other.total_ms
        self.min_ms = min(self.min_ms, other.min_ms)
        self.max_ms = max(self.max_ms, other.max_ms)

    @classmethod
    def merged(cls, sketches: Iterable[LatencySketch]) -> LatencySketch:
        result = cls()
        for sketch in sketches:
            result.merge(sketch)
        return result

    @property
    def mean_ms(self) -> float | None:
        return self.total_ms / self.count if self.count else None

    def quantiles(self, *qs: float) -> list[float | None]:
        """The values at quantiles `qs` (0..1), clamped to the exact minimum and maximum seen;
        None for an empty sketch. One pass over the sorted bins for all of them."""
        if not self.count:
            return [None] * len(qs)
        wanted = sorted((q * (self.count - 1), position) for position, q in enumerate(qs))
        found: list[float | None] = [None] * len(qs)
        index = 0
        while index < len(wanted) and wanted[index][0] < self.zeros:
            found[wanted[index][1]] = 0.0
            index += 1
        running = float(self.zeros)
        for key in sorted(self.bins):
            running += self.bins[key]
            while index < len(wanted) and running > wanted[index][0]:
                found[wanted[index][1]] = min(max(_MAPPING.value(key), self.min_ms), self.max_ms)
                index += 1
            if index == len(wanted):
                break
        return found

    def quantile(self, q: float) -> float | None:
        return self.quantiles(q)[0]

    def as_ddsketch(self) -> DDSketch:
        """The library's sketch with the same bins: each bin's representative value, weighted by
        its count, falls back into that bin (quantiles unclamped)."""
        sketch = DDSketch(RELATIVE_ACCURACY)
        if self.zeros:
            sketch.add(0.0, float(self.zeros))
        for key, weight in self.bins.items():
            sketch.add(_MAPPING.value(key), float(weight))
        return sketch

    def to_bytes(self) -> bytes:
        keys = array(_KEYS, sorted(self.bins))
        counts = array(_COUNTS, map(self.bins.__getitem__, keys))
        header = _HEADER.pack(_FORMAT, self.zeros, self.count, self.total_ms, self.min_ms, self.max_ms, len(keys))
        return header + keys.tobytes() + counts.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> LatencySketch:
        if len(data) < _HEADER.size:
            raise CorruptSketch(f"{len(data)} bytes is shorter than a sketch's header")
        version, zeros, count, total, low, high, size = _HEADER.unpack_from(data)
        if version != _FORMAT or len(data) != _HEADER.size + size * _BIN_BYTES:
            raise CorruptSketch(f"not a format-{_FORMAT} sketch of {size} bins ({len(data)} bytes)")
        keys = array(_KEYS)
        keys.frombytes(data[_HEADER.size : _HEADER.size + size * _KEY_BYTES])
        counts = array(_COUNTS)
        counts.frombytes(data[_HEADER.size + size * _KEY_BYTES :])
        return cls(
            bins=dict(zip(keys, counts, strict=True)), zeros=zeros, count=count, total_ms=total, min_ms=low, max_ms=high
        )
