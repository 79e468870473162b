"""Run `devportal up` as a subprocess and drive its lifecycle: for the e2e tests and the benchmarks,
which both need the real stack exactly as a user starts it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from devportal_local.config import LocalConfig

READY_LINE = "devportal is up."
LAST_READY_LINE = "  Logs "  # the summary block `up` prints ends with where the logs are
START_TIMEOUT_SECONDS = 120.0


@dataclass
class StackProcess:
    process: subprocess.Popen[str]
    state_dir: Path
    output: list[str] = field(default_factory=list)
    config: LocalConfig | None = None

    @property
    def cfg(self) -> LocalConfig:
        if self.config is None:
            raise RuntimeError("the stack is not up")
        return self.config

    def children(self) -> dict[str, int]:
        loaded: dict[str, int] = json.loads((self.state_dir / "run" / "children.json").read_text(encoding="utf-8"))
        return loaded

    def text(self) -> str:
        return "\n".join(self.output)


def up_argv(state_dir: Path, *extra: str, seed: bool = False) -> list[str]:
    """`devportal up` on free ports, with a 1 s visibility timeout so that retries take seconds, and
    tunable settings re-read every second."""
    argv = [sys.executable, "-m", "devportal_cli", "up", "--state-dir", str(state_dir)]
    for flag in ("--gateway-port", "--moto-port", "--temporal-port", "--ui-port"):
        argv += [flag, "0"]  # Temporal's HTTP and metrics ports follow its free gRPC port
    argv += ["--visibility-timeout", "1", "--settings-refresh", "1", *extra]
    return argv if seed else [*argv, "--no-seed"]


def start(state_dir: Path, *extra: str, seed: bool = False, echo: bool = False) -> StackProcess:
    """Run `up_argv`; returns once the stack says it is up."""
    argv = up_argv(state_dir, *extra, seed=seed)
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    stack = StackProcess(process, state_dir)
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        up = False
        for line in process.stdout:
            stack.output.append(line.rstrip("\n"))
            if echo:
                print(line, end="", flush=True)  # noqa: T201 - progress for the bench
            up = up or line.startswith(READY_LINE)
            if up and line.startswith(LAST_READY_LINE):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(stack)
            raise RuntimeError(f"devportal up did not come up:\n{stack.text()}")
    stack.config = LocalConfig.load(state_dir)
    return stack


def stop(stack: StackProcess) -> list[int]:
    """Ctrl-C, as a user would; returns the pids of children still alive afterwards (none, if all is well)."""
    pids: list[int] = []
    with contextlib.suppress(FileNotFoundError, ValueError):
        pids = list(stack.children().values())
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
        try:
            stack.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.process.pid, signal.SIGKILL)
            stack.process.wait()
    time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").split()[2]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
