"""Breaking-change diff between two releases of GitHub's REST description (npm @octokit/openapi,
22.0.0 and 23.0.2: a major release apart), against a baseline in the same run: reading both
documents (orjson). Target (issue 12): the diff in <= 1 s.

  python -m bench.diff [--runs 5]
"""

from __future__ import annotations

import argparse
import collections
import statistics
import time

import orjson

from bench.common import results_header, save
from bench.corpus import OCTOKIT, OCTOKIT_PREVIOUS, github_spec, previous_github_spec
from devportal.specs.diff import diff

TARGETS = {"diff_seconds": 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="diffs to time (default 5)")
    args = parser.parse_args()
    old_raw, new_raw = previous_github_spec().read_bytes(), github_spec().read_bytes()
    loads, diffs = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        old, new = orjson.loads(old_raw), orjson.loads(new_raw)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        changes = diff(old, new)
        diffs.append(time.perf_counter() - started)
    levels = collections.Counter(change.level for change in changes)
    results = results_header("breaking-change diff: two GitHub releases", TARGETS)
    results.update(
        {
            "old": OCTOKIT_PREVIOUS,
            "new": OCTOKIT,
            "bytes": [len(old_raw), len(new_raw)],
            "changes": dict(levels),
            "top_rules": collections.Counter(change.id for change in changes).most_common(10),
            "baseline_load_both_p50_seconds": round(statistics.median(loads), 4),
            "diff_p50_seconds": round(statistics.median(diffs), 4),
            "ratio_diff_over_load": round(statistics.median(diffs) / statistics.median(loads), 2),
        }
    )
    results["meets_targets"] = {"diff_seconds": results["diff_p50_seconds"] <= TARGETS["diff_seconds"]}
    out = save("diff", results)
    print(f"Results ({out}):")
    print(f"  {OCTOKIT_PREVIOUS} -> {OCTOKIT}: {levels['ERR']} ERR, {levels['WARN']} WARN, {levels['INFO']} INFO")
    print(f"  diff p50 {results['diff_p50_seconds']:.3f} s ({args.runs} runs); reading both documents "
          f"{results['baseline_load_both_p50_seconds']:.3f} s; ratio {results['ratio_diff_over_load']}x; "
          f"{'meets' if results['meets_targets']['diff_seconds'] else 'MISSES'} the target of 1 s")  # fmt: skip


if __name__ == "__main__":
    main()
