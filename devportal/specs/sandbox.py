"""Submitted documents are checked in worker processes with a memory and a time limit.

A document is hostile until checked: one that makes parsing or validation exhaust memory or run
for minutes must cost its own registration and nothing else. So `check_spec` runs in a child
process (`python -m devportal.specs.sandbox`), one document at a time, under an address-space
limit set per document; the parent waits at most the time limit. A child that overruns either,
dies, or whose check is cancelled is killed and replaced, and the registration gets a finding
(or the cancellation) - every other registration, in its own child, carries on. Children are
reused while they stay small, so a check pays no interpreter start-up.

The two speak length-prefixed frames over the child's stdin and stdout: a JSON header, then a
byte body (the document in, the normalized document out). Nothing is unpickled from a child that
has just read hostile input."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from devportal.settings import MEBIBYTE, SpecLimits
from devportal.specs.check import Checked, check_spec
from devportal.specs.lint import LintReport, Ruleset
from devportal.specs.parsing import SpecFormat
from devportal.specs.validation import Finding

_HEADER = struct.Struct(">I")
_BODY = struct.Struct(">Q")
RULE = "spec-check-limits"


class CheckCancelled(Exception):
    """The check was cancelled (its activity was); the child doing it has been killed."""


class _Overrun(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason  # "time" | "memory"


class SpecSandbox:
    """At most `workers` documents are checked at once; more callers wait for a free worker."""

    def __init__(self, workers: int = 2, *, recycle_above: float = 0.5) -> None:
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._recycle_above = recycle_above  # share of the memory limit an idle worker may keep
        self._closed = False

    def check(
        self,
        raw: bytes,
        fmt: SpecFormat,
        limits: SpecLimits,
        max_findings: int,
        *,
        cancelled: threading.Event | None = None,
        ruleset: Ruleset | None = None,
    ) -> Checked:
        memory = limits.check_memory_mb * MEBIBYTE
        header = {
            "format": fmt,
            "limits": limits.model_dump(),
            "maxFindings": max_findings,
            "memory": memory,
            "ruleset": None if ruleset is None else ruleset.to_wire(),
        }
        with self._slots:
            worker = self._take()
            try:
                reply, body = worker.ask(header, raw, time.monotonic() + limits.check_seconds, cancelled)
            except _Overrun as overrun:
                worker.kill()
                return Checked((_limit_finding(overrun.reason, limits),), truncated=False)
            except BaseException:
                worker.kill()
                raise
            if reply.get("error") == "memory":
                worker.kill()
                return Checked((_limit_finding("memory", limits),), truncated=False)
            if "error" in reply:
                worker.kill()
                raise RuntimeError(f"the spec check failed: {reply.get('detail')}")
            self._give_back(worker, memory)
        return _checked(reply, body)

    def warm(self) -> None:
        """Start a worker now, so the first document does not wait for an interpreter to start."""
        with self._lock:
            if not self._closed and not self._idle:
                self._idle.append(_Worker.start())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("the spec sandbox is closed")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()
        return _Worker.start()

    def _give_back(self, worker: _Worker, memory: int) -> None:
        with self._lock:
            if not self._closed and worker.resident_bytes() < memory * self._recycle_above:
                self._idle.append(worker)
                return
        worker.kill()


def _limit_finding(reason: str, limits: SpecLimits) -> Finding:
    if reason == "time":
        detail = f"took longer than {limits.check_seconds} s, the most one check may take"
    else:
        detail = f"needed more than {limits.check_memory_mb} MiB of memory, the most one check may use"
    return Finding(
        "",
        f"Checking this document {detail}; it was stopped and nothing was registered. "
        "Split the document, or remove what makes it repeat itself, and submit it again.",
        RULE,
    )


def _checked(reply: dict[str, Any], body: bytes) -> Checked:
    return Checked(
        findings=tuple(Finding(**finding) for finding in reply["findings"]),
        truncated=reply["truncated"],
        title=reply["title"],
        openapi_version=reply["openapiVersion"],
        operation_count=reply["operationCount"],
        normalized=body if reply["valid"] else None,
        lint=None if reply.get("lint") is None else _lint_report(reply["lint"]),
    )


def _lint_report(wire: dict[str, Any]) -> LintReport:
    return LintReport(tuple(Finding(**finding) for finding in wire["findings"]), wire["counts"], wire["blocking"])


class _Worker:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    @classmethod
    def start(cls) -> _Worker:
        process = subprocess.Popen(
            [sys.executable, "-m", "devportal.specs.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        return cls(process)

    def alive(self) -> bool:
        return self.process.poll() is None

    def resident_bytes(self) -> int:
        try:
            statm = Path(f"/proc/{self.process.pid}/statm").read_text(encoding="ascii")
            return int(statm.split()[1]) * resource.getpagesize()
        except (OSError, ValueError, IndexError):
            return 0  # no /proc: keep it; the per-check limit still holds

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.process.wait()

    def ask(
        self, header: dict[str, Any], body: bytes, deadline: float, cancelled: threading.Event | None
    ) -> tuple[dict[str, Any], bytes]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        try:
            _write_frame(self.process.stdin, header, body)
        except (BrokenPipeError, OSError):
            raise _Overrun("memory") from None  # it died before reading: it had no room to start
        reader = _Reader(self.process.stdout.fileno(), deadline, cancelled)
        try:
            size = _HEADER.unpack(reader.read(_HEADER.size))[0]
            reply = json.loads(reader.read(size))
            body_size = _BODY.unpack(reader.read(_BODY.size))[0]
            return reply, reader.read(body_size)
        except EOFError:
            # It exited mid-check: killed by the kernel for memory, or a crash of the same cause.
            raise _Overrun("memory") from None


class _Reader:
    """Reads exactly n bytes from a pipe, giving up at the deadline or on cancellation."""

    def __init__(self, fd: int, deadline: float, cancelled: threading.Event | None) -> None:
        self.fd = fd
        self.deadline = deadline
        self.cancelled = cancelled

    def read(self, n: int) -> bytes:
        chunks, remaining = [], n
        while remaining:
            if self.cancelled is not None and self.cancelled.is_set():
                raise CheckCancelled()
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise _Overrun("time")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.1))
            if not ready:
                continue
            chunk = os.read(self.fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


def _write_frame(stream: IO[bytes], header: dict[str, Any], body: bytes) -> None:
    encoded = json.dumps(header).encode()
    stream.write(_HEADER.pack(len(encoded)) + encoded + _BODY.pack(len(body)))
    stream.write(body)
    stream.flush()


def _read_exactly(stream: IO[bytes], n: int) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise EOFError
    return data


def _serve() -> None:
    """The child: checks one document per request until its stdin closes."""
    _die_with_parent()
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into a frame
    _soft_limit, hard_limit = resource.getrlimit(resource.RLIMIT_AS)
    while True:
        try:
            size = _HEADER.unpack(_read_exactly(requests, _HEADER.size))[0]
            header = json.loads(_read_exactly(requests, size))
            body = _read_exactly(requests, _BODY.unpack(_read_exactly(requests, _BODY.size))[0])
        except EOFError:
            return
        memory = int(header["memory"])
        unlimited = hard_limit == resource.RLIM_INFINITY
        resource.setrlimit(resource.RLIMIT_AS, (memory if unlimited else min(memory, hard_limit), hard_limit))
        try:
            ruleset = None if header.get("ruleset") is None else Ruleset.model_validate(header["ruleset"])
            checked = check_spec(body, header["format"], SpecLimits(**header["limits"]), header["maxFindings"], ruleset)
        except Exception as error:  # told apart below; this process ends either way
            del body
            if _out_of_memory(error):  # a process that ran out of memory is not trusted with more
                _write_frame(replies, {"error": "memory"}, b"")
            else:  # a defect of ours, not the document's: the parent raises it
                _write_frame(replies, {"error": "crash", "detail": f"{type(error).__name__}: {error}"[:500]}, b"")
            return
        del body
        reply = {
            "findings": [asdict(finding) for finding in checked.findings],
            "truncated": checked.truncated,
            "title": checked.title,
            "openapiVersion": checked.openapi_version,
            "operationCount": checked.operation_count,
            "valid": checked.valid,
            "lint": None
            if checked.lint is None
            else {
                "findings": [asdict(finding) for finding in checked.lint.findings],
                "counts": dict(checked.lint.counts),
                "blocking": checked.lint.blocking,
            },
        }
        _write_frame(replies, reply, checked.normalized or b"")


def _out_of_memory(error: BaseException | None) -> bool:
    """MemoryError, or what a C extension raised while one was pending (orjson's SystemError)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, MemoryError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _die_with_parent() -> None:
    """Linux: the kernel kills this child when the process that started it dies (a SIGKILLed
    worker leaves nothing behind); elsewhere stdin's end does, once the current check is over."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:
        sys.exit(0)


if __name__ == "__main__":
    _serve()
