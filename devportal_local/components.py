"""The local stack's own processes: `python -m devportal_local.components worker | pollers |
gateway | petstore`, started by the supervisor (devportal_local.stack) with the environment it computes, each
signalling readiness through DEVPORTAL_READY_FILE and stopping cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from devportal.names import ResourceNames
from devportal_local.config import LOOPBACK

COMPONENTS = {
    "worker": "the Temporal worker",
    "pollers": "the SQS consumers and the Lambda invoke endpoint state machines' tasks reach",
    "gateway": "the HTTP gateway",
    "petstore": "a live petstore to contract-test (the demo petstore's `demo` environment)",
}


def run(name: str) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stdout)
    return {"worker": _worker, "pollers": _pollers, "gateway": _gateway, "petstore": _petstore}[name]()


def _mark_ready(detail: str | None = None) -> None:
    """Readiness for the supervisor: the ready file holds the pid, or what the component has to
    tell (the petstore's base URL)."""
    ready = os.environ.get("DEVPORTAL_READY_FILE")
    if ready:
        written = Path(ready).with_suffix(".writing")
        written.write_text(detail or str(os.getpid()), encoding="utf-8")
        written.replace(ready)  # whole or not at all: the supervisor reads it as soon as it exists


def _stop_event_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _worker() -> int:
    from temporal_bridge.worker import run as run_worker

    asyncio.run(run_worker(on_ready=_mark_ready))
    return 0


def _pollers() -> int:
    from devportal_local.lambda_front import serving_invocations
    from devportal_local.pollers import run_pollers
    from devportal_local.resume import resume_pending_deliveries

    names = ResourceNames(os.environ["DEVPORTAL_PREFIX"])
    with serving_invocations(LOOPBACK, int(os.environ["DEVPORTAL_LAMBDA_PORT"]), names):
        # the rounds the last stop interrupted, once the tasks they call can be reached
        threading.Thread(target=resume_pending_deliveries, args=(names,), name="resume", daemon=True).start()
        run_pollers(names, _stop_event_on_signals(), on_ready=_mark_ready)
    return 0


def _petstore() -> int:
    from devportal_local.demo_service import live_petstore

    stop = _stop_event_on_signals()
    # the port of the last start, when there was one: the demo environment keeps pointing at it
    with live_petstore(int(os.environ.get("DEVPORTAL_PETSTORE_PORT", "0"))) as petstore:
        _mark_ready(petstore.base_url)
        stop.wait()
    return 0


def _gateway() -> int:
    from devportal_local.gateway import Gateway

    gateway = Gateway(LOOPBACK, int(os.environ["DEVPORTAL_GATEWAY_PORT"]), int(os.environ["DEVPORTAL_MAX_SPEC_BYTES"]))
    stop = _stop_event_on_signals()
    gateway.start_in_background()
    _mark_ready()
    stop.wait()
    gateway.shutdown()
    return 0


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in COMPONENTS:
        print(f"usage: python -m devportal_local.components {{{','.join(COMPONENTS)}}}", file=sys.stderr)  # noqa: T201
        raise SystemExit(2)
    code = run(sys.argv[1])
    sys.stdout.flush()
    os._exit(code)  # the Temporal client's native runtime can abort at interpreter exit (sdk-python#300)


if __name__ == "__main__":
    main()
