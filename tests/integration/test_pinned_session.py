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


def test_a_webhook_answer_dripped_a_byte_at_a_time_is_cut_at_the_whole_timeout() -> None:
    import socket
    import time

    from devportal.adapters.notify import PinnedWebhookPoster

    # Given a receiver that answers one byte every 0.2 s: no single read ever waits 1 s
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def drip() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    poster = PinnedWebhookPoster(TargetPolicy(allow_loopback=True), timeout_seconds=1)
    started = time.monotonic()
    try:
        # When a delivery is POSTed to it, Then the attempt ends after the whole second, as no answer
        with pytest.raises(ConnectionError, match="no whole answer within 1 s"):
            poster.post(f"http://127.0.0.1:{port}/hook", b"{}", {"content-type": "application/json"})
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        dripping.join(5)
        listener.close()
    # and a receiver that answers is still heard
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answering)
    serving = threading.Thread(target=httpd.serve_forever, daemon=True)
    serving.start()
    try:
        status, latency = poster.post(f"http://127.0.0.1:{httpd.server_address[1]}/hook", b"{}", {})
        assert status == 204
        assert latency < 1000
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Answering(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
