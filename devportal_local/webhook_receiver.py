"""A webhook receiver on loopback, for `make demo` and the tests: answers each POST with the next
scripted status (the last one from then on) and keeps what it received, as a team's service would
(`verified` checks a delivery's Standard Webhooks signature with the subscription's secret)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devportal_local.config import LOOPBACK


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float
    status: int


@dataclass
class Receiver:
    url: str
    statuses: list[int]
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def answer_from_now(self, *statuses: int) -> None:
        with self.lock:
            self.statuses[:] = list(statuses)

    def verified(self, secret: str) -> list[Received]:
        """The deliveries whose signature checks out with `secret` (and whose timestamp is recent)."""
        from devportal.notify.signing import WebhookVerificationError, verify

        checked = []
        for received in list(self.received):
            try:
                verify(secret, received.headers, received.body, now=int(time.time()))
            except WebhookVerificationError:
                continue
            checked.append(received)
        return checked

    def wait_for(self, count: int, seconds: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{self.url} received {len(self.received)} request(s), not {count}, in {seconds} s")


@contextlib.contextmanager
def webhook_receiver(statuses: Sequence[int] = (200,), path: str = "/hooks/devportal") -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            receiver = holder["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = receiver.next_status()
            with receiver.lock:
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body, time.time(), status)
                )
            answer = b'{"ok": true}' if status < 300 else b'{"error": "try later"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    server.daemon_threads = True
    holder["r"] = Receiver(f"http://{LOOPBACK}:{server.server_address[1]}{path}", list(statuses))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["r"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
