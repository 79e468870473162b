"""The local Lambda invoke endpoint: Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`)
answered by the portal's real handlers, the way Step Functions' Lambda tasks reach them in AWS.

moto's state machines call Lambda at the AWS stand-in (MOTO_PORT), which forwards Invoke here
(DEVPORTAL_LAMBDA_ENDPOINT); this serves the functions state machines invoke as Task states
(`StateMachineTask` declarations), by AWS name (`<prefix>-<name>`) or ARN. As Lambda does, a
handler's exception is answered 200 with `X-Amz-Function-Error: Unhandled` and a body naming the
exception's class (`errorType`), which the state machine's Retry and Catch match."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from devportal.names import ResourceNames
from devportal_local.lambda_runtime import Handler, LambdaContext, load_handler
from functions.catalog import tasks
from functions.declaration import Function

log = logging.getLogger("devportal.lambda")
PATH_PREFIX, PATH_SUFFIX = "/2015-03-31/functions/", "/invocations"


class Invoker:
    """The task functions of one deployment, by their AWS names."""

    def __init__(self, names: ResourceNames) -> None:
        self._functions: dict[str, Function] = {f.function_name(names): f for f in tasks()}
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def known(self, name: str) -> Function | None:
        return self._functions.get(name)

    def invoke(self, name: str, payload: Any) -> tuple[Any, bool]:
        """(the handler's result or Lambda's error body, whether it is an error)."""
        function = self._functions[name]
        with self._lock:
            handler = self._handlers.get(name) or self._handlers.setdefault(name, load_handler(function.handler))
        context = LambdaContext(function_name=name, timeout_seconds=function.timeout_seconds)
        try:
            return handler(payload, context), False
        except Exception as error:  # what Lambda's Python runtime reports for an unhandled exception
            log.info("%s raised %s: %s", name, type(error).__name__, error)
            return {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_tb(error.__traceback__)[-5:],
            }, True


def function_name(path: str) -> str | None:
    """`/2015-03-31/functions/<name or ARN>/invocations` -> the function's name."""
    if not (path.startswith(PATH_PREFIX) and path.endswith(PATH_SUFFIX)):
        return None
    named = unquote(path[len(PATH_PREFIX) : -len(PATH_SUFFIX)])
    if named.startswith("arn:"):  # arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
        parts = named.split(":")
        return parts[6] if len(parts) >= 7 else None
    return named.split(":", 1)[0]


def _handler_class(invoker: Invoker) -> type[BaseHTTPRequestHandler]:
    class InvokeHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

        def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            name = function_name(self.path.split("?", 1)[0])
            if name is None or invoker.known(name) is None:
                self._answer(
                    404,
                    {"Type": "User", "message": f"Function not found: {name}"},
                    {"X-Amzn-ErrorType": "ResourceNotFoundException"},
                )
                return
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                self._answer(400, {"Type": "User", "message": "the payload is not JSON"},
                             {"X-Amzn-ErrorType": "InvalidRequestContentException"})  # fmt: skip
                return
            result, failed = invoker.invoke(name, payload)
            self._answer(
                200,
                result,
                {"X-Amz-Executed-Version": "$LATEST", **({"X-Amz-Function-Error": "Unhandled"} if failed else {})},
            )

    return InvokeHandler


@contextlib.contextmanager
def serving_invocations(host: str, port: int, names: ResourceNames) -> Iterator[ThreadingHTTPServer]:
    """The endpoint on a thread until the block ends."""
    server = ThreadingHTTPServer((host, port), _handler_class(Invoker(names)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="lambda-invoke", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
