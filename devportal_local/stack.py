"""`devportal up`: the whole portal on loopback, supervised.

Start order: moto (with the state kept from the last run) -> resources provisioned from the
catalog (idempotent) -> Temporal dev server on its kept database (search attributes registered) ->
worker -> SQS pollers -> gateway. The supervisor holds an exclusive lock on the state directory, so
a second `up` there is refused instead of fighting the first over the Temporal database. A crashed
worker, poller or gateway is restarted (what Lambda would do); if moto or Temporal dies the stack
stops, its state safe on disk. Stopping is always the reverse order, every child as a process
group, and PR_SET_PDEATHSIG covers a supervisor that is killed outright.

State lives in the state directory and outlives the stack: moto's (devportal_local.aws_server,
every answered change on disk), Temporal's database, the demo users. `fresh=True` wipes it first.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import shutil
import signal
import sys
import time
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from devportal.errors import DomainError
from devportal.names import TASK_QUEUE_ANALYTICS, TASK_QUEUE_REGISTRATION, TASK_QUEUE_TESTING
from devportal_local.config import LOOPBACK, LocalConfig
from devportal_local.processes import Child
from devportal_local.provision import Provisioned, provision
from devportal_local.temporal_server import dev_server_argv, ensure_search_attributes, wait_until_serving
from devportal_local.users import Credentials, ensure_demo_users, save_identity

READY_TIMEOUT_SECONDS = 60.0
RESTARTABLE = ("worker", "pollers", "gateway", "petstore")


class AlreadyRunning(RuntimeError):
    pass


class PortsBusy(RuntimeError):
    pass


class StartFailed(RuntimeError):
    pass


Say = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - the CLI's voice


@dataclass
class Timed:
    started: float

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


class LocalStack:
    def __init__(self, config: LocalConfig, say: Say = _print, *, fresh: bool = False) -> None:
        self.config = config
        self.say = say
        self.fresh = fresh
        self.kept = False  # whether this start found the state of an earlier run
        self.children: dict[str, Child] = {}
        self._lock_file: IO[str] | None = None
        self.provisioned: Provisioned | None = None
        self.demo_users: list[Credentials] = []
        self.restarts: dict[str, int] = {}
        self.petstore_url: str | None = None  # the live petstore's base URL, once it runs

    # -- lifecycle -------------------------------------------------------------------------

    def acquire(self) -> None:
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.config.state_dir / "lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AlreadyRunning(self._running_description()) from None
        self._lock_file = handle

    def _running_description(self) -> str:
        try:
            state = json.loads(self.config.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return f"another devportal is starting or running in {self.config.state_dir}"
        return (
            f"devportal is already running in {self.config.state_dir} (pid {state.get('pid')}): "
            f"gateway {state.get('gatewayUrl')}, Temporal Web UI {state.get('temporalUiUrl')}"
        )

    async def start(self) -> None:
        self.acquire()
        busy = self.config.ports.busy()
        if busy:
            self.release()
            listed = ", ".join(f"{name} {port}" for name, port in busy)
            raise PortsBusy(f"ports in use: {listed}. Free them, or choose others (devportal up --help).")
        self.config = self.config.with_resolved_ports()
        for directory in (self.config.logs_dir, self.config.run_dir):
            directory.mkdir(parents=True, exist_ok=True)
        for stale in self.config.run_dir.glob("*"):
            stale.unlink()
        if self.fresh:
            self._wipe()
        self.kept = self.config.aws_state_dir.exists()
        # Both worlds start together or not at all: a Temporal history whose specs and records are
        # gone (or records whose workflows are) would be nonsense.
        if not self.kept:
            self._wipe()
        how = "kept from the last run" if self.kept else "new"
        self.say(f"devportal: starting the local stack (state {how}, with the logs, in {self.config.state_dir})")
        await self._start_moto()
        self._provision()
        await self._start_temporal()
        for name in RESTARTABLE:
            self._start_child(name)
            await self._wait_ready(name)
        self.config.save(os.getpid())
        self._save_children()

    def _wipe(self) -> None:
        for kept in self.config.kept_state():
            if kept.is_dir():
                shutil.rmtree(kept)
            else:
                kept.unlink(missing_ok=True)

    async def _start_moto(self) -> None:
        timer = Timed(time.perf_counter())
        child = self._spawn(
            "moto",
            [
                sys.executable, "-m", "devportal_local.aws_server", "--host", LOOPBACK,
                "--port", str(self.config.ports.moto), "--state-dir", str(self.config.state_dir),
            ],
        )  # fmt: skip
        await self._wait_http(child, f"{self.config.moto_url}/moto-api/")
        self._step("AWS stand-in (moto)", f"{self.config.moto_url}, state in {self.config.aws_state_dir}", timer)

    def _provision(self) -> None:
        timer = Timed(time.perf_counter())
        self.provisioned = provision(
            self.config.names,
            visibility_timeout_seconds=self.config.visibility_timeout_seconds,
            tunables={"max-spec-bytes": str(self.config.max_spec_bytes)},  # --max-spec-mb: the cap, locally
            upload_origins=(self.config.gateway_url,),
            portal_url=self.config.gateway_url,
            **self.config.client_args(),
        )
        self._step("resources provisioned", self.provisioned.summary(), timer)
        timer = Timed(time.perf_counter())
        identity = self.provisioned.environment(self.config.moto_url)
        save_identity(self.config, identity)
        try:
            self.demo_users, kept = ensure_demo_users(self.config, identity)
        except DomainError as error:
            raise StartFailed(
                f"the demo users exist but {self.config.state_dir / 'demo-users.json'} is gone ({error.detail}); "
                "start with --fresh"
            ) from None
        users = ", ".join(f"{c.role} {c.email}" for c in self.demo_users)
        self._step("demo users", users + (" (kept)" if kept else ""), timer)

    async def _start_temporal(self) -> None:
        timer = Timed(time.perf_counter())
        child = self._spawn("temporal", dev_server_argv(self.config))
        try:
            client = await wait_until_serving(
                self.config.temporal_address, self.config.namespace, READY_TIMEOUT_SECONDS
            )
        except TimeoutError as error:
            raise StartFailed(f"{error}\n{child.log_tail()}") from None
        await ensure_search_attributes(client, self.config.namespace)
        self._step(
            "Temporal dev server",
            f"{self.config.temporal_address}, Web UI {self.config.temporal_ui_url}",
            timer,
        )

    def _start_child(self, name: str) -> Child:
        ready = self.config.run_dir / f"{name}.ready"
        extra = {"DEVPORTAL_READY_FILE": str(ready)}
        if name == "petstore" and self.petstore_url:  # restarted: on the port it had
            extra["DEVPORTAL_PETSTORE_PORT"] = self.petstore_url.rsplit(":", 1)[1]
        with contextlib.suppress(FileNotFoundError):
            ready.unlink()
        return self._spawn(name, [sys.executable, "-m", "devportal_local.components", name], extra, ready)

    async def _wait_ready(self, name: str) -> None:
        child = self.children[name]
        ready = child.ready_file
        assert ready is not None
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not ready.exists():
            if not child.alive():
                raise StartFailed(f"{name} exited with code {child.exit_code()}:\n{child.log_tail()}")
            if time.monotonic() > deadline:
                raise StartFailed(f"{name} was not ready within {READY_TIMEOUT_SECONDS:.0f} s:\n{child.log_tail()}")
            await asyncio.sleep(0.05)
        if name == "petstore":
            self.petstore_url = ready.read_text(encoding="utf-8").strip()
        details = {
            "petstore": f"{self.petstore_url} (a live petstore to contract-test)",
            "worker": f"polling task queues {TASK_QUEUE_REGISTRATION}, {TASK_QUEUE_ANALYTICS} and {TASK_QUEUE_TESTING}",
            "pollers": f"{self.provisioned.queues if self.provisioned else '?'} consumer queues"
            + (f" + {len(self.provisioned.stand_ins)} SNS stand-in" if self.provisioned else "")
            + f"; Lambda invoke endpoint http://{LOOPBACK}:{self.config.ports.lambdas}",
            "gateway": self.config.gateway_url,
        }
        self._step(name, details[name], Timed(child.started_at))

    def _spawn(
        self, name: str, argv: list[str], extra_env: dict[str, str] | None = None, ready_file: Path | None = None
    ) -> Child:
        provisioned = self.provisioned.environment(self.config.moto_url) if self.provisioned else {}
        env = {**os.environ, **self.config.child_env(), **provisioned, **(extra_env or {})}
        child = Child(name, argv, env, self.config.logs_dir / f"{name}.log", ready_file)
        child.start()
        self.children[name] = child
        return child

    async def _wait_http(self, child: Child, url: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            if not child.alive():
                raise StartFailed(f"{child.name} exited with code {child.exit_code()}:\n{child.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback, our URL
                    if response.status < 500:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise StartFailed(f"{child.name} did not answer at {url}:\n{child.log_tail()}")
            await asyncio.sleep(0.05)

    def _step(self, name: str, detail: str, timer: Timed) -> None:
        self.say(f"  ✓ {name:<22} {detail}  ({timer.seconds:.1f} s)")

    def _save_children(self) -> None:
        pids = {name: child.pid for name, child in self.children.items()}
        (self.config.run_dir / "children.json").write_text(json.dumps(pids), encoding="utf-8")

    async def watch(self) -> int:
        """Until cancelled: restart a crashed worker, poller or gateway; give up if moto or
        Temporal dies (returns the exit code for the CLI)."""
        while True:
            for name, child in list(self.children.items()):
                if child.alive():
                    continue
                if name not in RESTARTABLE:
                    self.say(f"devportal: {name} exited with code {child.exit_code()}; stopping.\n{child.log_tail()}")
                    return 1
                self.restarts[name] = self.restarts.get(name, 0) + 1
                self.say(
                    f"devportal: {name} exited with code {child.exit_code()}; restarting it "
                    f"(restart #{self.restarts[name]}, log {child.log_path})"
                )
                child.stop(grace_seconds=0)
                self._start_child(name)
                try:
                    await self._wait_ready(name)
                except StartFailed as error:
                    self.say(f"devportal: {name} could not be restarted: {error}")
                    return 1
                self._save_children()
            await asyncio.sleep(0.5)

    def stop(self) -> None:
        for name in reversed(list(self.children)):
            child = self.children[name]
            if child.process is not None:
                child.stop(grace_seconds=10.0)
        self.children.clear()
        with contextlib.suppress(FileNotFoundError):
            self.config.state_file.unlink()
        self.release()

    def release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None


T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


async def until_signal(work: Coroutine[Any, Any, T]) -> T:
    """Run `work`; Ctrl-C (or SIGTERM/SIGHUP) cancels it wherever it is - starting, seeding or
    watching - so the caller's `finally` always gets to stop the children."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, task.cancel)
    try:
        return await task
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
