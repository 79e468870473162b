"""What every benchmark shares: where results go, the machine they were measured on, percentiles,
and stopping the local stack it measured."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devportal_local import harness

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def results_header(benchmark: str, targets: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every results file starts with: what was measured, when, on what, against which targets."""
    header: dict[str, Any] = {
        "benchmark": benchmark,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    if targets is not None:
        header["targets"] = targets
    return header


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def stop(stack: harness.StackProcess) -> None:
    leftovers = harness.stop(stack)
    if leftovers:
        print(f"warning: processes left behind: {leftovers}", flush=True)


def save(name: str, results: dict[str, Any]) -> Path:
    """bench/results/<name>.json"""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return out
