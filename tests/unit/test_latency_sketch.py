"""Latency sketches: percentiles within 1 % of the exact values, merges equal to one sketch of all
the values, and an encoding that loses nothing."""

from __future__ import annotations

import math
import random

import pytest

from devportal.analytics.sketch import CorruptSketch, LatencySketch

QUANTILES = (0.5, 0.75, 0.9, 0.95, 0.99, 0.999)


def exact(values: list[float], q: float) -> float:
    """The value of rank q * (n - 1) in the sorted values: the definition DDSketch approximates."""
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


def distributions() -> dict[str, list[float]]:
    rng = random.Random(20261204)
    n = 100_000
    return {
        "uniform": [rng.uniform(1, 2_000) for _ in range(n)],
        "log-normal": [rng.lognormvariate(3.5, 1.2) for _ in range(n)],
        # a fast cache path and a slow database path
        "bimodal": [rng.gauss(8, 1.5) if rng.random() < 0.7 else rng.gauss(400, 60) for _ in range(n)],
    }


DISTRIBUTIONS = distributions()


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_every_percentile_is_within_one_percent_of_the_exact_value(name: str) -> None:
    # Given a hundred thousand latencies from the distribution
    values = [max(value, 0.0) for value in DISTRIBUTIONS[name]]
    sketch = LatencySketch()
    for value in values:
        sketch.add(value)

    # When its percentiles are read
    found = sketch.quantiles(*QUANTILES)

    # Then each is within 1 % of the exact percentile, and the count, sum, minimum and maximum are exact
    for q, estimate in zip(QUANTILES, found, strict=True):
        truth = exact(values, q)
        assert estimate is not None
        assert abs(estimate - truth) <= 0.01 * truth, f"{name} p{q * 100:g}: {estimate} vs exact {truth}"
    assert sketch.count == len(values)
    assert sketch.total_ms == pytest.approx(sum(values))
    assert (sketch.min_ms, sketch.max_ms) == (min(values), max(values))


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_quantiles_are_those_of_the_ddsketch_library_over_the_same_bins(name: str) -> None:
    sketch = LatencySketch()
    for value in DISTRIBUTIONS[name][:20_000]:
        sketch.add(max(value, 0.0))
    library = sketch.as_ddsketch()

    for q in (0.0, *QUANTILES, 1.0):
        expected = library.get_quantile_value(q)
        assert expected is not None
        assert sketch.quantile(q) == min(max(expected, sketch.min_ms), sketch.max_ms)


def test_hours_merged_into_a_day_read_as_one_sketch_of_the_whole_day() -> None:
    # Given 24 hourly sketches of log-normal latencies
    rng = random.Random(7)
    hours = [[rng.lognormvariate(4, 1) for _ in range(2_000)] for _ in range(24)]
    hourly = []
    for values in hours:
        sketch = LatencySketch()
        for value in values:
            sketch.add(value)
        hourly.append(sketch)
    whole = LatencySketch()
    for value in (value for values in hours for value in values):
        whole.add(value)

    # When they are merged (through their stored encoding, as a report reads them)
    day = LatencySketch.merged(LatencySketch.from_bytes(sketch.to_bytes()) for sketch in hourly)

    # Then the day is the sketch of all its values
    assert day.bins == whole.bins
    assert day.count == whole.count == 48_000
    assert day.quantiles(*QUANTILES) == whole.quantiles(*QUANTILES)


def test_zero_latencies_count_and_read_as_zero() -> None:
    sketch = LatencySketch()
    for value in (0.0, 0.0, 0.0, 5.0):
        sketch.add(value)

    assert sketch.quantiles(0.5, 1.0) == [0.0, 5.0]
    assert LatencySketch.from_bytes(sketch.to_bytes()) == sketch


def test_an_empty_sketch_has_no_percentiles_and_survives_encoding() -> None:
    empty = LatencySketch()

    assert empty.quantiles(0.5, 0.99) == [None, None]
    assert empty.mean_ms is None
    assert LatencySketch.from_bytes(empty.to_bytes()).count == 0


@pytest.mark.parametrize("damage", [b"", b"\x01\x02", b"\x09" + bytes(40)])
def test_bytes_that_are_not_a_sketch_are_refused(damage: bytes) -> None:
    with pytest.raises(CorruptSketch):
        LatencySketch.from_bytes(damage)


def test_a_truncated_sketch_is_refused() -> None:
    sketch = LatencySketch()
    for value in range(1, 500):
        sketch.add(float(value))

    with pytest.raises(CorruptSketch):
        LatencySketch.from_bytes(sketch.to_bytes()[:-3])
