"""Two real HTTP services on loopback for contract tests: one that keeps its spec, one with known
defects, and a recording of every request each received (method, path) so tests can say what was
never sent. Both serve the same spec (`spec(base_url)`); `Defective` breaks it in one way per
operation:

  GET /pets              answers 200 as text/plain            -> content_type_conformance
  GET /pets/{petId}      a pet without its required `name`    -> response_schema_conformance
  GET /owners/{ownerId}  an owner whose `id` is a string      -> response_schema_conformance
  GET /status            answers 203, which is not documented -> status_code_conformance
  GET /slow              answers after SLOW_MS                -> latency (with a lower limit)
  POST /pets, DELETE /pets/{petId}: unsafe; a test sees whether they were sent
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SLOW_MS = 400

_PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "tag": {"type": "string"}},
}
_PROBLEM = {"description": "The request is not valid.", "content": {"application/json": {"schema": {"type": "object"}}}}
_ID = {"type": "integer", "minimum": 1, "maximum": 1000}


def spec(base_url: str, *, title: str = "Contract test target", version: str = "1.0.0") -> dict[str, Any]:
    def ok(schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": "OK", "content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "servers": [{"url": base_url}],
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}}
                    ],
                    "responses": {
                        "200": {
                            **ok({"type": "array", "items": _PET}),
                            # a stateful sequence: the first pet listed, read on its own
                            "links": {
                                "FirstPet": {"operationId": "getPet", "parameters": {"petId": "$response.body#/0/id"}}
                            },
                        },
                        "400": _PROBLEM,
                    },
                },
                "post": {
                    "operationId": "createPet",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _PET}}},
                    "responses": {
                        "201": {
                            **ok(_PET),
                            "links": {
                                "CreatedPet": {"operationId": "getPet", "parameters": {"petId": "$response.body#/id"}},
                                "DeleteCreated": {
                                    "operationId": "deletePet",
                                    "parameters": {"petId": "$response.body#/id"},
                                },
                            },
                        },
                        "400": _PROBLEM,
                    },
                },
            },
            "/pets/{petId}": {
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": _ID, "example": 7}],
                "get": {
                    "operationId": "getPet",
                    "responses": {"200": ok(_PET), "400": _PROBLEM, "404": _PROBLEM},
                },
                "delete": {
                    "operationId": "deletePet",
                    "responses": {"204": {"description": "Deleted"}, "400": _PROBLEM},
                },
            },
            "/owners/{ownerId}": {
                "get": {
                    "operationId": "getOwner",
                    "parameters": [{"name": "ownerId", "in": "path", "required": True, "schema": _ID}],
                    "responses": {
                        "200": ok(
                            {
                                "type": "object",
                                "required": ["id", "pets"],
                                "properties": {"id": {"type": "integer"}, "pets": {"type": "array", "items": _PET}},
                            }
                        ),
                        "400": _PROBLEM,
                    },
                }
            },
            "/status": {
                "get": {
                    "operationId": "getStatus",
                    "responses": {
                        "200": ok({"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}})
                    },
                }
            },
            "/slow": {
                "get": {
                    "operationId": "getSlow",
                    "responses": {"200": ok({"type": "object", "properties": {"waited": {"type": "integer"}}})},
                }
            },
        },
    }


@dataclass
class Received:
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str) -> None:
        with self.lock:
            self.requests.append((method, path))

    def methods(self) -> set[str]:
        with self.lock:
            return {method for method, _ in self.requests}


_ID_TEXT = re.compile(r"^[1-9][0-9]{0,3}$")


def _id(text: str) -> int | None:
    return int(text) if _ID_TEXT.fullmatch(text) and int(text) <= 1000 else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without it each answer waits ~40 ms
    defective = False
    delay_s = 0.0  # every answer waits this long
    redirect: str | None = None  # every request answered 302 to this location
    received: Received

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any = None, content_type: str = "application/json") -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _bad(self, detail: str) -> None:
        self._send(400, {"detail": detail})

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self) -> None:
        url = urlsplit(self.path)
        self.received.add(self.command, url.path)
        body = self._read_body()
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.redirect is not None:
            self.send_response(302)
            self.send_header("Location", self.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        query = parse_qs(url.query, keep_blank_values=True)
        parts = [part for part in url.path.split("/") if part]
        method = "GET" if self.command == "HEAD" else self.command
        if parts == ["pets"] and method == "GET":
            limit = query.get("limit", ["3"])
            if len(limit) != 1 or _id(limit[0]) is None or int(limit[0]) > 50:
                return self._bad("`limit` must be an integer from 1 to 50")
            pets = [{"id": n, "name": f"pet {n}"} for n in range(1, int(limit[0]) + 1)]
            return self._send(200, pets, "text/plain" if self.defective else "application/json")
        if parts == ["pets"] and method == "POST":
            try:
                pet = json.loads(body)
            except ValueError:
                return self._bad("the body is not JSON")
            valid = (
                isinstance(pet, dict)
                and isinstance(pet.get("id"), int)
                and not isinstance(pet.get("id"), bool)
                and isinstance(pet.get("name"), str)
                and isinstance(pet.get("tag", ""), str)
            )
            return self._send(201, {"id": pet["id"], "name": pet["name"]}) if valid else self._bad("not a pet")
        if len(parts) == 2 and parts[0] == "pets" and method in ("GET", "DELETE"):
            pet_id = _id(parts[1])
            if pet_id is None:
                return self._bad("`petId` must be an integer from 1 to 1000")
            if method == "DELETE":
                return self._send(204)
            return self._send(200, {"id": pet_id} if self.defective else {"id": pet_id, "name": f"pet {pet_id}"})
        if len(parts) == 2 and parts[0] == "owners" and method == "GET":
            owner_id = _id(parts[1])
            if owner_id is None:
                return self._bad("`ownerId` must be an integer from 1 to 1000")
            return self._send(200, {"id": str(owner_id) if self.defective else owner_id, "pets": []})
        if parts == ["status"] and method == "GET":
            return self._send(203 if self.defective else 200, {"ok": True})
        if parts == ["slow"] and method == "GET":
            if self.defective:
                time.sleep(SLOW_MS / 1000)
            return self._send(200, {"waited": SLOW_MS if self.defective else 0})
        return self._send(404, {"detail": "no such resource"})

    do_GET = do_HEAD = do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = do_TRACE = _route


@dataclass
class Service:
    base_url: str
    received: Received
    server: ThreadingHTTPServer


@contextmanager
def serve(
    *, defective: bool, host: str = "127.0.0.1", delay_s: float = 0.0, redirect: str | None = None
) -> Iterator[Service]:
    """A service on a free loopback port, stopped (and its port freed) on exit. `delay_s` slows
    every answer; `redirect` answers every request with a redirect there."""
    received = Received()
    handler = type(
        "Handler",
        (_Handler,),
        {"defective": defective, "received": received, "delay_s": delay_s, "redirect": redirect},
    )
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="contract-service", daemon=True)
    thread.start()
    try:
        yield Service(f"http://{host}:{server.server_address[1]}", received, server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
