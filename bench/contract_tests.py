"""Contract tests on the local stack: requests per second of a whole run - asked for through the
gateway, planned, run as batches of Temporal activities, every outcome persisted, results merged -
against schemathesis run alone (its CLI) on the same spec and target, in the same run.

The target is the demo's live petstore on loopback (devportal_local.demo_service), the spec the
demo petstore the stack seeds. Both sides generate the same kinds of cases (the spec's examples,
coverage cases, generated ones, stateful sequences over its links) with the same budget per
operation, two at a time, with no rate limit worth the name (500 requests/s). What counts is what
the target answered - cases and sequence steps alike, counted by the target itself, since the two
count their cases differently (schemathesis keeps duplicates and counts each step). The run is
measured from its POST to its last stored result (planning and persisting included);
schemathesis from its start to its exit. Each side runs `--rounds` times; the best round of each is
compared. Target: the orchestrated run within 1.5x of schemathesis alone (schemathesis requests/s
over the run's requests/s <= 1.5).

  python -m bench.contract_tests [--max-examples 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from bench.common import results_header, save, stop
from devportal_local import harness
from devportal_local.demo import Session
from devportal_local.demo_service import LivePetstore, live_petstore
from devportal_local.users import demo_users

TARGETS = {"ratio_over_schemathesis": 1.5}
CONCURRENCY = 2
RATE = 500
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def orchestrated(session: Session, petstore: LivePetstore, max_examples: int) -> dict[str, Any]:
    """One run through the gateway: POST, then GET until it ended; requests answered over wall time."""
    base_url = petstore.base_url
    settings = json.dumps(
        {"concurrency": CONCURRENCY, "requestsPerSecond": RATE, "maxExamples": max_examples, "timeoutMs": 5000}
    ).encode()
    status, payload = session.call("PUT", "/apis/petstore/test-settings", settings, "application/json")
    if status != 200:
        raise RuntimeError(f"PUT /apis/petstore/test-settings answered {status}: {payload[:300]!r}")
    started, served = time.perf_counter(), petstore.served
    body = json.dumps({"baseUrl": base_url}).encode()
    status, payload = session.call("POST", "/apis/petstore/versions/1.0.0/test-runs", body, "application/json")
    if status != 202:
        raise RuntimeError(f"POST test-runs answered {status}: {payload[:300]!r}")
    run_id = json.loads(payload)["runId"]
    while True:
        status, payload = session.call("GET", f"/test-runs/{run_id}")
        run = json.loads(payload)
        if run["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    seconds, requests = time.perf_counter() - started, petstore.served - served
    if run["status"] not in ("passed", "failed"):
        raise RuntimeError(f"run {run_id} ended {run['status']}: {run.get('error')}")
    planned_at = _seconds_between(run["requestedAt"], run["startedAt"])
    return {
        "run_id": run_id,
        "cases": int(run["casesDone"]),
        "requests": requests,
        "seconds": round(seconds, 2),
        "requests_per_second": round(requests / seconds, 1),
        "queued_to_planned_seconds": round(planned_at, 2),
        "outcome": run["status"],
        "score": run.get("score"),
    }


def _seconds_between(first: str, second: str) -> float:
    return (datetime.fromisoformat(second) - datetime.fromisoformat(first)).total_seconds()


def schemathesis_alone(spec: Path, petstore: LivePetstore, max_examples: int, out: Path) -> dict[str, Any]:
    """The schemathesis CLI on the same spec and target: the same phases and checks, two workers."""
    command = [
        str(SCHEMATHESIS), "run", str(spec), "--url", petstore.base_url,
        "--phases", "examples,coverage,fuzzing,stateful",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_headers_conformance,response_schema_conformance,negative_data_rejection",
        "--max-examples", str(max_examples), "--workers", str(CONCURRENCY), "--seed", "1",
        "--include-method", "GET", "--no-color", "--report-dir", str(out),
    ]  # fmt: skip
    started, served = time.perf_counter(), petstore.served
    finished = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    seconds, requests = time.perf_counter() - started, petstore.served - served
    generated = re.search(r"(\d+) generated", finished.stdout)
    if generated is None:
        raise RuntimeError(f"schemathesis printed no case count:\n{finished.stdout[-2000:]}\n{finished.stderr[-1000:]}")
    return {
        "cases": int(generated.group(1)),
        "requests": requests,
        "seconds": round(seconds, 2),
        "requests_per_second": round(requests / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=100, help="generated cases per operation (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each side (default 3)")
    args = parser.parse_args()
    results = results_header("contract tests", TARGETS)
    rounds: dict[str, list[dict[str, Any]]] = {"orchestrated": [], "schemathesis": []}
    with tempfile.TemporaryDirectory(prefix="devportal-bench-contract-") as state, live_petstore() as petstore:
        spec = Path(state) / "petstore.yaml"
        spec.write_bytes(resources.files("devportal_local").joinpath("demo_specs/petstore.yaml").read_bytes())
        print(f"Target: the live petstore at {petstore.base_url}. Starting the local stack ...", flush=True)
        stack = harness.start(Path(state) / "stack", seed=True)
        try:
            developer = demo_users(stack.state_dir)["developer"]
            session = Session.sign_in(stack.cfg.gateway_url, developer.email, developer.password)
            for n in range(args.rounds):
                print(f"Round {n + 1} of {args.rounds}: a run through {stack.cfg.gateway_url} ...", flush=True)
                rounds["orchestrated"].append(orchestrated(session, petstore, args.max_examples))
                print(f"  {rounds['orchestrated'][-1]}", flush=True)
                print(f"Round {n + 1} of {args.rounds}: schemathesis alone ...", flush=True)
                rounds["schemathesis"].append(
                    schemathesis_alone(spec, petstore, args.max_examples, Path(state) / f"st-{n}")
                )
                print(f"  {rounds['schemathesis'][-1]}", flush=True)
        finally:
            stop(stack)
    best = {side: max(found, key=lambda r: r["requests_per_second"]) for side, found in rounds.items()}
    ratio = round(best["schemathesis"]["requests_per_second"] / best["orchestrated"]["requests_per_second"], 2)
    results["rounds"] = rounds
    results["best"] = best
    results["ratio_over_schemathesis"] = ratio
    results["meets_targets"] = {"ratio_over_schemathesis": ratio <= TARGETS["ratio_over_schemathesis"]}
    out = save("contract_tests", results)
    print(f"\nResults ({out}):", flush=True)
    run, alone = best["orchestrated"], best["schemathesis"]
    print(
        f"  orchestrated and persisted: {run['requests']} requests ({run['cases']} cases) in {run['seconds']} s "
        f"= {run['requests_per_second']} requests/s (queued to planned {run['queued_to_planned_seconds']} s)"
    )
    print(
        f"  schemathesis alone: {alone['requests']} requests ({alone['cases']} cases) in {alone['seconds']} s "
        f"= {alone['requests_per_second']} requests/s"
    )
    print(f"  ratio {ratio}x (target <= {TARGETS['ratio_over_schemathesis']}x)")


if __name__ == "__main__":
    main()
