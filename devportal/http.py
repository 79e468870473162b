"""The HTTP edge of every route function: API Gateway proxy events in, JSON or problem+json out.

`DOMAIN_ERROR_STATUS` is the single place a domain error becomes an HTTP status. Anything not
foreseen becomes a 500 whose body carries the request id and nothing of the internals.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from devportal import errors
from devportal.errors import DomainError, FieldError
from devportal.identity.caller import Caller

PROBLEM_JSON = "application/problem+json"
# What a caller may send to follow a request through events, workflows and logs.
CORRELATION_ID = re.compile(r"^[!-~]{1,128}$")
BEARER_CHALLENGE = 'Bearer realm="devportal"'
# Services authenticate with a key in a header (API Gateway's convention); no RFC names a scheme for it.
API_KEY_CHALLENGE = 'ApiKey realm="devportal", header="x-api-key"'
# Responses this size and up go gzip-compressed to a client that accepts it (API Gateway's
# minimumCompressionSize; the local gateway does the same): below it, gzip's framing outweighs what it saves.
MIN_COMPRESSED_BYTES = 1024

DOMAIN_ERROR_STATUS: dict[type[DomainError], int] = {
    errors.SpecTooLarge: 413,
    errors.UsageBatchTooLarge: 413,
    errors.InvalidUsageBatch: 422,
    errors.EmptySpec: 400,
    errors.UnparseableSpec: 400,
    errors.UnsafeSpec: 400,
    errors.NotOpenApi: 422,
    errors.InvalidSpecField: 422,
    errors.InvalidParameter: 400,
    errors.TargetRefused: 422,
    errors.ConstraintViolated: 422,
    errors.UnsupportedMediaType: 415,
    errors.Unauthenticated: 401,
    errors.ServiceKeyRefused: 401,
    errors.Forbidden: 403,
    errors.VersionConflict: 409,
    errors.StateConflict: 409,
    errors.AlreadyExists: 409,
    errors.TooManyAttempts: 429,
    errors.NotFound: 404,
    errors.DependencyUnavailable: 503,
}

_log = logging.getLogger("devportal.http")


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    resource: str
    path_parameters: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    request_id: str
    base_url: str
    claims: Mapping[str, Any] = field(default_factory=dict)  # from the Cognito authorizer
    source_ip: str = "unknown"  # the client's address, as API Gateway saw it

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> ApiRequest:
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        raw_body = event.get("body") or ""
        body = base64.b64decode(raw_body) if event.get("isBase64Encoded") else str(raw_body).encode("utf-8")
        context = event.get("requestContext") or {}
        path = str(event.get("path") or "/")
        host = headers.get("host") or str(context.get("domainName") or "localhost")
        proto = headers.get("x-forwarded-proto", "https")
        context_path = str(context.get("path") or path)
        stage_prefix = context_path[: -len(path)] if context_path.endswith(path) and path != "/" else ""
        return cls(
            method=str(event.get("httpMethod") or "GET").upper(),
            path=path,
            resource=str(event.get("resource") or path),
            path_parameters=dict(event.get("pathParameters") or {}),
            query=dict(event.get("queryStringParameters") or {}),
            headers=headers,
            body=body,
            request_id=str(context.get("requestId") or "unknown"),
            base_url=f"{proto}://{host}{stage_prefix}",
            claims=dict((context.get("authorizer") or {}).get("claims") or {}),
            source_ip=str((context.get("identity") or {}).get("sourceIp") or "unknown"),
        )

    @property
    def caller(self) -> Caller:
        """Who is calling, as the authorizer verified it. Routes the contract secures never run
        without it; a route reached without claims refuses rather than guess."""
        if not self.claims.get("sub"):
            raise errors.Unauthenticated("Sign in first: this operation needs an access token.")
        return Caller.from_claims(self.claims)

    def query_param(self, name: str) -> str | None:
        """An optional query parameter: None when absent; a 400 when present but empty, which the
        contract never allows (`?owner=` is not "no owner")."""
        value = self.query.get(name)
        if value is not None and not value:
            raise errors.InvalidParameter(
                f"`{name}` is empty: leave it out, or give it a value.",
                [FieldError(detail="empty", parameter=name)],
            )
        return value

    def page_limit(self, default: int = 50, maximum: int = 200) -> int:
        """The `limit` query parameter of a listing: 1 to `maximum`, `default` when absent."""
        raw = self.query.get("limit", str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= maximum:
            raise errors.InvalidParameter(
                f"`limit` must be an integer from 1 to {maximum}.", [FieldError(detail="invalid", parameter="limit")]
            )
        return int(raw)

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or a 400 that says what is wrong with it."""
        try:
            value = json.loads(self.body or b"null")
        except ValueError:
            raise errors.InvalidParameter(
                "The body is not JSON.", [FieldError(detail="not JSON", pointer="")]
            ) from None
        if not isinstance(value, dict):
            raise errors.InvalidParameter(
                "The body must be a JSON object.", [FieldError(detail="not an object", pointer="")]
            )
        return value

    @property
    def correlation_id(self) -> str:
        """The caller's X-Correlation-Id (checked by `check_headers`), or this request's id."""
        return self.headers.get("x-correlation-id") or self.request_id

    def check_headers(self) -> None:
        """Headers every operation declares (contracts/gateway.openapi.yaml), refused when malformed
        rather than silently ignored."""
        supplied = self.headers.get("x-correlation-id")
        if supplied is not None and not CORRELATION_ID.fullmatch(supplied):
            raise errors.InvalidParameter(
                "`X-Correlation-Id` must be 1-128 visible ASCII characters (no spaces).",
                [FieldError(detail="invalid format", parameter="X-Correlation-Id")],
            )

    def url(self, path: str) -> str:
        return self.base_url + path

    def cookie(self, name: str) -> str | None:
        """A cookie the browser sent (the `Cookie` header, as API Gateway passes it on)."""
        for pair in self.headers.get("cookie", "").split(";"):
            key, _, value = pair.strip().partition("=")
            if key == name and value:
                return value
        return None

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass
class ApiResponse:
    status: int
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)  # Set-Cookie values

    def to_proxy(self) -> dict[str, Any]:
        raw = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        try:
            text, encoded = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(raw).decode("ascii"), True
        proxy: dict[str, Any] = {"statusCode": self.status, "headers": self.headers, "body": text}
        proxy["isBase64Encoded"] = encoded
        if self.cookies:
            proxy["multiValueHeaders"] = {"Set-Cookie": list(self.cookies)}
        return proxy


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> ApiResponse:
    return ApiResponse(
        status,
        json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        {"Content-Type": "application/json", **(headers or {})},
    )


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    request_id: str,
    field_errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> ApiResponse:
    body: dict[str, Any] = {
        "type": f"urn:devportal:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": f"urn:devportal:request:{request_id}",
        **(extensions or {}),
    }
    if field_errors:
        body["errors"] = [
            {
                k: v
                for k, v in {
                    "detail": e.detail,
                    "pointer": e.pointer,
                    "parameter": e.parameter,
                    "line": e.line,
                    "column": e.column,
                }.items()
                if v is not None
            }
            for e in field_errors
        ]
    return ApiResponse(status, json.dumps(body, ensure_ascii=False), {"Content-Type": PROBLEM_JSON, **(headers or {})})


def domain_problem(error: DomainError, request_id: str) -> ApiResponse:
    status = next(
        (code for kind, code in DOMAIN_ERROR_STATUS.items() if isinstance(error, kind)),
        500,
    )
    headers = {"Retry-After": "2"} if status == 503 else None
    if isinstance(error, errors.TooManyAttempts):
        headers = {"Retry-After": str(max(1, error.retry_after_seconds))}
    if status == 401:
        headers = {
            "WWW-Authenticate": API_KEY_CHALLENGE if isinstance(error, errors.ServiceKeyRefused) else BEARER_CHALLENGE
        }
    return problem(
        status,
        error.title,
        error.detail,
        slug=error.slug,
        request_id=request_id,
        field_errors=error.errors,
        headers=headers,
    )


Route = Callable[[ApiRequest], ApiResponse]


def http_handler(route: Route) -> Callable[[Mapping[str, Any], Any], dict[str, Any]]:
    """Lambda entry point for one route: parse, call, map errors."""

    def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        request_id = str((event.get("requestContext") or {}).get("requestId") or "unknown")
        try:
            request = ApiRequest.from_event(event)
            request.check_headers()
            response = route(request)
        except DomainError as error:
            response = domain_problem(error, request_id)
        except Exception:
            _log.exception("unhandled error in %s", getattr(route, "__name__", "route"))
            response = problem(
                500,
                "Internal error",
                f"The request failed unexpectedly. Quote request id {request_id} when reporting it.",
                slug="internal",
                request_id=request_id,
            )
        response.headers.setdefault("X-Request-Id", request_id)
        return response.to_proxy()

    handler.__name__ = getattr(route, "__name__", "handler")
    handler.__wrapped__ = route  # type: ignore[attr-defined]
    return handler
