"""The local API gateway: real HTTP on loopback, one Lambda handler per route.

Routes come from contracts/gateway.openapi.yaml (the same table the CDK API stack reads). Each
request becomes an API Gateway REST proxy event; the handler's proxy response becomes the HTTP
response. Operations the contract secures check the access token first, with the same verifier
API Gateway's Cognito authorizer stands for, and hand the claims over as
`requestContext.authorizer.claims`. Limits kept from API Gateway: the payload cap (answered 413 before the body is read)
and the 29-second integration timeout (504)."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from contracts import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, GatewayRoute, gateway_routes
from contracts.web import API_PREFIX, UI_BUILD
from devportal import wiring
from devportal.errors import Forbidden, Unauthenticated
from devportal.http import BEARER_CHALLENGE, MIN_COMPRESSED_BYTES
from devportal_local.config import LOOPBACK
from devportal_local.lambda_runtime import Handler, LambdaContext, load_handler
from devportal_local.web import PortalFiles, accepts_gzip
from functions.catalog import route_function
from functions.declaration import Function

log = logging.getLogger("devportal.gateway")
INTEGRATION_TIMEOUT_SECONDS = 29.0
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "application/problem+json",
    "application/vnd.oai.openapi",
    "application/xml",
)


@dataclass(frozen=True)
class BoundRoute:
    route: GatewayRoute
    function: Function
    handler: Handler
    matcher: Any

    @classmethod
    def of(cls, route: GatewayRoute) -> BoundRoute:
        function = route_function(route)
        return cls(route, function, load_handler(function.handler), route.matcher())


class Gateway:
    def __init__(self, host: str, port: int, max_body_bytes: int, ui_build: Path | None = UI_BUILD) -> None:
        self.routes = [BoundRoute.of(r) for r in gateway_routes()]
        self.max_body_bytes = max_body_bytes
        self.web = PortalFiles(ui_build) if ui_build is not None else None
        self.executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="lambda")
        gateway = self

        class RequestHandler(_RequestHandler):
            owner = gateway

        self.server = ThreadingHTTPServer((host, port), RequestHandler)
        self.server.daemon_threads = True

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def serve(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def start_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve, name="gateway", daemon=True)
        thread.start()
        return thread

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def match(self, method: str, path: str) -> tuple[BoundRoute | None, dict[str, str], list[str]]:
        allowed = []
        for bound in self.routes:
            found = bound.matcher.match(path)
            if found is None:
                continue
            if bound.route.method == method:
                return bound, {k: unquote(v) for k, v in found.groupdict().items()}, []
            allowed.append(bound.route.method)
        return None, {}, allowed


class _RequestHandler(BaseHTTPRequestHandler):
    owner: Gateway
    protocol_version = "HTTP/1.1"
    server_version = "devportal-gateway"
    # Headers and body go out in two sends; without TCP_NODELAY the body of a kept-alive answer
    # waits for the browser's delayed ACK of the headers (40 ms on Linux).
    disable_nagle_algorithm = True

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD>; every method, even one it has never heard of, goes to
        # the router, which answers 405 (or 404) as problem+json rather than the stdlib's 501 page.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        url = urlsplit(self.path)
        path = url.path or "/"
        # The API answers at the root (as API Gateway's own URL does) and under /api, where the
        # portal UI on this origin calls it (as through the portal's CloudFront distribution in AWS).
        on_api_prefix = path == API_PREFIX or path.startswith(API_PREFIX + "/")
        if on_api_prefix:
            path = path[len(API_PREFIX) :] or "/"
        bound, path_parameters, allowed = self.owner.match(self.command, path)
        if bound is None and not allowed and not on_api_prefix and self._is_web_request(path):
            self._drain_body()
            self._web_page(path, request_id)
            return
        if bound is None and self.command == "OPTIONS" and allowed:
            self._drain_body()
            self._preflight(allowed, request_id)
            return
        if bound is None:
            self._drain_body()
            if allowed:
                self._problem(
                    HTTPStatus.METHOD_NOT_ALLOWED,
                    f"{self.command} is not allowed on {path}.",
                    request_id,
                    {"Allow": ", ".join(sorted(set(allowed)))},
                )
            else:
                self._problem(HTTPStatus.NOT_FOUND, f"No route for {path}.", request_id)
            return
        claims = self._authorize(bound.route, request_id)
        if claims is None:
            return
        body = self._read_body(request_id)
        if body is None:
            return
        event = self._proxy_event(bound.route, path, url.query, path_parameters, body, request_id)
        if claims:
            event["requestContext"]["authorizer"] = {"claims": claims}
        context = LambdaContext(
            function_name=f"devportal-{bound.function.name}",
            timeout_seconds=bound.function.timeout_seconds,
            memory_limit_in_mb=bound.function.memory_mb,
            aws_request_id=request_id,
        )
        future = self.owner.executor.submit(bound.handler, event, context)
        try:
            response = future.result(timeout=INTEGRATION_TIMEOUT_SECONDS)
        except FutureTimeout:
            self._problem(HTTPStatus.GATEWAY_TIMEOUT, "The function did not answer in time.", request_id)
            return
        except Exception:
            log.exception("handler %s raised", bound.function.name)
            self._problem(HTTPStatus.BAD_GATEWAY, "The function failed.", request_id)
            return
        self._write_proxy_response(response)
        log.info(
            "%s %s -> %s in %.0f ms",
            self.command,
            path,
            response.get("statusCode"),
            (time.perf_counter() - started) * 1000,
        )

    def _is_web_request(self, path: str) -> bool:
        """Whether the portal UI answers: a file of the build, or any path a browser navigates to
        (it gets the 404 page). An API client's wrong path still gets a problem+json 404."""
        web = self.owner.web
        if web is None:
            return False
        return web.has(path) or "text/html" in self.headers.get("Accept", "")

    def _web_page(self, path: str, request_id: str) -> None:
        assert self.owner.web is not None
        if self.command not in ("GET", "HEAD"):
            self._problem(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"{self.command} is not allowed on {path}.",
                request_id,
                {"Allow": "GET, HEAD"},
            )
            return
        page = self.owner.web.answer(path, gzip_ok=accepts_gzip(self.headers.get("Accept-Encoding", "")))
        self.send_response(page.status)
        for key, value in page.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(page.body)

    def _preflight(self, allowed: list[str], request_id: str) -> None:
        """A CORS preflight, answered as API Gateway's CORS options answer it in AWS."""
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")  # the stack's default corsOrigins
        self.send_header("Access-Control-Allow-Methods", ",".join(sorted({*allowed, "OPTIONS"})))
        self.send_header("Access-Control-Allow-Headers", ",".join(CORS_ALLOW_HEADERS))
        self.send_header("Access-Control-Expose-Headers", ",".join(CORS_EXPOSE_HEADERS))
        self.send_header("X-Request-Id", request_id)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _authorize(self, route: GatewayRoute, request_id: str) -> dict[str, str] | None:
        """What API Gateway's Cognito authorizer does before anything else: no valid access token,
        401; a token without the API's scope, 403. Returns the claims ({} for an open route), or
        None once the refusal is written."""
        if "cognito" not in route.security_schemes:
            return {}
        try:
            caller = wiring.portal().token_verifier.verify(self.headers.get("Authorization"))
        except Unauthenticated as refused:
            self._drain_body()
            self._problem(HTTPStatus.UNAUTHORIZED, refused.detail, request_id, {"WWW-Authenticate": BEARER_CHALLENGE})
            return None
        except Forbidden as refused:
            self._drain_body()
            self._problem(HTTPStatus.FORBIDDEN, refused.detail, request_id)
            return None
        return caller.claims()

    def _read_body(self, request_id: str) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(request_id)
        length_header = self.headers.get("Content-Length", "0")
        if not length_header.isdigit():
            self._problem(HTTPStatus.BAD_REQUEST, "Content-Length is not a number.", request_id, close=True)
            return None
        length = int(length_header)
        if length > self.owner.max_body_bytes:
            self._problem(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"The body is {length:,} bytes; the limit is {self.owner.max_body_bytes:,} bytes.",
                request_id,
                close=True,
                slug="spec-too-large",
            )
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self, request_id: str) -> bytes | None:
        """A chunked body, buffered whole as API Gateway buffers it, within the same payload cap."""
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                self._problem(HTTPStatus.BAD_REQUEST, "The chunked body is malformed.", request_id, close=True)
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers, up to the blank line
                    pass
                return bytes(body)
            if len(body) + size > self.owner.max_body_bytes:
                self._problem(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"The body is over the limit of {self.owner.max_body_bytes:,} bytes.",
                    request_id,
                    close=True,
                    slug="spec-too-large",
                )
                return None
            body += self.rfile.read(size)
            self.rfile.readline(8)  # the CRLF after the chunk

    def _drain_body(self) -> None:
        """Skip an unread body so the connection can serve the next request, or close it."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            return
        length = self.headers.get("Content-Length", "0")
        if length.isdigit() and 0 < int(length) <= self.owner.max_body_bytes:
            self.rfile.read(int(length))
        elif length != "0":
            self.close_connection = True

    def _proxy_event(
        self,
        route: GatewayRoute,
        path: str,
        query: str,
        path_parameters: dict[str, str],
        body: bytes,
        request_id: str,
    ) -> dict[str, Any]:
        pairs = parse_qsl(query, keep_blank_values=True)
        multi_query: dict[str, list[str]] = {}
        for key, value in pairs:
            multi_query.setdefault(key, []).append(value)
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for key, value in self.headers.items():
            if key.lower() == "x-forwarded-proto":
                continue  # set by the gateway, as API Gateway does
            headers[key] = value
            multi_headers.setdefault(key, []).append(value)
        headers["X-Forwarded-Proto"] = "http"
        content_type = headers.get("Content-Type", "") or headers.get("content-type", "")
        try:
            text = body.decode("utf-8")
            binary = not any(content_type.startswith(t) for t in _TEXT_TYPES) and content_type != ""
        except UnicodeDecodeError:
            text, binary = "", True
        host = f"{LOOPBACK}:{self.owner.port}"
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": self.command,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.path,
                "httpMethod": self.command,
                "path": path,
                "stage": "local",
                "requestId": request_id,
                "requestTimeEpoch": int(time.time() * 1000),
                "domainName": host,
                "apiId": "local",
                "identity": {"sourceIp": self.client_address[0], "userAgent": self.headers.get("User-Agent")},
            },
            "body": base64.b64encode(body).decode() if binary else (text or None),
            "isBase64Encoded": binary,
        }

    def _write_proxy_response(self, response: dict[str, Any]) -> None:
        status = int(response.get("statusCode", 502))
        raw = response.get("body") or ""
        payload = base64.b64decode(raw) if response.get("isBase64Encoded") else str(raw).encode("utf-8")
        self.send_response(status)
        headers = dict(response.get("headers") or {})
        if (
            len(payload) >= MIN_COMPRESSED_BYTES
            and accepts_gzip(self.headers.get("Accept-Encoding", ""))
            and not any(key.lower() == "content-encoding" for key in headers)
        ):  # as API Gateway's minimumCompressionSize does
            payload = gzip.compress(payload, 6, mtime=0)
            headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        for key, values in (response.get("multiValueHeaders") or {}).items():
            for value in values:
                self.send_header(key, str(value))
        for key, value in headers.items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _problem(
        self,
        status: HTTPStatus,
        detail: str,
        request_id: str,
        headers: dict[str, str] | None = None,
        *,
        close: bool = False,
        slug: str | None = None,
    ) -> None:
        body = json.dumps(
            {
                "type": f"urn:devportal:problem:{slug or status.phrase.lower().replace(' ', '-')}",
                "title": status.phrase,
                "status": int(status),
                "detail": detail,
                "instance": f"urn:devportal:request:{request_id}",
            }
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", request_id)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":  # a body after a HEAD answer would be read as the next answer
            self.wfile.write(body)
