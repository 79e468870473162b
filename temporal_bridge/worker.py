"""The registration worker. Locally a process against the dev server (`devportal worker`); in AWS
the same workflows and activities run inside a Lambda against Temporal Cloud."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from temporalio.client import Client
from temporalio.worker import Worker, WorkerConfig

from devportal import wiring
from devportal.adapters.temporal import connect_config
from devportal.registry.register import Registrar
from temporal_bridge.activities import RegistrationActivities
from temporal_bridge.workflows import ApiRegistrationWorkflow

log = logging.getLogger("devportal.worker")


def registration_worker_config(registrar: Registrar) -> WorkerConfig:
    """What a registration worker runs, wherever it runs: the workflow and its activities."""
    activities = RegistrationActivities(registrar)
    return WorkerConfig(
        workflows=[ApiRegistrationWorkflow],
        activities=[
            activities.mark_registering,
            activities.validate,
            activities.render_docs,
            activities.store_version,
            activities.discard_docs,
            activities.announce_registered,
            activities.announce_rejected,
        ],
    )


def build_worker(client: Client, task_queue: str, registrar: Registrar) -> Worker:
    config = registration_worker_config(registrar)
    config["client"] = client
    config["task_queue"] = task_queue
    config["max_concurrent_activities"] = 8
    return Worker(**config)


async def run(on_ready: Callable[[], None] | None = None) -> None:
    root = wiring.portal()
    client = await Client.connect(**connect_config(root.temporal_overrides))
    task_queue = root.registration_task_queue
    worker = build_worker(client, task_queue, root.registrar)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker polling task queue %s", task_queue)
    async with worker:
        if on_ready is not None:
            on_ready()
        await stop.wait()
    log.info("worker stopped")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(run())


if __name__ == "__main__":
    main()
