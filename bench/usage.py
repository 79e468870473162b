"""Usage analytics on the local stack: records per second end to end, aggregator CPU per record,
and the report over 30 days of hourly data. Each against a baseline measured in the same run.

- End to end: batches of 500 records POSTed to /usage with a service key by 4 concurrent senders,
  until GET /apis/petstore/analytics counts every record. Baseline: the POSTs alone (the gateway
  accepting them). Target >= 2,000 records/s.
- Aggregator CPU: this thread's CPU time (moto runs in its own process) for the aggregator's use
  case on events of 500 records, against the stack's moto; baseline: reading the same events
  (parsing and validating their records), which any consumer pays. Target <= 50 us per record.
- Report: 30 days of hourly usage (3 operations, 7 consumers) stored for the petstore, then
  GET /apis/petstore/analytics?granularity=day for the 30 days, 30 times. Baseline: GET
  /apis/petstore, a single read. Target p95 <= 200 ms.
- Health sweep: N APIs (100) with two days of hourly usage; ApiHealthWorkflow on the stack's worker
  judges their last 48 hours (a first sweep), then one new hour of each (the hourly case): APIs
  judged per second. Baseline: the same rules on the same APIs and data in this process, without
  Temporal (the hour before). Target: an hourly sweep of 10,000 APIs inside its hour (>= 3 APIs/s).
- Daily reports: ApiAnalyticsWorkflow for each of the N APIs at once (yesterday), on the stack's
  worker: API-days reported per second. Baseline: the same four steps in this process (the day
  before). Target: 10,000 APIs reported inside the schedule's half hour (>= 6 API-days/s).

  python -m bench.usage [--batches 40] [--apis 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import percentile, results_header, save, stop
from devportal import wiring
from devportal.analytics.ingest import MAX_PART_BYTES
from devportal.analytics.usage import fold
from devportal_local import harness
from devportal_local.config import aws_environment
from devportal_local.demo import Session, usage_batch
from devportal_local.users import demo_users
from events.analytics import ApiUsageRecorded
from events.envelope import new_event

TARGETS = {
    "records_per_second": 2000,
    "aggregator_cpu_us_per_record": 50,
    "report_p95_ms": 200,
    "health_sweep_apis_per_second": 3,
    "daily_reports_api_days_per_second": 6,
}
SENDERS = 4


def post(url: str, body: bytes, key: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("x-api-key", key)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def counted_calls(session: Session, start: datetime) -> int:
    status, payload = session.call(
        "GET", f"/apis/petstore/analytics?granularity=hour&from={start.isoformat().replace('+00:00', 'Z')}"
    )
    if status != 200:
        raise RuntimeError(f"analytics answered {status}: {payload[:300]!r}")
    calls: int = json.loads(payload)["totals"]["calls"]
    return calls


def end_to_end(session: Session, key: str, batches: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    bodies = [
        json.dumps(usage_batch("petstore", "1.0.0", now, f"bench-{now:%H%M%S}-{n}")).encode() for n in range(batches)
    ]
    records = batches * 500
    before = counted_calls(session, now - timedelta(hours=2))
    queue = list(bodies)
    lock = threading.Lock()
    post_seconds: list[float] = []
    failures: list[str] = []

    def sender() -> None:
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            started = time.perf_counter()
            status, payload = post(f"{session.gateway_url}/usage", body, key)
            with lock:
                post_seconds.append(time.perf_counter() - started)
                if status != 202:
                    failures.append(f"{status} {payload[:200]!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} POSTs failed: {failures[:3]}")
    while counted_calls(session, now - timedelta(hours=2)) < before + records:
        if time.perf_counter() - started > 600:
            raise RuntimeError("not every record was counted in 10 minutes")
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    return {
        "records": records,
        "batches": batches,
        "senders": SENDERS,
        "seconds_to_counted": round(elapsed, 3),
        "records_per_second": round(records / elapsed, 1),
        "baseline_posts_only_seconds": round(posted, 3),
        "baseline_posts_only_records_per_second": round(records / posted, 1),
        "post_p50_ms": round(statistics.median(post_seconds) * 1000, 1),
        "ratio_counted_over_posted": round(elapsed / posted, 2),
    }


def aggregator_cpu(stack: harness.StackProcess, batches: int) -> dict[str, Any]:
    os.environ.update(aws_environment(stack.cfg.moto_url, stack.cfg.names))
    wiring.reset()
    portal = wiring.portal()
    now = datetime.now(UTC)
    wires = []
    for n in range(batches):
        batch = usage_batch("petstore", "1.0.0", now, f"cpu-{now:%H%M%S}-{n}")
        event = ApiUsageRecorded.model_validate({"batchId": batch["batchId"], "publisher": "pets", **batch})
        wires.append(json.dumps(new_event(event, correlation_id="bench", producer="bench").to_wire()))
    assert all(len(wire) < MAX_PART_BYTES + 4096 for wire in wires)
    portal.aggregate_usage(ApiUsageRecorded.model_validate_json(json.dumps(json.loads(wires[0])["data"])))  # warm
    records = batches * 500

    cpu = time.thread_time()
    parsed = [ApiUsageRecorded.model_validate(json.loads(wire)["data"]) for wire in wires]
    baseline = time.thread_time() - cpu

    cpu = time.thread_time()
    wall = time.perf_counter()
    for wire in wires:
        portal.aggregate_usage(ApiUsageRecorded.model_validate(json.loads(wire)["data"]))
    spent = time.thread_time() - cpu
    wall = time.perf_counter() - wall

    cpu = time.thread_time()
    for event in parsed:
        table = portal.operation_tables.of("petstore", "1.0.0")
        assert table is not None
        for bucket_usage in fold((r, table.resolve(r.operation_id, r.method, r.path)) for r in event.records).values():
            bucket_usage.to_bytes()
    folding = time.thread_time() - cpu
    wiring.reset()
    return {
        "records": records,
        "cpu_us_per_record": round(spent / records * 1e6, 2),
        "of_which_fold_and_encode_us_per_record": round(folding / records * 1e6, 2),
        "baseline_read_event_us_per_record": round(baseline / records * 1e6, 2),
        "ratio_over_baseline": round(spent / baseline, 2),
        "wall_seconds": round(wall, 3),
    }


def report_latency(stack: harness.StackProcess, session: Session, runs: int) -> dict[str, Any]:
    os.environ.update(aws_environment(stack.cfg.moto_url, stack.cfg.names))
    wiring.reset()
    portal = wiring.portal()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    table = portal.operation_tables.of("petstore", "1.0.0")
    assert table is not None
    print("  storing 30 days of hourly usage ...", flush=True)
    for hours_ago in range(1, 30 * 24 + 1):
        hour = now - timedelta(hours=hours_ago)
        batch = usage_batch("petstore", "1.0.0", hour + timedelta(hours=1), f"history-{hours_ago}", count=60)
        event = ApiUsageRecorded.model_validate({"batchId": batch["batchId"], "publisher": "pets", **batch})
        records = [r for r in event.records if r.timestamp >= hour]
        portal.usage_store.apply(
            f"pets/{event.batch_id}/0", fold((r, table.resolve(r.operation_id, r.method, r.path)) for r in records)
        )
    wiring.reset()
    start = (now - timedelta(days=30)).isoformat().replace("+00:00", "Z")
    path = f"/apis/petstore/analytics?granularity=day&from={start}"
    report_ms: list[float] = []
    baseline_ms: list[float] = []
    for _ in range(runs):
        for route, timings in ((path, report_ms), ("/apis/petstore", baseline_ms)):
            started = time.perf_counter()
            status, payload = session.call("GET", route)
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{route} answered {status}: {payload[:300]!r}")
    points = len(json.loads(session.call("GET", path)[1])["series"])
    return {
        "days": 30,
        "series_points": points,
        "runs": runs,
        "report_p50_ms": round(statistics.median(report_ms), 1),
        "report_p95_ms": round(percentile(report_ms, 0.95), 1),
        "baseline_get_api_p95_ms": round(percentile(baseline_ms, 0.95), 1),
        "ratio_p95_over_baseline": round(percentile(report_ms, 0.95) / percentile(baseline_ms, 0.95), 2),
    }


def seed_apis(portal: Any, count: int, hours: int) -> list[str]:
    """`count` APIs of team pets in the catalog (the petstore's document), each with `hours` hours
    of usage up to the current hour: 20 calls an hour, 1 in 20 answered 500."""
    import orjson
    import yaml

    from devportal.analytics.usage import hour_of
    from devportal.registry.models import ApiVersionRecord
    from devportal_local.demo import DEMO_SPECS
    from events.analytics import UsageRecord

    (petstore,) = [spec for spec in DEMO_SPECS if spec.api_id == "petstore"]
    document = orjson.dumps(yaml.safe_load(petstore.body()))
    first = hour_of(datetime.now(UTC)) - timedelta(hours=hours)
    api_ids = [f"bench-{n:04d}" for n in range(count)]
    for api_id in api_ids:
        portal.specs.put(f"normalized/{api_id}.json", document, "application/json")
        record = ApiVersionRecord(api_id, "1.0.0", f"Bench {api_id}", "pets", "a" * 64, "raw",
                                  f"normalized/{api_id}.json", "d", "3.1.0", 4, "sub-bench", first)  # fmt: skip
        portal.registry.store_version(record)
        portal.registry.add_to_catalog(record)
        records = [
            UsageRecord(api_id=api_id, version="1.0.0", operation_id=("listPets", "showPetById")[n % 2],
                        status=500 if n % 20 == 0 else 200, latency_ms=20.0 + n % 40,
                        timestamp=first + timedelta(hours=hour, minutes=n * 3), consumer_id=f"client-{n % 5}")
            for hour in range(hours) for n in range(20)
        ]  # fmt: skip
        for start in range(0, len(records), 500):
            portal.aggregate_usage(
                ApiUsageRecorded(
                    batch_id=f"seed-{api_id}-{start}", publisher="pets", records=records[start : start + 500]
                )
            )
    return api_ids


def health_and_reports(stack: harness.StackProcess, count: int) -> dict[str, Any]:
    """The hourly health sweep and the daily reports over `count` APIs, each against the same work
    in this process without Temporal."""
    from devportal.analytics.daily import generate, last_complete_day, process
    from devportal.analytics.health import HOUR
    from devportal.names import TASK_QUEUE_ANALYTICS
    from temporal_bridge.health import ApiHealthWorkflow, HealthSweep
    from temporal_bridge.reports import AnalyticsRun, ApiAnalyticsWorkflow

    os.environ.update(aws_environment(stack.cfg.moto_url, stack.cfg.names))
    wiring.reset()
    portal = wiring.portal()
    print(f"  {count} APIs with 50 hours of usage each ...", flush=True)
    api_ids = seed_apis(portal, count, 50)
    check = portal.check_health
    last = check.last_complete(datetime.now(UTC))
    apis_with_traffic = sum(1 for _ in portal.health_store.traffic())

    async def sweep(through: datetime) -> tuple[float, Any]:
        client = await stack.cfg.connect_temporal()
        started = time.perf_counter()
        result = await client.execute_workflow(
            ApiHealthWorkflow.run, HealthSweep(through), id=f"bench-sweep-{uuid.uuid4().hex[:8]}",
            task_queue=TASK_QUEUE_ANALYTICS,
        )  # fmt: skip
        return time.perf_counter() - started, result

    print("  health: a first sweep (48 hours of each API) ...", flush=True)
    first_seconds, first = asyncio.run(sweep(last - 2 * HOUR))
    print("  health: the same rules in-process, one hour of each API (baseline) ...", flush=True)
    started = time.perf_counter()
    for api_id in api_ids:
        check(api_id, through=last - HOUR)
    baseline_sweep = time.perf_counter() - started
    print("  health: an hourly sweep (one new hour of each API) ...", flush=True)
    hourly_seconds, hourly = asyncio.run(sweep(last))

    day = last_complete_day(datetime.now(UTC), timedelta(seconds=portal.usage_window().skew_seconds))
    print("  daily reports: the four steps in-process for the day before (baseline) ...", flush=True)
    daily = portal.daily_reports
    generated_at = datetime.now(UTC)
    started = time.perf_counter()
    for api_id in api_ids:
        daily.store(generate(process(daily.collect(api_id, day - timedelta(days=1))), generated_at))
    baseline_reports = time.perf_counter() - started

    async def reports() -> tuple[float, list[Any]]:
        client = await stack.cfg.connect_temporal()
        started = time.perf_counter()
        handles = [
            await client.start_workflow(
                ApiAnalyticsWorkflow.run,
                AnalyticsRun(api_id, day),
                id=f"bench-report-{api_id}-{uuid.uuid4().hex[:6]}",
                task_queue=TASK_QUEUE_ANALYTICS,
            )
            for api_id in api_ids
        ]
        results = [await handle.result() for handle in handles]
        return time.perf_counter() - started, results

    print(f"  daily reports: ApiAnalyticsWorkflow for each API at once ({day}) ...", flush=True)
    report_seconds, ran = asyncio.run(reports())
    if sum(len(r.reported) for r in ran) != count:
        raise RuntimeError(f"{sum(len(r.reported) for r in ran)} of {count} API-days reported")
    wiring.reset()
    return {
        "health_sweep": {
            "apis_with_traffic": apis_with_traffic,
            "first_sweep_seconds": round(first_seconds, 2),
            "first_sweep_hours_judged": first.hours,
            "first_sweep_apis_per_second": round(first.apis / first_seconds, 1),
            "hourly_sweep_seconds": round(hourly_seconds, 2),
            "hourly_sweep_hours_judged": hourly.hours,
            "apis_per_second": round(hourly.apis / hourly_seconds, 1),
            "baseline_in_process_seconds": round(baseline_sweep, 2),
            "baseline_in_process_apis_per_second": round(count / baseline_sweep, 1),
            "ratio_over_baseline": round((hourly_seconds / hourly.apis) / (baseline_sweep / count), 2),
            "ten_thousand_apis_minutes": round(10_000 / (hourly.apis / hourly_seconds) / 60, 1),
        },
        "daily_reports": {
            "apis": count,
            "day": day.isoformat(),
            "seconds": round(report_seconds, 2),
            "api_days_per_second": round(count / report_seconds, 1),
            "baseline_in_process_seconds": round(baseline_reports, 2),
            "baseline_in_process_api_days_per_second": round(count / baseline_reports, 1),
            "ratio_over_baseline": round(report_seconds / baseline_reports, 2),
            "ten_thousand_apis_minutes": round(10_000 / (count / report_seconds) / 60, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=40, help="batches of 500 records (default 40)")
    parser.add_argument("--report-runs", type=int, default=30, help="report requests (default 30)")
    parser.add_argument(
        "--apis", type=int, default=100, help="APIs for the health sweep and daily reports (default 100)"
    )
    args = parser.parse_args()
    results = results_header("usage analytics", TARGETS)
    with tempfile.TemporaryDirectory(prefix="devportal-bench-usage-") as state:
        print("Starting the local stack with the demo APIs ...", flush=True)
        stack = harness.start(Path(state), seed=True)
        try:
            admin = demo_users(stack.state_dir)["admin"]
            session = Session.sign_in(stack.cfg.gateway_url, admin.email, admin.password)
            status, payload = session.call("POST", "/keys", b'{"team": "pets", "name": "bench"}', "application/json")
            if status != 201:
                raise RuntimeError(f"POST /keys answered {status}")
            key = json.loads(payload)["secret"]
            print(f"End to end through {stack.cfg.gateway_url}: {args.batches} batches of 500 ...", flush=True)
            results["end_to_end"] = end_to_end(session, key, args.batches)
            print("Aggregator CPU per record ...", flush=True)
            results["aggregator"] = aggregator_cpu(stack, args.batches)
            print("Report over 30 days of hourly data ...", flush=True)
            results["report"] = report_latency(stack, session, args.report_runs)
            print(f"Health sweep and daily reports over {args.apis} APIs ...", flush=True)
            results.update(health_and_reports(stack, args.apis))
        finally:
            stop(stack)
    e2e, agg, rep = results["end_to_end"], results["aggregator"], results["report"]
    sweep, daily = results["health_sweep"], results["daily_reports"]
    results["meets_targets"] = {
        "records_per_second": e2e["records_per_second"] >= TARGETS["records_per_second"],
        "aggregator_cpu_us_per_record": agg["cpu_us_per_record"] <= TARGETS["aggregator_cpu_us_per_record"],
        "report_p95_ms": rep["report_p95_ms"] <= TARGETS["report_p95_ms"],
        "health_sweep_apis_per_second": sweep["apis_per_second"] >= TARGETS["health_sweep_apis_per_second"],
        "daily_reports_api_days_per_second": daily["api_days_per_second"]
        >= TARGETS["daily_reports_api_days_per_second"],
    }
    out = save("usage", results)
    print(f"\nResults ({out}):", flush=True)
    print(
        f"  end to end: {e2e['records']} records counted in {e2e['seconds_to_counted']} s = "
        f"{e2e['records_per_second']} records/s (target {TARGETS['records_per_second']}); the POSTs alone "
        f"{e2e['baseline_posts_only_records_per_second']} records/s; ratio {e2e['ratio_counted_over_posted']}x"
    )
    print(
        f"  aggregator CPU: {agg['cpu_us_per_record']} us per record "
        f"(target {TARGETS['aggregator_cpu_us_per_record']}); reading the event alone "
        f"{agg['baseline_read_event_us_per_record']} us; ratio {agg['ratio_over_baseline']}x"
    )
    print(
        f"  report over 30 days: p50 {rep['report_p50_ms']} ms, p95 {rep['report_p95_ms']} ms (target "
        f"{TARGETS['report_p95_ms']}); GET /apis/petstore p95 {rep['baseline_get_api_p95_ms']} ms; "
        f"ratio {rep['ratio_p95_over_baseline']}x"
    )
    print(
        f"  health sweep: {sweep['apis_per_second']} APIs/s hourly ({sweep['apis_with_traffic']} APIs in "
        f"{sweep['hourly_sweep_seconds']} s; 10,000 APIs in {sweep['ten_thousand_apis_minutes']} min; target "
        f"{TARGETS['health_sweep_apis_per_second']}/s); a first sweep of 48 hours "
        f"{sweep['first_sweep_apis_per_second']} APIs/s; the rules in-process "
        f"{sweep['baseline_in_process_apis_per_second']} APIs/s; ratio "
        f"{sweep['ratio_over_baseline']}x"
    )
    print(
        f"  daily reports: {daily['api_days_per_second']} API-days/s ({daily['apis']} in {daily['seconds']} s; "
        f"10,000 APIs in {daily['ten_thousand_apis_minutes']} min; target "
        f"{TARGETS['daily_reports_api_days_per_second']}/s); the four steps in-process "
        f"{daily['baseline_in_process_api_days_per_second']}/s; ratio {daily['ratio_over_baseline']}x"
    )


if __name__ == "__main__":
    main()
