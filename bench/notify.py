"""Notifications on the local stack: how long from an event on the bus to its signed POST at a
webhook receiver (p50/p95), and how many deliveries per second one event makes to 100 webhook
subscriptions - each against the same signed POSTs sent straight from one process (the baseline:
what delivering costs without the notifier, the state machine and its tasks); and a daily digest
of 100 notices: from the digest's schedule triggered to its one signed POST received, against one
notice told at once (the p50 above).

    python -m bench.notify [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import percentile, results_header, save, stop
from devportal.adapters.notify import PinnedWebhookPoster
from devportal.notify.signing import new_secret, signed_headers
from devportal.testing.targets import TargetPolicy
from devportal_local import harness
from devportal_local.demo import Session
from devportal_local.users import demo_users
from devportal_local.webhook_receiver import Receiver, webhook_receiver
from tests.support.events import put_on_bus, registered

SUBSCRIPTIONS = 100
DIGESTED = 100


def put_event(stack: harness.StackProcess, event: Any) -> float:
    started = time.time()
    put_on_bus(stack.cfg.client("events"), stack.cfg.names.event_bus, event)
    return started


def subscribe(session: Session, team: str, url: str, api_id: str) -> None:
    body = json.dumps({"events": ["api.registered"], "apis": [api_id], "webhookUrl": url}).encode()
    status, payload = session.call("POST", f"/teams/{team}/subscriptions", body, "application/json")
    assert status == 201, payload


def latency(stack: harness.StackProcess, session: Session, receiver: Receiver, rounds: int) -> list[float]:
    api_id = f"bench-{uuid.uuid4().hex[:6]}"
    subscribe(session, "pets", receiver.url, api_id)
    seconds = []
    for n in range(rounds):
        started = put_event(stack, registered(api_id, owner="pets"))
        got = receiver.wait_for(n + 1, seconds=60)[n]
        seconds.append(got.at - started)
    return seconds


def fan_out(stack: harness.StackProcess, session: Session, receiver: Receiver) -> dict[str, Any]:
    team, api_id = f"bench{uuid.uuid4().hex[:6]}", f"bench-{uuid.uuid4().hex[:6]}"
    for n in range(SUBSCRIPTIONS):
        subscribe(session, team, f"{receiver.url}/{n}", api_id)
    started = put_event(stack, registered(api_id, owner=team))
    got = receiver.wait_for(SUBSCRIPTIONS, seconds=600)
    first, last = min(r.at for r in got) - started, max(r.at for r in got) - started
    return {
        "deliveries": len(got),
        "seconds_to_first": round(first, 3),
        "seconds_to_last": round(last, 3),
        "deliveries_per_second": round(len(got) / last, 1),
    }


def digest(stack: harness.StackProcess, session: Session, receiver: Receiver) -> dict[str, Any]:
    """DIGESTED registrations kept for one webhook's digest, then the digest's schedule triggered."""
    import asyncio

    from devportal.names import TASK_QUEUE_ANALYTICS
    from temporal_bridge.digests import NotificationDigestWorkflow
    from temporal_bridge.schedules import digest_schedule_id, trigger_now

    api_id = f"bench-{uuid.uuid4().hex[:6]}"
    body = json.dumps(
        {"events": ["api.registered"], "digest": ["api.registered"], "apis": [api_id], "webhookUrl": receiver.url}
    ).encode()
    status, payload = session.call("POST", "/teams/pets/subscriptions", body, "application/json")
    assert status == 201, payload
    subscription_id = json.loads(payload)["subscriptionId"]
    for n in range(DIGESTED):
        put_event(stack, registered(api_id, owner="pets", version=f"1.{n}.0"))
    deadline = time.monotonic() + 300
    while True:  # every notice kept for the digest
        status, payload = session.call("GET", f"/teams/pets/subscriptions/{subscription_id}/deliveries?limit=100")
        if sum(d["status"] == "digested" for d in json.loads(payload)["items"]) >= DIGESTED:
            break
        assert time.monotonic() < deadline, "the notices were not all kept for the digest"
        time.sleep(0.5)

    async def run() -> tuple[float, float]:
        client = await stack.cfg.connect_temporal()
        started = time.time()
        triggered = await trigger_now(client, digest_schedule_id(TASK_QUEUE_ANALYTICS))
        await client.get_workflow_handle_for(
            NotificationDigestWorkflow.run, triggered.workflow_id, run_id=triggered.first_execution_run_id
        ).result()
        return started, time.time()

    started, ran = asyncio.run(run())
    (got,) = receiver.wait_for(1, seconds=120)
    told = json.loads(got.body)["data"]
    return {
        "notices": told["total"],
        "notices_in_body": len(told["notices"]),
        "body_bytes": len(got.body),
        "workflow_seconds": round(ran - started, 3),
        "seconds_to_webhook": round(got.at - started, 3),
    }


def direct(receiver: Receiver, count: int) -> list[float]:
    """The baseline: the same signed POSTs, made one after another by the poster the task uses."""
    poster = PinnedWebhookPoster(TargetPolicy(allow_loopback=True, who="webhooks"))
    secret, body = new_secret(), json.dumps({"type": "api.registered", "data": {"apiId": "bench"}}).encode()
    seconds = []
    for n in range(count):
        started = time.perf_counter()
        headers = {
            **signed_headers([secret], f"msg_{n:026x}", int(time.time()), body),
            "content-type": "application/json",
        }
        status, _ = poster.post(receiver.url, body, headers)
        assert status == 200
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="events timed one by one (default 20)")
    args = parser.parse_args()
    results = results_header("notifications")
    with tempfile.TemporaryDirectory(prefix="devportal-bench-notify-") as state:
        print("Starting the local stack ...", flush=True)
        stack = harness.start(Path(state) / "stack")
        try:
            admin = demo_users(stack.state_dir)["admin"]
            session = Session.sign_in(stack.cfg.gateway_url, admin.email, admin.password)
            with webhook_receiver() as receiver:
                print(f"Event -> webhook, {args.rounds} events one by one ...", flush=True)
                timed = latency(stack, session, receiver, args.rounds)
            with webhook_receiver() as receiver:
                print(f"One event to {SUBSCRIPTIONS} webhook subscriptions ...", flush=True)
                spread = fan_out(stack, session, receiver)
            with webhook_receiver() as receiver:
                print(f"A daily digest of {DIGESTED} notices to one webhook ...", flush=True)
                digested = digest(stack, session, receiver)
            with webhook_receiver() as receiver:
                baseline = direct(receiver, SUBSCRIPTIONS)
        finally:
            stop(stack)
    p50, p95 = percentile(timed, 0.5), percentile(timed, 0.95)
    base_p50 = percentile(baseline, 0.5)
    base_rate = len(baseline) / sum(baseline)
    results["event_to_webhook"] = {
        "events": len(timed),
        "p50_seconds": round(p50, 3),
        "p95_seconds": round(p95, 3),
        "max_seconds": round(max(timed), 3),
        "baseline_post_p50_seconds": round(base_p50, 4),
        "ratio_p50": round(p50 / base_p50, 1),
    }
    results["fan_out"] = {
        **spread,
        "baseline_posts_per_second": round(base_rate, 1),
        "ratio": round(base_rate / spread["deliveries_per_second"], 1),
    }
    results["digest"] = {
        **digested,
        "immediate_p50_seconds": round(p50, 3),
        "ratio_to_one_immediate": round(digested["seconds_to_webhook"] / p50, 1),
    }
    out = save("notify", results)
    print(f"\nResults ({out}):", flush=True)
    print(
        f"  event -> webhook received: p50 {p50:.3f} s, p95 {p95:.3f} s "
        f"(a signed POST alone: p50 {base_p50 * 1000:.1f} ms)"
    )
    print(
        f"  one event to {SUBSCRIPTIONS} subscriptions: {spread['deliveries']} deliveries, last after "
        f"{spread['seconds_to_last']} s = {spread['deliveries_per_second']} deliveries/s "
        f"(the same POSTs from one process: {base_rate:.0f}/s)"
    )
    print(
        f"  a daily digest of {digested['notices']} notices ({digested['notices_in_body']} in its "
        f"{digested['body_bytes']:,}-byte body): schedule triggered -> webhook {digested['seconds_to_webhook']} s "
        f"(one notice told at once: p50 {p50:.3f} s)"
    )


if __name__ == "__main__":
    main()
