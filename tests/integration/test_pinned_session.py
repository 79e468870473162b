"""Requests contract tests send, on loopback: one resolution per request with the connection pinned
to the checked address (no rebinding), redirects re-checked, bodies capped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from devportal.testing.targets import RefusedTarget, ResponseTooLarge, TargetPolicy, pinned_session


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/hop":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = (b"x" * 5000) if self.path == "/big" else f"host={self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_a_name_is_resolved_once_per_request_and_the_connection_goes_to_that_address(server: int) -> None:
    # Given a resolver that answers loopback the first time and the metadata address after (rebinding)
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    session = pinned_session(TargetPolicy(allow_loopback=True, resolver=resolver), max_body_bytes=1024)
    # When a request is made to the name
    answer = session.get(f"http://svc.test:{server}/hello", timeout=5)
    # Then it reached the checked address, with the name in its Host header
    assert answer.text == f"host=svc.test:{server}"
    assert asked == ["svc.test"]
    # and the next request resolves again and is refused, never connected
    with pytest.raises(RefusedTarget, match="cloud metadata"):
        session.get(f"http://svc.test:{server}/hello", timeout=5)


def test_a_redirect_to_a_refused_address_is_not_followed(server: int) -> None:
    session = pinned_session(TargetPolicy(allow_loopback=True), max_body_bytes=1024)
    with pytest.raises(RefusedTarget, match=r"169\.254\.169\.254 is a cloud metadata address"):
        session.get(f"http://127.0.0.1:{server}/hop", timeout=5)


def test_a_body_over_the_cap_is_refused(server: int) -> None:
    session = pinned_session(TargetPolicy(allow_loopback=True), max_body_bytes=1024)
    with pytest.raises(ResponseTooLarge):
        session.get(f"http://127.0.0.1:{server}/big", timeout=5)
    assert isinstance(ResponseTooLarge("x"), requests.RequestException)
