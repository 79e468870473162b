"""A live petstore on loopback for the demo's contract test: it answers the demo petstore spec's
read operations (GET /pets, GET /pets/{petId}), and it has drifted from the spec the way live
services do - one pet's `status` is `adopted`, a value the spec's enum does not have - so the run
has something real to find. Standard library only; a daemon thread; stopped on exit."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devportal_local.config import LOOPBACK

PETS = [
    {"id": 1, "name": "Rex", "tag": "dog", "status": "available"},
    {"id": 2, "name": "Tom", "tag": "cat", "status": "sold"},
    {"id": 3, "name": "Nemo", "tag": "fish", "status": "adopted"},  # the drift: not in PetStatus
    {"id": 4, "name": "Polly", "status": "pending"},
]
STATUSES = ("available", "pending", "sold")


@dataclass
class LivePetstore:
    base_url: str
    _served: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def served(self) -> int:
        """Requests answered so far (what a benchmark divides by its time)."""
        with self._lock:
            return self._served

    def count(self) -> None:
        with self._lock:
            self._served += 1


class _Petstore(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    petstore: LivePetstore

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"code": status, "message": message})

    def _route(self) -> None:
        self.petstore.count()
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urlsplit(self.path)
        parts = [part for part in url.path.split("/") if part]
        if self.command not in ("GET", "HEAD"):
            return self._error(405, f"{self.command} is not served here")
        if parts == ["pets"]:
            return self._list(parse_qs(url.query, keep_blank_values=True))
        if len(parts) == 2 and parts[0] == "pets":
            pet = next((p for p in PETS if parts[1].isdigit() and str(p["id"]) == parts[1].lstrip("0")), None)
            if pet is None:
                return self._error(404, f"No pet {parts[1]}")
            return self._send(200, pet)
        return self._error(404, "No such resource")

    def _list(self, query: dict[str, list[str]]) -> None:
        unknown = sorted(set(query) - {"limit", "status"})
        if unknown:
            return self._error(400, f"Unknown query parameter {unknown[0]}")
        limits, statuses = query.get("limit", ["100"]), query.get("status", [])
        if len(limits) != 1 or not limits[0].isdigit() or not 1 <= int(limits[0]) <= 100:
            return self._error(400, "`limit` must be an integer from 1 to 100")
        if len(statuses) > 1 or (statuses and statuses[0] not in STATUSES):
            return self._error(400, "`status` must be available, pending or sold")
        pets = [pet for pet in PETS if not statuses or pet["status"] == statuses[0]]
        return self._send(200, pets[: int(limits[0])])

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route


@contextmanager
def live_petstore(port: int = 0) -> Iterator[LivePetstore]:
    """The petstore serving on loopback (its base URL, the requests it answered)."""
    petstore = LivePetstore("")
    server = ThreadingHTTPServer((LOOPBACK, port), type("Handler", (_Petstore,), {"petstore": petstore}))
    petstore.base_url = f"http://{LOOPBACK}:{server.server_address[1]}"
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="demo-petstore", daemon=True)
    thread.start()
    try:
        yield petstore
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
