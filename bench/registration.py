"""Submit-to-active latency of the registration journey on the local stack.

For each spec: POST it to the gateway, then poll GET /apis/{id}/versions/{v} until it answers 200
with status active. The baseline, measured in the same run, is the same work done in one process
with no stack at all (parse, validate, render): the ratio says what the distributed journey
(gateway, S3, DynamoDB, EventBridge, SQS, Temporal, four activities) costs on top of the work
itself. Results go to bench/results/registration.json.

  python -m bench.registration [--small-runs 30] [--github-runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import orjson
import yaml

from bench.common import percentile, results_header, save, stop
from bench.corpus import directory_root, github_spec
from devportal.docs.render import render_document
from devportal.settings import MEBIBYTE, SpecLimits
from devportal.specs.check import check_spec
from devportal.specs.lint import RECOMMENDED
from devportal.specs.openapi import identify
from devportal_local import harness
from devportal_local.demo import DEMO_SPECS, DemoSpec, Session
from devportal_local.users import demo_users

TARGETS = {"petstore": {"p50_seconds": 1.0}, "github": {"p50_seconds": 2.0}, "graph-beta": {"p50_seconds": 30.0}}
UPLOADED = {"graph-beta"}  # over the 10 MB body cap: through POST /apis/uploads and a presigned PUT


def summary(values: list[float]) -> dict[str, float]:
    return {
        "runs": len(values),
        "p50_seconds": round(statistics.median(values), 4),
        "p95_seconds": round(percentile(values, 0.95), 4),
        "min_seconds": round(min(values), 4),
        "max_seconds": round(max(values), 4),
    }


def in_process(body: bytes, runs: int) -> list[float]:
    """The baseline: what the activities compute (parse, validate, lint with the recommended
    ruleset, normalize, render), in one process, no I/O."""
    limits = SpecLimits(max_spec_bytes=64 * MEBIBYTE)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        checked = check_spec(body, "json" if body.lstrip().startswith(b"{") else "yaml", limits, 100, RECOMMENDED)
        assert checked.normalized is not None, checked.findings[:3]
        document = orjson.loads(checked.normalized)  # what rendering reads, as the workflow has it
        render_document(document, identify(document), checked.lint.to_wire() if checked.lint else None)
        timings.append(time.perf_counter() - started)
    return timings


def submit_to_active(
    session: Session, api_id: str, version: str, body: bytes, timeout: float, *, upload: bool = False
) -> float:
    started = time.perf_counter()
    query = f"team=bench&apiId={api_id}&version={version}"
    if upload:
        status, payload = session.submit_upload(body, query)
    else:
        status, payload = session.call("POST", f"/apis?{query}", body, "application/json")
    if status != 202:
        raise RuntimeError(f"submit answered {status}: {payload[:300]!r}")
    submission_id = json.loads(payload)["submissionId"]
    while True:
        status, payload = session.call("GET", f"/apis/{api_id}/versions/{version}")
        if status == 200 and json.loads(payload)["status"] == "active":
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            _, sub = session.call("GET", f"/submissions/{submission_id}")
            raise RuntimeError(f"{api_id} {version} not active after {timeout:.0f} s: {sub[:500]!r}")
        time.sleep(0.01)


def measure(session: Session, name: str, body: bytes, runs: int, timeout: float) -> list[float]:
    timings = []
    for run in range(1, runs + 1):
        seconds = submit_to_active(session, f"bench-{name}", f"1.0.{run}", body, timeout, upload=name in UPLOADED)
        timings.append(seconds)
        print(f"  {name} run {run}/{runs}: {seconds:.3f} s", flush=True)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-runs", type=int, default=30, help="petstore submissions (default 30)")
    parser.add_argument("--github-runs", type=int, default=3, help="GitHub spec submissions (default 3; 0 skips)")
    parser.add_argument(
        "--graph-runs", type=int, default=1, help="Microsoft Graph beta (47 MB) uploads (default 1; 0 skips)"
    )
    args = parser.parse_args()

    petstore = orjson.dumps(yaml.safe_load(_demo_spec("petstore.yaml").body()))
    specs: dict[str, tuple[bytes, int, float]] = {"petstore": (petstore, args.small_runs, 30.0)}
    if args.github_runs:
        # The published file is 13 MB pretty-printed; API Gateway caps payloads at 10 MB, so the
        # same document is sent compact (6.9 MB), as a client would.
        github = orjson.dumps(orjson.loads(github_spec().read_bytes()))
        specs["github"] = (github, args.github_runs, 180.0)
    if args.graph_runs:
        graph = (directory_root() / "microsoft.com" / "graph-beta.json").read_bytes()
        specs["graph-beta"] = (graph, args.graph_runs, 300.0)

    results = {**results_header("registration submit-to-active"), "specs": {}}
    print("Baseline: the same work in one process, no stack", flush=True)
    for name, (body, runs, _) in specs.items():
        baseline = in_process(body, max(3, min(runs, 10)))
        results["specs"][name] = {"bytes": len(body), "baseline_in_process": summary(baseline)}
        print(f"  {name}: p50 {statistics.median(baseline):.3f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="devportal-bench-") as state:
        print("Starting the local stack ...", flush=True)
        stack = harness.start(Path(state), "--max-spec-mb", "10")
        try:
            gateway = stack.cfg.gateway_url
            admin = demo_users(stack.state_dir)["admin"]
            session = Session.sign_in(gateway, admin.email, admin.password)
            for name, (body, runs, timeout) in specs.items():
                print(f"Submit to active through {gateway}: {name} ({len(body):,} bytes)", flush=True)
                end_to_end = measure(session, name, body, runs, timeout)
                entry = results["specs"][name]
                entry["end_to_end"] = summary(end_to_end)
                entry["ratio_p50_end_to_end_over_baseline"] = round(
                    entry["end_to_end"]["p50_seconds"] / entry["baseline_in_process"]["p50_seconds"], 2
                )
                target = TARGETS[name]["p50_seconds"]
                entry["target_p50_seconds"] = target
                entry["meets_target"] = entry["end_to_end"]["p50_seconds"] <= target
        finally:
            stop(stack)

    out = save("registration", results)
    print(f"\nResults ({out}):", flush=True)
    for name, entry in results["specs"].items():
        e2e, base = entry["end_to_end"], entry["baseline_in_process"]
        verdict = "meets" if entry["meets_target"] else "MISSES"
        print(
            f"  {name:<9} end to end p50 {e2e['p50_seconds']:.3f} s, p95 {e2e['p95_seconds']:.3f} s "
            f"({e2e['runs']} runs); in-process baseline p50 {base['p50_seconds']:.3f} s; "
            f"ratio {entry['ratio_p50_end_to_end_over_baseline']}x; {verdict} the p50 target of "
            f"{entry['target_p50_seconds']} s"
        )


def _demo_spec(file: str) -> DemoSpec:
    return next(spec for spec in DEMO_SPECS if spec.file == file)


if __name__ == "__main__":
    main()
